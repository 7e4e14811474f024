#pragma once
// Windows adapter of registerCertificates() / unregisterCertificates(): puts the card's certificates into
// the current user's personal store (CurrentUser\MY), each linked to the card's key provider through
// CERT_KEY_PROV_INFO_PROP_ID, so Windows, Edge and Chrome offer them for TLS client authentication and
// signing while the private key stays on the card (the provider - the smart card KSP or a vendor CSP/KSP -
// reaches it when a signature is needed).
//
// Only certificates this adapter added carry the CertBridge marker (a fixed text in the certificate's
// description property), and
// unregistering removes only marked certificates: a copy the user or the card middleware had in the store
// before is reported and never touched. Both directions are idempotent.
//
// The API is standard C++ only so callers never see <windows.h>; strings are UTF-8.

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace certbridge::host::os_store::windows {

/// The provider that holds the card's keys, from the card profile.
struct KeyProvider {
  /// e.g. "Microsoft Smart Card Key Storage Provider", "Microsoft Base Smart Card Crypto Provider", or the
  /// vendor's. At most 256 characters.
  std::string name;
  /// 0 for a CNG key storage provider; the CryptoAPI provider type (PROV_RSA_FULL = 1, ...) for a CSP.
  std::uint32_t type = 0;
  /// NCRYPT_SILENT_FLAG (0x40) and/or NCRYPT_MACHINE_KEY_FLAG (0x20) - for a CSP the same bits mean
  /// CRYPT_SILENT and CRYPT_MACHINE_KEYSET. Any other bit is rejected. Usually 0: a smart card key must
  /// be allowed to ask for its PIN.
  std::uint32_t flags = 0;
};

/// Which key of the container the certificate belongs to (CRYPT_KEY_PROV_INFO::dwKeySpec).
enum class KeySpec : std::uint32_t {
  None = 0,         ///< CNG keys that have no legacy key spec (KSP only).
  KeyExchange = 1,  ///< AT_KEYEXCHANGE: what smart card minidrivers use for most keys.
  Signature = 2,    ///< AT_SIGNATURE.
};

/// One certificate of the card, as the card layer read it.
struct CardCertificate {
  std::vector<std::uint8_t> der;  ///< Exactly one DER X.509 certificate.
  /// The key container on the card that holds the certificate's private key, as the provider names it
  /// (for the smart card KSP, e.g. "\\.\<reader name>\<container>" or the container name alone).
  /// 1 to 260 characters.
  std::string keyContainer;
  KeySpec keySpec = KeySpec::KeyExchange;
  /// Shown by certmgr and browsers' certificate pickers beside the subject; empty for none.
  /// At most 256 characters.
  std::string friendlyName;
};

/// The link from a certificate in the store to its private key (CERT_KEY_PROV_INFO_PROP_ID).
struct KeyLink {
  std::string providerName;
  std::uint32_t providerType = 0;
  std::string keyContainer;
  std::uint32_t keySpec = 0;
  std::uint32_t flags = 0;
};

/// A certificate as it is in CurrentUser\MY.
struct StoredCertificate {
  std::string sha1Thumbprint;    ///< Lowercase hex: what certmgr and certutil call the thumbprint.
  std::string sha256Thumbprint;  ///< Lowercase hex: the protocol's certificate id.
  std::string friendlyName;      ///< Empty when the certificate has none.
  std::optional<KeyLink> keyLink;
  bool registeredByCertBridge = false;  ///< Carries our marker, so unregistering removes it.
};

enum class RegistrationOutcome {
  Added,              ///< This call put the certificate into the store.
  AlreadyRegistered,  ///< An earlier registration put it there; left as it is.
  /// The store already held this certificate without our marker (imported by the user or the card
  /// middleware): left untouched, and unregistering will leave it too.
  PresentWithoutCertBridge,
};

struct RegistrationResult {
  StoredCertificate certificate;  ///< As it is in the store after the call.
  RegistrationOutcome outcome = RegistrationOutcome::Added;
};

/// Every failure of this adapter. InvalidInput is detected before the store is touched; after a
/// StoreFailure during registration the certificates this call had added are removed again.
class WindowsStoreError : public std::runtime_error {
 public:
  enum class Kind {
    InvalidInput,  ///< A certificate, provider or name the store cannot take; nothing was changed.
    StoreFailure,  ///< A Windows certificate store call failed.
  };
  WindowsStoreError(Kind kind, const std::string& message, std::uint32_t systemError = 0);
  Kind kind() const { return kind_; }
  /// The GetLastError() value of the failed call; 0 for InvalidInput.
  std::uint32_t systemError() const { return systemError_; }

 private:
  Kind kind_;
  std::uint32_t systemError_;
};

/// The current user's personal certificate store, through the registry store provider
/// (HKCU\Software\Microsoft\SystemCertificates\MY): every change is written there before the call
/// returns and is seen by every process of the user.
class WindowsCertificateRegistry {
 public:
  /// Adds each certificate not yet in the store, linked to provider and its keyContainer / keySpec and
  /// marked as ours; validates every input first. One result per certificate, in order; a certificate
  /// given twice is added once (the second result says AlreadyRegistered).
  std::vector<RegistrationResult> registerCertificates(const KeyProvider& provider,
                                                       std::span<const CardCertificate> certificates);

  /// Removes the marked certificates among ders (each one DER certificate); certificates that are not in
  /// the store, or are there without our marker, are skipped. Returns what was removed.
  std::vector<StoredCertificate> unregisterCertificates(std::span<const std::vector<std::uint8_t>> ders);

  /// Removes every certificate carrying our marker (whatever card it came from). Returns what was removed.
  std::vector<StoredCertificate> unregisterAllCertificates();

  /// The certificates carrying our marker.
  std::vector<StoredCertificate> listRegisteredCertificates() const;

  /// The store's entry for der (marked or not); nullopt when the store does not hold it.
  std::optional<StoredCertificate> find(std::span<const std::uint8_t> der) const;
};

}  // namespace certbridge::host::os_store::windows
