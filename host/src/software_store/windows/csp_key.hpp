#pragma once
// Software keys on Windows: RSA key pairs in the user's CryptoAPI key containers of the Microsoft Enhanced
// RSA and AES Cryptographic Provider, and one of them as the signer the crypto layer takes.
//
// Why CryptoAPI (CSP) and not CNG's Microsoft Software Key Storage Provider: both keep keys in the user's
// profile, protected by DPAPI, and every Windows application (browsers' TLS client authentication included)
// uses either through CERT_KEY_PROV_INFO. But the KSP's keys could not be checked here: under wine 8 an
// NCrypt software key does not outlive the process that made it, while a CSP container does, is found again
// by a second process and signs there. So the host uses the provider whose behaviour its tests verify.
// PROV_RSA_AES rather than the older PROV_RSA_FULL providers: only it hashes with SHA-256; all Microsoft
// RSA CSPs share one container store, so a key PFXImportCertStore put under another of them is reached too.

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// After windows.h, which it needs.
#include <wincrypt.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "certbridge/card/rsa_signer.hpp"

namespace certbridge::host::software_store::windows {

/// An open key container (HCRYPTPROV is an integer, so no unique_ptr); releasing it writes a new key to the
/// user's profile.
class ProviderHandle {
 public:
  ProviderHandle() noexcept = default;
  explicit ProviderHandle(HCRYPTPROV provider) noexcept : provider_(provider) {}
  ~ProviderHandle() {
    if (provider_ != 0) CryptReleaseContext(provider_, 0);
  }
  ProviderHandle(ProviderHandle&& other) noexcept : provider_(std::exchange(other.provider_, 0)) {}
  ProviderHandle& operator=(ProviderHandle&& other) noexcept {
    std::swap(provider_, other.provider_);
    return *this;
  }
  HCRYPTPROV get() const noexcept { return provider_; }
  explicit operator bool() const noexcept { return provider_ != 0; }

 private:
  HCRYPTPROV provider_ = 0;
};

/// Where a private key lives: a container of the provider, and which of its two key pairs.
struct KeyLocation {
  std::wstring container;
  DWORD keySpec = AT_KEYEXCHANGE;
};

/// The container, or null when the user has no container of that name.
ProviderHandle openContainer(const std::wstring& container);

/// Makes a container of a new random name holding an RSA key pair (AT_KEYEXCHANGE: it signs and decrypts,
/// so one kind serves signing, encryption and dual certificates). exportable: whether PFXExportCertStoreEx
/// may take it out (encrypted under the user's password). STORE_ERROR when the provider refuses.
KeyLocation generateKeyContainer(int bits, bool exportable);

/// The names of the user's key containers in this provider.
std::vector<std::wstring> containerNames();

/// Removes a container and its keys. Never throws (logs).
void deleteContainer(const std::wstring& container) noexcept;

/// The container holding the private key of publicKey, of any name: the host's own and the ones
/// PFXImportCertStore made. nullopt when the user has none.
std::optional<KeyLocation> findKeyFor(const CERT_PUBLIC_KEY_INFO& publicKey);

/// Whether location holds the private key of publicKey.
bool holdsKeyOf(const KeyLocation& location, const CERT_PUBLIC_KEY_INFO& publicKey);

/// CERT_KEY_PROV_INFO naming location in this provider (the strings point into location).
CRYPT_KEY_PROV_INFO keyProvInfo(const KeyLocation& location);

/// SHA-1 of the public key's modulus (big-endian, as NSS's CKA_ID): the keyId the protocol reports.
std::vector<std::uint8_t> keyIdOf(const CERT_PUBLIC_KEY_INFO& publicKey);

/// A container's key as the crypto layer's signer: PKCS#1 v1.5 over SHA-256 DigestInfos.
class CspRsaKey : public card::RsaSigner {
 public:
  /// STORE_ERROR / KEY_NOT_FOUND when the container or its key pair cannot be opened.
  explicit CspRsaKey(const KeyLocation& location);
  std::vector<std::uint8_t> publicKeyInfo() const override;
  std::size_t modulusBytes() const override;
  std::vector<std::uint8_t> signDigestInfo(std::span<const std::uint8_t> digestInfo) override;

 private:
  ProviderHandle provider_;
  DWORD keySpec_;
};

}  // namespace certbridge::host::software_store::windows
