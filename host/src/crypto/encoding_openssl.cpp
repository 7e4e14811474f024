// randomBytes and sha256 with OpenSSL (Linux, macOS).
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "crypto_error.hpp"
#include "encoding.hpp"

namespace certbridge::host::crypto {

std::vector<std::uint8_t> randomBytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  // RAND_bytes takes an int length; fill larger requests in pieces.
  for (std::size_t offset = 0; offset < count;) {
    const std::size_t chunk = std::min<std::size_t>(count - offset, INT_MAX);
    if (RAND_bytes(bytes.data() + offset, static_cast<int>(chunk)) != 1) {
      throwCryptoError("the random number generator failed");
    }
    offset += chunk;
  }
  return bytes;
}

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    throwCryptoError("SHA-256 failed");
  }
  return digest;
}

}  // namespace certbridge::host::crypto
