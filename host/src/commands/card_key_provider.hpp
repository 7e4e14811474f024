#pragma once
// The card's key provider as the certificate stores know it, from its card profile: one place for the
// register / unregister commands and the environment report's registration check.

#include "certbridge/card/card_profile.hpp"
#include "os_store/certificate_registry.hpp"

namespace certbridge::host::commands {

/// The profile's module and name, and its Windows key provider when it has one.
inline os_store::KeyProvider keyProviderFor(const card::CardProfile& profile) {
  os_store::KeyProvider provider{profile.id, profile.displayName, profile.modulePath};
  if (profile.windows) {
    provider.windowsProvider = profile.windows->provider;
    provider.windowsProviderType = profile.windows->providerType;
    provider.windowsContainer = profile.windows->container;
    provider.windowsKeySpec = profile.windows->keySpec;
  }
  return provider;
}

}  // namespace certbridge::host::commands
