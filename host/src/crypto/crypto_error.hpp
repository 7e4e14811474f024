#pragma once
// The exception for failures of the platform's crypto library: OpenSSL on Linux and macOS, BCrypt and
// crypt32 on Windows. Inputs that are simply wrong (a certificate that does not parse, a signature that does
// not verify) are answers, not CryptoErrors.

#include <stdexcept>
#include <string_view>

namespace certbridge::host::crypto {

/// A call into the crypto library failed. With OpenSSL the message is `what` followed by the text of this
/// thread's OpenSSL error queue, which the constructor empties so that stale entries never show up in a
/// later, unrelated error; on Windows the caller appends the failing call's status code.
class CryptoError : public std::runtime_error {
 public:
  explicit CryptoError(std::string_view what);
};

/// Throws CryptoError(what).
[[noreturn]] void throwCryptoError(std::string_view what);

}  // namespace certbridge::host::crypto
