#include "nss_certificate_registry.hpp"

#include <cstdlib>
#include <functional>
#include <optional>
#include <system_error>

#include <spdlog/spdlog.h>

#include "firefox_profiles.hpp"
#include "nss_database.hpp"
#include "nss_tool.hpp"

namespace certbridge::host::os_store {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSharedKind = "nss-shared";
constexpr const char* kFirefoxKind = "firefox";

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

/// CertBridge's own entries for provider: its name, or our prefix on the same library.
bool isOurs(const NssModule& module, const KeyProvider& provider) {
  return module.name == moduleNameFor(provider) ||
         (startsWith(module.name, kModuleNamePrefix) && sameLibrary(module.library, provider.modulePath));
}

/// The steps a call has done so far, undone in reverse order when a later step fails: the store ends as it was.
class Undo {
 public:
  void add(std::string what, std::function<void()> step) { steps_.push_back({std::move(what), std::move(step)}); }
  void run() noexcept {
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      try {
        it->second();
        spdlog::info("os store: undone: {}", it->first);
      } catch (const std::exception& e) {
        spdlog::error("os store: could not undo {}: {}", it->first, e.what());
      }
    }
    steps_.clear();
  }

 private:
  std::vector<std::pair<std::string, std::function<void()>>> steps_;
};

void requireTools(const std::string& store, const std::string& location) {
  for (const char* tool : {"modutil", "certutil"}) {
    if (!toolAvailable(tool)) {
      throw StoreError(store, location, std::string(tool) + " was not found: install the NSS tools (libnss3-tools)");
    }
  }
}

// Removes modules from one store (each removal undoable) and says so in the store's report: outcome Removed,
// registeredAs the names removed.
void removeModules(const NssDatabase& database, const std::vector<NssModule>& modules, StoreReport& entry, Undo& undo) {
  if (modules.empty()) return;
  requireTools(entry.name, entry.location);
  for (const auto& module : modules) {
    database.deleteModule(module.name);
    undo.add("removed " + module.name + " from " + database.spec(),
             [database, module] { database.addModule(module.name, module.library); });
    spdlog::info("os store: removed module '{}' from {}", module.name, database.spec());
    entry.outcome = StoreOutcome::Removed;
    entry.registeredAs += (entry.registeredAs.empty() ? "" : ", ") + module.name;
  }
}

// Does one store's part of a change (register or unregister). A failure undoes every step the call has done,
// in every store so far, and is reported as this store's.
template <typename Step>
void changeStore(const char* change, const std::string& storeName, const StoreReport& entry, Undo& undo, Step&& step) {
  try {
    step();
  } catch (const StoreError&) {
    undo.run();
    throw;
  } catch (const std::exception& e) {
    spdlog::error("os store: {} in {} ({}) failed: {}", change, storeName, entry.location, e.what());
    undo.run();
    throw StoreError(storeName, entry.location, e.what());
  }
}

}  // namespace

NssLocations NssLocations::fromEnvironment() {
  NssLocations locations;
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') locations.home = home;
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && config[0] == '/') {
    locations.xdgConfigHome = config;
  }
  return locations;
}

std::string moduleNameFor(const KeyProvider& provider) {
  return kModuleNamePrefix + (provider.displayName.empty() ? provider.profileId : provider.displayName);
}

StoreReport NssCertificateRegistry::reportFor(const Store& store) {
  StoreReport report;
  report.kind = store.kind;
  report.name = store.name;
  report.location = store.directory.string();
  return report;
}

std::vector<NssCertificateRegistry::Store> NssCertificateRegistry::stores() const {
  if (locations_.home.empty())
    throw StoreError("home", "", "HOME is not set: the user's NSS databases cannot be found");
  std::vector<Store> list;
  list.push_back({kSharedKind, "Chrome / Chromium", locations_.home / ".pki" / "nssdb"});
  for (const auto& profile : findFirefoxProfiles(locations_.home, locations_.xdgConfigHome)) {
    list.push_back({kFirefoxKind, "Firefox profile " + profile.name, profile.directory});
  }
  return list;
}

RegistryReport NssCertificateRegistry::inspect(const KeyProvider& provider) {
  RegistryReport report;
  for (const Store& store : stores()) {
    StoreReport entry = reportFor(store);
    const NssDatabase database(store.directory);
    if (database.exists()) {
      try {
        for (const auto& module : database.modules()) {
          if (isOurs(module, provider) || sameLibrary(module.library, provider.modulePath)) {
            entry.outcome = StoreOutcome::AlreadyPresent;
            entry.registeredAs = module.name;
            break;
          }
        }
      } catch (const std::exception& e) {
        throw StoreError(store.name, entry.location, e.what());
      }
    }
    report.stores.push_back(std::move(entry));
  }
  return report;
}

RegistryReport NssCertificateRegistry::registerCertificates(const CardRegistration& registration) {
  const KeyProvider& provider = registration.provider;
  const std::string ourName = moduleNameFor(provider);
  const auto list = stores();
  RegistryReport report;
  Undo undo;
  for (const Store& store : list) {
    StoreReport entry = reportFor(store);
    changeStore("register", store.name, entry, undo, [&] {
      requireTools(store.name, entry.location);
      const NssDatabase database(store.directory);
      if (!database.exists()) {
        const fs::path createdFrom = database.firstMissingDirectory();
        database.create();
        entry.created = true;
        undo.add("created database " + database.spec(),
                 [database, createdFrom] { database.removeCreated(createdFrom); });
        spdlog::info("os store: created NSS database {}", database.spec());
      }
      std::optional<NssModule> ours;
      std::optional<NssModule> others;
      for (const auto& module : database.modules()) {
        if (isOurs(module, provider)) {
          ours = module;
        } else if (!others && sameLibrary(module.library, provider.modulePath)) {
          others = module;
        }
      }
      if (ours && sameLibrary(ours->library, provider.modulePath)) {
        entry.outcome = StoreOutcome::AlreadyPresent;
        entry.registeredAs = ours->name;
      } else if (others && !ours) {
        // Registered by the user or another tool: a second entry would load the module twice.
        entry.outcome = StoreOutcome::AlreadyPresent;
        entry.registeredAs = others->name;
      } else {
        if (ours) {
          // Our entry, for a module the card profile no longer names: replace it.
          database.deleteModule(ours->name);
          undo.add("removed " + ours->name + " from " + database.spec(),
                   [database, old = *ours] { database.addModule(old.name, old.library); });
        }
        if (others) {
          // ... by nothing: someone else's entry already loads the profile's module.
          entry.outcome = StoreOutcome::AlreadyPresent;
          entry.registeredAs = others->name;
          return;
        }
        database.addModule(ourName, provider.modulePath);
        undo.add("added " + ourName + " to " + database.spec(),
                 [database, ourName] { database.deleteModule(ourName); });
        bool listed = false;
        for (const auto& module : database.modules()) listed = listed || module.name == ourName;
        if (!listed) throw std::runtime_error("modutil reported success, but the module is not listed");
        entry.outcome = StoreOutcome::Added;
        entry.registeredAs = ourName;
        spdlog::info("os store: added module '{}' ({}) to {}", ourName, provider.modulePath, database.spec());
      }
    });
    report.stores.push_back(std::move(entry));
  }
  return report;
}

RegistryReport NssCertificateRegistry::unregisterCertificates(const CardRegistration& registration) {
  const KeyProvider& provider = registration.provider;
  const auto list = stores();
  RegistryReport report;
  Undo undo;
  for (const Store& store : list) {
    StoreReport entry = reportFor(store);
    changeStore("unregister", store.name, entry, undo, [&] {
      const NssDatabase database(store.directory);
      if (!database.exists()) return;  // NotPresent: nothing to undo, and nothing is created
      std::vector<NssModule> ours;
      std::optional<NssModule> others;
      for (const auto& module : database.modules()) {
        if (isOurs(module, provider)) {
          ours.push_back(module);
        } else if (!others && sameLibrary(module.library, provider.modulePath)) {
          others = module;
        }
      }
      removeModules(database, ours, entry, undo);
      if (ours.empty() && others) {
        entry.outcome = StoreOutcome::LeftAlone;
        entry.registeredAs = others->name;
      }
    });
    report.stores.push_back(std::move(entry));
  }
  return report;
}

RegistryReport NssCertificateRegistry::unregisterEverything() {
  const auto list = stores();
  RegistryReport report;
  Undo undo;
  for (const Store& store : list) {
    StoreReport entry = reportFor(store);
    changeStore("remove every registration", store.name, entry, undo, [&] {
      const NssDatabase database(store.directory);
      if (!database.exists()) return;
      std::vector<NssModule> ours;
      for (const auto& module : database.modules()) {
        if (startsWith(module.name, kModuleNamePrefix)) ours.push_back(module);
      }
      removeModules(database, ours, entry, undo);
    });
    report.stores.push_back(std::move(entry));
  }
  return report;
}

}  // namespace certbridge::host::os_store
