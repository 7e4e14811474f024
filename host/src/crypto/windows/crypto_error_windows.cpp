// CryptoError on Windows: BCrypt and crypt32 report a status code, which windows/bcrypt_support.cpp puts in
// the message; there is no error queue to drain.
#include "../crypto_error.hpp"

#include <string>

namespace certbridge::host::crypto {

CryptoError::CryptoError(std::string_view what) : std::runtime_error(std::string(what)) {}

void throwCryptoError(std::string_view what) {
  throw CryptoError(what);
}

}  // namespace certbridge::host::crypto
