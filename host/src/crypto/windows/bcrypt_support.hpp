#pragma once
// Windows only: owning handles for BCrypt and crypt32 objects, status checks that throw CryptoError with
// the failing call's code, and the few BCrypt/crypt32 operations the crypto layer uses in several places.

#include <windows.h>
// <windows.h> first: the crypto headers need its types.
#include <bcrypt.h>
#include <wincrypt.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace certbridge::host::crypto::windows {

struct AlgorithmCloser {
  void operator()(BCRYPT_ALG_HANDLE algorithm) const noexcept { BCryptCloseAlgorithmProvider(algorithm, 0); }
};
struct KeyDestroyer {
  void operator()(BCRYPT_KEY_HANDLE key) const noexcept { BCryptDestroyKey(key); }
};
struct SecretDestroyer {
  void operator()(BCRYPT_SECRET_HANDLE secret) const noexcept { BCryptDestroySecret(secret); }
};
struct LocalFreer {
  void operator()(void* memory) const noexcept { LocalFree(memory); }
};
struct CertificateFreer {
  void operator()(PCCERT_CONTEXT certificate) const noexcept { CertFreeCertificateContext(certificate); }
};

using AlgorithmHandle = std::unique_ptr<void, AlgorithmCloser>;
using KeyHandle = std::unique_ptr<void, KeyDestroyer>;
using SecretHandle = std::unique_ptr<void, SecretDestroyer>;
/// Memory crypt32 allocated for a decoded structure (CRYPT_DECODE_ALLOC_FLAG).
template <typename T>
using LocalPtr = std::unique_ptr<T, LocalFreer>;

/// Throws CryptoError("what (NTSTATUS 0x...)") unless status is a success.
void checkStatus(NTSTATUS status, std::string_view what);

/// Throws CryptoError("what (error 0x...)") with GetLastError().
[[noreturn]] void throwLastError(std::string_view what);

/// An algorithm provider (BCRYPT_SHA256_ALGORITHM ...). Throws CryptoError.
AlgorithmHandle openAlgorithm(LPCWSTR algorithm, ULONG flags = 0);

/// CryptEncodeObjectEx of a crypt32 structure; X509_ASN_ENCODING, plus PKCS_7_ASN_ENCODING for the PKCS#7
/// structures (PKCS7_SIGNER_INFO), which crypt32 encodes only with that type. Throws CryptoError.
std::vector<std::uint8_t> encodeObject(LPCSTR structType, const void* structure, DWORD flags = 0,
                                       DWORD encodingType = X509_ASN_ENCODING);

/// CryptDecodeObjectEx(X509_ASN_ENCODING) of encoded as structType, or null when crypt32 refuses it.
template <typename T>
LocalPtr<T> decodeObject(LPCSTR structType, std::span<const std::uint8_t> encoded) noexcept {
  void* decoded = nullptr;
  DWORD size = 0;
  if (!CryptDecodeObjectEx(X509_ASN_ENCODING, structType, encoded.data(), static_cast<DWORD>(encoded.size()),
                           CRYPT_DECODE_ALLOC_FLAG | CRYPT_DECODE_NOCOPY_FLAG, nullptr, &decoded, &size)) {
    return nullptr;
  }
  return LocalPtr<T>(static_cast<T*>(decoded));
}

/// A BCrypt public key for a SubjectPublicKeyInfo (DER); null when it is no public key Windows can import.
/// The key refers to nothing in publicKeyInfo afterwards.
KeyHandle importPublicKeyInfo(std::span<const std::uint8_t> publicKeyInfo) noexcept;

/// Whether signature is an RSASSA-PKCS1-v1_5 SHA-256 signature by key over digest. False for anything else.
bool verifyRsaSha256(BCRYPT_KEY_HANDLE key, const std::array<std::uint8_t, 32>& digest,
                     std::span<const std::uint8_t> signature) noexcept;

/// UTF-8 to UTF-16 (Windows' wide strings). Throws std::invalid_argument for invalid UTF-8.
std::wstring wideFromUtf8(std::string_view text);

}  // namespace certbridge::host::crypto::windows
