#pragma once
// The Linux adapter of certificate_registry.hpp: NSS, the certificate store of Chrome, Chromium and
// Firefox on Linux (there is no OS-wide store that browsers read client certificates and keys from).
// Registering adds the card's PKCS#11 module to the user's shared NSS database (~/.pki/nssdb, created when
// missing, as Chrome would) and to every Firefox profile's database; NSS then shows every certificate on the
// card with its key on the card (certutil -L -h all), and nothing is copied off the card.
//
// "Exactly what register added": CertBridge's entries are named "CertBridge: <card profile name>" and load
// the card profile's module; a module for the same library under any other name is the user's or another
// tool's, and is neither duplicated nor removed. Browsers already running load the module at their next start.

#include <filesystem>
#include <string>
#include <vector>

#include "certificate_registry.hpp"

namespace certbridge::host::os_store {

/// Where the stores are: the user's home (for ~/.pki/nssdb and the Firefox profiles) and XDG_CONFIG_HOME.
struct NssLocations {
  std::filesystem::path home;
  std::filesystem::path xdgConfigHome;  ///< Empty: ~/.config.

  /// From HOME and XDG_CONFIG_HOME; home empty when HOME is not set or not absolute.
  static NssLocations fromEnvironment();
};

/// The prefix of every module name CertBridge registers; what unregister recognises as its own.
inline constexpr const char* kModuleNamePrefix = "CertBridge: ";

/// The module name CertBridge registers provider under.
std::string moduleNameFor(const KeyProvider& provider);

class NssCertificateRegistry final : public CertificateRegistry {
 public:
  explicit NssCertificateRegistry(NssLocations locations) : locations_(std::move(locations)) {}

  RegistryReport inspect(const KeyProvider& provider) override;
  RegistryReport registerCertificates(const CardRegistration& registration) override;
  RegistryReport unregisterCertificates(const CardRegistration& registration) override;

  /// Removes every module CertBridge registered (named kModuleNamePrefix...), whatever card profile it
  /// came from, from every store: the per-user clean-up of `certbridge-host uninstall --user`. The databases,
  /// the user's own modules, keys and certificates stay. All or nothing, like unregisterCertificates.
  RegistryReport unregisterEverything();

 private:
  struct Store {
    std::string kind;
    std::string name;
    std::filesystem::path directory;
  };
  /// Chrome's shared database first, then each Firefox profile's.
  std::vector<Store> stores() const;
  /// A report for store, outcome NotPresent until a step says otherwise.
  static StoreReport reportFor(const Store& store);

  NssLocations locations_;
};

}  // namespace certbridge::host::os_store
