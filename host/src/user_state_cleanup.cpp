#include "user_state_cleanup.hpp"

#include <filesystem>
#include <string>
#include <system_error>

#include "certbridge/host/logging.hpp"
#include "platform/environment.hpp"

#if defined(CERTBRIDGE_OS_STORE_NSS)
#include "os_store/nss_certificate_registry.hpp"
#endif

namespace certbridge::host {
namespace fs = std::filesystem;
namespace {

// certbridge-host.log, or a rotated copy certbridge-host.<n>.log: the names the host's log sink writes.
bool isHostLogFile(const std::string& name) {
  const std::string stem = "certbridge-host.";
  const std::string suffix = "log";
  if (name.compare(0, stem.size(), stem) != 0 || name.size() < stem.size() + suffix.size()) return false;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  const std::string middle = name.substr(stem.size(), name.size() - stem.size() - suffix.size());
  if (middle.empty()) return true;
  if (middle.back() != '.' || middle.size() < 2) return false;
  for (std::size_t i = 0; i + 1 < middle.size(); ++i) {
    if (middle[i] < '0' || middle[i] > '9') return false;
  }
  return true;
}

bool removeLogs(std::ostream& out, std::ostream& err) {
  const auto folder = logDirectory();
  if (!folder) {
    out << "logs: no log folder can be named (no home directory)\n";
    return true;
  }
  const std::string shown = platform::pathToUtf8(*folder);
  std::error_code ec;
  if (!fs::is_directory(*folder, ec)) {
    out << "logs: none in " << shown << "\n";
    return true;
  }
  bool ok = true;
  int removed = 0;
  for (fs::directory_iterator it(*folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = platform::pathToUtf8(it->path().filename());
    std::error_code typeError;
    if (!isHostLogFile(name) || !it->is_regular_file(typeError)) continue;
    std::error_code removeError;
    if (fs::remove(it->path(), removeError)) {
      ++removed;
    } else if (removeError) {
      err << "logs: cannot remove " << platform::pathToUtf8(it->path()) << ": " << removeError.message() << "\n";
      ok = false;
    }
  }
  if (ec) {
    err << "logs: cannot list " << shown << ": " << ec.message() << "\n";
    return false;
  }
  out << "logs: removed " << removed << " file(s) from " << shown << "\n";
  // A folder the host made for itself goes when empty; one named by CERTBRIDGE_LOG_DIR is someone else's.
  if (!platform::environmentVariable("CERTBRIDGE_LOG_DIR") && fs::is_empty(*folder, ec) && fs::remove(*folder, ec)) {
    out << "logs: removed the empty folder " << shown << "\n";
  }
  return ok;
}

#if defined(CERTBRIDGE_OS_STORE_NSS)
bool removeNssRegistrations(std::ostream& out, std::ostream& err) {
  try {
    os_store::NssCertificateRegistry registry(os_store::NssLocations::fromEnvironment());
    const os_store::RegistryReport report = registry.unregisterEverything();
    for (const auto& store : report.stores) {
      out << "certificate store " << store.name << " (" << store.location << "): ";
      if (store.outcome == os_store::StoreOutcome::Removed) {
        out << "removed " << store.registeredAs << "\n";
      } else {
        out << "nothing of CertBridge's\n";
      }
    }
    return true;
  } catch (const os_store::StoreError& e) {
    err << "certificate store " << e.store() << " (" << e.location() << "): " << e.what()
        << " (nothing was removed from any store)\n";
  } catch (const std::exception& e) {
    err << "certificate stores: " << e.what() << "\n";
  }
  return false;
}
#endif

}  // namespace

bool removeUserState(std::ostream& out, std::ostream& err) {
  bool ok = true;
#if defined(CERTBRIDGE_OS_STORE_NSS)
  ok = removeNssRegistrations(out, err) && ok;
#endif
  ok = removeLogs(out, err) && ok;
  return ok;
}

}  // namespace certbridge::host
