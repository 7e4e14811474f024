#include "certificate_thumbprint.hpp"

#include <climits>
#include <memory>
#include <vector>

#include "win32_certificate_store.hpp"
#include "windows_certificate_registry.hpp"
// After windows.h (through win32_certificate_store.hpp), which it needs.
#include <bcrypt.h>

namespace certbridge::host::os_store::windows {
namespace {

struct AlgorithmCloser {
  void operator()(BCRYPT_ALG_HANDLE algorithm) const { BCryptCloseAlgorithmProvider(algorithm, 0); }
};
struct HashDestroyer {
  void operator()(BCRYPT_HASH_HANDLE hash) const { BCryptDestroyHash(hash); }
};

std::string toLowerHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (std::uint8_t byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0x0f];
  }
  return hex;
}

// Through CNG rather than a certificate property: CERT_SHA256_HASH_PROP_ID is missing on older Windows
// and in wine, and the hash of the bytes is the same wherever it is computed.
std::string hashHex(const wchar_t* algorithmName, std::size_t digestSize, std::span<const std::uint8_t> der) {
  if (der.size() > ULONG_MAX) {
    throw WindowsStoreError(WindowsStoreError::Kind::InvalidInput, "certificate too large to hash");
  }
  BCRYPT_ALG_HANDLE rawAlgorithm = nullptr;
  checkNtStatus(BCryptOpenAlgorithmProvider(&rawAlgorithm, algorithmName, nullptr, 0), "BCryptOpenAlgorithmProvider");
  std::unique_ptr<void, AlgorithmCloser> algorithm(rawAlgorithm);
  BCRYPT_HASH_HANDLE rawHash = nullptr;
  checkNtStatus(BCryptCreateHash(algorithm.get(), &rawHash, nullptr, 0, nullptr, 0, 0), "BCryptCreateHash");
  std::unique_ptr<void, HashDestroyer> hash(rawHash);
  checkNtStatus(BCryptHashData(hash.get(), const_cast<PUCHAR>(der.data()), static_cast<ULONG>(der.size()), 0),
                "BCryptHashData");
  std::vector<std::uint8_t> digest(digestSize);
  checkNtStatus(BCryptFinishHash(hash.get(), digest.data(), static_cast<ULONG>(digest.size()), 0), "BCryptFinishHash");
  return toLowerHex(digest);
}

}  // namespace

std::string sha1Thumbprint(std::span<const std::uint8_t> der) {
  return hashHex(BCRYPT_SHA1_ALGORITHM, 20, der);
}

std::string sha256Thumbprint(std::span<const std::uint8_t> der) {
  return hashHex(BCRYPT_SHA256_ALGORITHM, 32, der);
}

}  // namespace certbridge::host::os_store::windows
