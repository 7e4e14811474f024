#pragma once
// Registering a card's certificates in the operating system's certificate stores, so the OS and the browsers
// can use them while the private keys stay on the card (registerCertificates / unregisterCertificates).
// One interface for every platform; each platform's adapter sits behind it:
//   Linux:   NSS databases (nss_certificate_registry.cpp): the card's PKCS#11 module is added to the user's
//            databases, which makes every certificate on the card visible with its key on the card.
//   Windows: the CurrentUser\MY store, each certificate linked to the card's key provider (windows/).
// Every adapter is all or nothing (a failure half way undoes what the call already did) and idempotent, and
// unregister removes exactly what register added, never what the user or another tool put there.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace certbridge::host::os_store {

/// The card's key provider: what the OS or browser loads to reach the card's keys.
struct KeyProvider {
  std::string profileId;    ///< The card profile's id ("certbridge-virtual").
  std::string displayName;  ///< The card profile's name, shown to users in store listings.
  std::string modulePath;   ///< The card profile's PKCS#11 module.
  /// Windows only: the card's own key provider and how it names key containers (the profile's "windows"
  /// section). Empty provider: the profile has none, and nothing is registered in CurrentUser\MY.
  // "{}" initializers: the three-field aggregate initializations elsewhere stay warning-free.
  std::string windowsProvider{};
  std::uint32_t windowsProviderType{0};
  std::string windowsContainer{};  ///< With "{keyId}", "{tokenSerial}", "{tokenLabel}" placeholders.
  std::uint32_t windowsKeySpec{1};
};

/// One certificate on the card, as an adapter needs it to register it (stores that take certificates one by
/// one link each to its key on the card; NSS sees them through the module).
struct CardCertificateEntry {
  std::string id;                   ///< SHA-256 hex of the DER (the protocol's certificate id).
  std::string subject;              ///< RFC 2253, UTF-8.
  std::vector<std::uint8_t> der;    ///< The certificate.
  std::vector<std::uint8_t> keyId;  ///< CKA_ID of its key on the card; empty when the card has no key for it.
  std::string tokenLabel;           ///< The token holding it.
  std::string tokenSerial;
  bool isCa = false;
};

/// What to register: the provider and the certificates on the card.
struct CardRegistration {
  KeyProvider provider;
  std::vector<CardCertificateEntry> certificates;
};

/// What register / unregister did in one store.
enum class StoreOutcome {
  Added,           ///< register: added by this call.
  AlreadyPresent,  ///< register: there before (by an earlier register, the user or another tool); unchanged.
  Removed,         ///< unregister: CertBridge's registration removed by this call.
  NotPresent,      ///< unregister: nothing of CertBridge's there; unchanged.
  LeftAlone,       ///< unregister: present, but put there by the user or another tool; unchanged.
};

/// The protocol's word for an outcome ("added", "alreadyPresent", "removed", "notPresent", "leftAlone").
const char* toString(StoreOutcome outcome) noexcept;

/// One store an adapter works on.
struct StoreReport {
  std::string kind;      ///< "nss-shared" (Chrome, Chromium), "firefox" (a Firefox profile), "windows-my", ...
  std::string name;      ///< Shown to users: "Chrome / Chromium", "Firefox profile default-esr".
  std::string location;  ///< Where it is: a directory, a registry path.
  StoreOutcome outcome = StoreOutcome::NotPresent;
  std::string registeredAs;  ///< The name the provider is listed under in this store (empty when not there).
  bool created = false;      ///< register created this store (no NSS database existed yet).
};

/// What one register / unregister call did, store by store.
struct RegistryReport {
  std::vector<StoreReport> stores;
};

/// Failure in a store (tool missing, database unreadable, module refused). The call has been undone when
/// this is thrown. Mapped to STORE_ERROR with store, location and reason.
class StoreError : public std::runtime_error {
 public:
  StoreError(std::string store, std::string location, const std::string& reason)
      : std::runtime_error(reason), store_(std::move(store)), location_(std::move(location)) {}
  const std::string& store() const noexcept { return store_; }
  const std::string& location() const noexcept { return location_; }

 private:
  std::string store_;
  std::string location_;
};

/// A platform's certificate stores.
class CertificateRegistry {
 public:
  virtual ~CertificateRegistry() = default;

  /// The stores this registry works on, each with the provider's current state there (AlreadyPresent when it
  /// is registered, by anyone; NotPresent otherwise). Changes nothing; for the consent window and reports.
  virtual RegistryReport inspect(const KeyProvider& provider) = 0;

  /// Makes the card's certificates usable in every store. Idempotent; all or nothing (StoreError).
  virtual RegistryReport registerCertificates(const CardRegistration& registration) = 0;

  /// Removes what registerCertificates added; what others added stays. Idempotent; all or nothing.
  virtual RegistryReport unregisterCertificates(const CardRegistration& registration) = 0;
};

/// The registry of the platform the host was built for, reading the user's stores from the environment
/// (HOME, XDG_CONFIG_HOME on Linux). nullptr when no adapter is compiled in (the commands then answer
/// OS_STORE_NOT_SUPPORTED).
std::unique_ptr<CertificateRegistry> platformCertificateRegistry();

}  // namespace certbridge::host::os_store
