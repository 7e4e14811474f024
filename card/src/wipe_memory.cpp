// wipeMemory: the platform's own "zero this, and mean it" function.

#include "certbridge/card/secret_string.hpp"

#if defined(_WIN32)
#include <windows.h>
#else
#include <openssl/crypto.h>
#endif

namespace certbridge::card {

void wipeMemory(void* data, std::size_t size) noexcept {
  if (data == nullptr || size == 0) return;
#if defined(_WIN32)
  SecureZeroMemory(data, size);
#else
  OPENSSL_cleanse(data, size);
#endif
}

}  // namespace certbridge::card
