#include "certificate_registry.hpp"

#include <optional>
#include <span>
#include <string_view>

#if defined(CERTBRIDGE_OS_STORE_NSS)
#include "nss_certificate_registry.hpp"
#elif defined(CERTBRIDGE_OS_STORE_WINDOWS)
#include "windows/windows_registry_adapter.hpp"
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

#if defined(CERTBRIDGE_OS_STORE_WINDOWS)
namespace {

std::string lowercaseHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0x0F]);
  }
  return text;
}

void replaceAll(std::string& text, std::string_view placeholder, const std::string& value) {
  for (std::size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
}

// The card profile's "windows" section applied to one certificate: its key's container on the card.
std::optional<windows::WindowsKeyLink> keyLinkFromProfile(const KeyProvider& provider,
                                                          const CardCertificateEntry& certificate) {
  if (provider.windowsProvider.empty() || certificate.keyId.empty()) return std::nullopt;
  windows::WindowsKeyLink link;
  link.provider.name = provider.windowsProvider;
  link.provider.type = provider.windowsProviderType;
  link.keyContainer = provider.windowsContainer;
  replaceAll(link.keyContainer, "{keyId}", lowercaseHex(certificate.keyId));
  replaceAll(link.keyContainer, "{tokenSerial}", certificate.tokenSerial);
  replaceAll(link.keyContainer, "{tokenLabel}", certificate.tokenLabel);
  link.keySpec = static_cast<windows::KeySpec>(provider.windowsKeySpec);
  return link;
}

}  // namespace
#endif

// One adapter per platform, chosen at build time (host/CMakeLists.txt defines the CERTBRIDGE_OS_STORE_*
// macro of the adapter it compiles in). Platforms without one answer OS_STORE_NOT_SUPPORTED.
std::unique_ptr<CertificateRegistry> platformCertificateRegistry() {
#if defined(CERTBRIDGE_OS_STORE_NSS)
  return std::make_unique<NssCertificateRegistry>(NssLocations::fromEnvironment());
#elif defined(CERTBRIDGE_OS_STORE_WINDOWS)
  return std::make_unique<windows::WindowsRegistryAdapter>(keyLinkFromProfile);
#else
  return nullptr;
#endif
}

}  // namespace certbridge::host::os_store
