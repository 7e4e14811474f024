// randomBytes and sha256 with BCrypt (Windows).
#include <algorithm>
#include <climits>

#include "../crypto_error.hpp"
#include "../encoding.hpp"
#include "bcrypt_support.hpp"

namespace certbridge::host::crypto {

std::vector<std::uint8_t> randomBytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  // BCryptGenRandom takes a ULONG length; fill larger requests in pieces.
  for (std::size_t offset = 0; offset < count;) {
    const std::size_t chunk = std::min<std::size_t>(count - offset, ULONG_MAX);
    windows::checkStatus(
        BCryptGenRandom(nullptr, bytes.data() + offset, static_cast<ULONG>(chunk), BCRYPT_USE_SYSTEM_PREFERRED_RNG),
        "the random number generator failed");
    offset += chunk;
  }
  return bytes;
}

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > ULONG_MAX) throw CryptoError("SHA-256 input too large");
  std::array<std::uint8_t, 32> digest{};
  // BCryptHash (Windows 10) would do it in one call; the hash object works on every Windows.
  static const windows::AlgorithmHandle& algorithm =
      *new windows::AlgorithmHandle(windows::openAlgorithm(BCRYPT_SHA256_ALGORITHM));
  BCRYPT_HASH_HANDLE hash = nullptr;
  windows::checkStatus(BCryptCreateHash(algorithm.get(), &hash, nullptr, 0, nullptr, 0, 0), "SHA-256 failed");
  const NTSTATUS fed = BCryptHashData(hash, const_cast<PUCHAR>(bytes.data()), static_cast<ULONG>(bytes.size()), 0);
  const NTSTATUS finished = BCRYPT_SUCCESS(fed) ? BCryptFinishHash(hash, digest.data(), 32, 0) : fed;
  BCryptDestroyHash(hash);
  windows::checkStatus(finished, "SHA-256 failed");
  return digest;
}

}  // namespace certbridge::host::crypto
