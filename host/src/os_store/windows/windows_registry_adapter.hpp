#pragma once
// The Windows registry behind the platform-neutral interface (../certificate_registry.hpp): one store,
// CurrentUser\MY, reported as kind "windows-my". Certificates are registered one by one, each linked to its
// key on the card; which Windows key provider and key container that is cannot be derived from PKCS#11
// facts (minidriver containers have names of their own), so the card profile supplies it through a
// KeyLinkResolver. CA certificates and certificates without a key on the card are not registered: MY is
// for the user's own certificates, and trusting a CA is not ours to decide.

#include <functional>
#include <optional>

#include "../certificate_registry.hpp"
#include "windows_certificate_registry.hpp"

namespace certbridge::host::os_store::windows {

/// Where one certificate's key lives on Windows.
struct WindowsKeyLink {
  KeyProvider provider;
  std::string keyContainer;
  KeySpec keySpec = KeySpec::KeyExchange;
};

/// From the card profile: the key link of a certificate, or nullopt when the profile has no Windows key
/// provider for it (the certificate is then not registered).
using KeyLinkResolver =
    std::function<std::optional<WindowsKeyLink>(const os_store::KeyProvider&, const CardCertificateEntry&)>;

class WindowsRegistryAdapter final : public CertificateRegistry {
 public:
  explicit WindowsRegistryAdapter(KeyLinkResolver resolver) : resolver_(std::move(resolver)) {}

  /// AlreadyPresent when CertBridge has certificates registered in MY; registeredAs names their provider.
  RegistryReport inspect(const os_store::KeyProvider& provider) override;
  /// Added when at least one certificate was added; AlreadyPresent when all were there already.
  RegistryReport registerCertificates(const CardRegistration& registration) override;
  /// Removed when CertBridge's copies were removed; LeftAlone when only copies of others were there.
  RegistryReport unregisterCertificates(const CardRegistration& registration) override;

 private:
  KeyLinkResolver resolver_;
  WindowsCertificateRegistry store_;
};

}  // namespace certbridge::host::os_store::windows
