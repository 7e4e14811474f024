#include "certificate_registry.hpp"

#if defined(CERTBRIDGE_OS_STORE_NSS)
#include "nss_certificate_registry.hpp"
#endif

namespace certbridge::host::os_store {

const char* toString(StoreOutcome outcome) noexcept {
  switch (outcome) {
    case StoreOutcome::Added:
      return "added";
    case StoreOutcome::AlreadyPresent:
      return "alreadyPresent";
    case StoreOutcome::Removed:
      return "removed";
    case StoreOutcome::NotPresent:
      return "notPresent";
    case StoreOutcome::LeftAlone:
      return "leftAlone";
  }
  return "notPresent";
}

// One adapter per platform, chosen at build time (host/CMakeLists.txt defines the CERTBRIDGE_OS_STORE_*
// macro of the adapter it compiles in). Platforms without one answer OS_STORE_NOT_SUPPORTED.
std::unique_ptr<CertificateRegistry> platformCertificateRegistry() {
#if defined(CERTBRIDGE_OS_STORE_NSS)
  return std::make_unique<NssCertificateRegistry>(NssLocations::fromEnvironment());
#else
  return nullptr;
#endif
}

}  // namespace certbridge::host::os_store
