#pragma once
// macOS adapter of registerCertificates() / unregisterCertificates(): adds the card's certificates to the
// user's login keychain, each labelled "CertBridge: <name>", and removes exactly those again.
//
// NOT COMPILED OR RUN IN THIS PROJECT'S CI (Debian has no macOS SDK): it is built on macOS only, against the
// Security framework, and has not been exercised on a Mac yet. Keep it small and read it with that in mind.
//
// What it can and cannot do: on macOS the card's private keys reach applications through CryptoTokenKit
// (the built-in PIV token driver, or the card vendor's token extension); when the card is inserted, macOS
// itself shows the card's certificates and keys as identities to Safari, Chrome and Edge. There is no
// macOS counterpart of Windows' CERT_KEY_PROV_INFO: a certificate in the login keychain cannot name a key
// provider. Adding the certificates to the login keychain makes them known while the card is out (the
// keychain lists them, Mail and other apps can pick them as the user's certificates); whether an identity
// forms with the key on the inserted card depends on the token driver, not on this adapter. Firefox uses
// its own NSS database on macOS too (the Linux adapter's approach). The keys never leave the card.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace certbridge::host::os_store::macos {

/// One certificate of the card.
struct CardCertificate {
  std::vector<std::uint8_t> der;  ///< Exactly one DER X.509 certificate.
  /// Shown in Keychain Access after "CertBridge: "; 1 to 200 bytes of UTF-8.
  std::string name;
};

enum class RegistrationOutcome {
  Added,                     ///< This call added it to the login keychain.
  AlreadyRegistered,         ///< An earlier registration added it; left as it is.
  PresentWithoutCertBridge,  ///< The keychain already held it under another label; left untouched.
};

struct RegistrationResult {
  std::string label;  ///< The label the certificate has in the keychain now.
  RegistrationOutcome outcome = RegistrationOutcome::Added;
};

/// Every failure of this adapter; status is the Security framework's OSStatus (0 for InvalidInput).
class MacStoreError : public std::runtime_error {
 public:
  enum class Kind { InvalidInput, StoreFailure };
  MacStoreError(Kind kind, const std::string& message, std::int32_t status = 0)
      : std::runtime_error(message), kind_(kind), status_(status) {}
  Kind kind() const { return kind_; }
  std::int32_t status() const { return status_; }

 private:
  Kind kind_;
  std::int32_t status_;
};

/// The user's default (login) keychain.
class MacCertificateRegistry {
 public:
  /// Validates every certificate first, then adds each one not yet in the keychain. One result per
  /// certificate, in order. A failure half way removes what this call added.
  std::vector<RegistrationResult> registerCertificates(std::span<const CardCertificate> certificates);

  /// Removes the certificates among ders that carry a "CertBridge: " label; returns how many it removed.
  std::size_t unregisterCertificates(std::span<const std::vector<std::uint8_t>> ders);
};

}  // namespace certbridge::host::os_store::macos
