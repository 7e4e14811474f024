#include "windows_registry_adapter.hpp"

#include <algorithm>
#include <utility>

namespace certbridge::host::os_store::windows {
namespace {

constexpr const char* kStoreKind = "windows-my";
constexpr const char* kStoreName = "Windows (CurrentUser\\MY)";
constexpr const char* kStoreLocation = "HKCU\\Software\\Microsoft\\SystemCertificates\\MY";

StoreReport newStoreReport() {
  StoreReport report;
  report.kind = kStoreKind;
  report.name = kStoreName;
  report.location = kStoreLocation;
  return report;
}

StoreError storeError(const WindowsStoreError& error) {
  return StoreError(kStoreName, kStoreLocation, error.what());
}

bool sameProvider(const KeyProvider& a, const KeyProvider& b) {
  return a.name == b.name && a.type == b.type && a.flags == b.flags;
}

// The certificates to register, grouped by key provider (one group for nearly every card).
struct ProviderGroup {
  KeyProvider provider;
  std::vector<CardCertificate> certificates;
};

std::vector<ProviderGroup> groupByProvider(const KeyLinkResolver& resolver, const CardRegistration& registration) {
  std::vector<ProviderGroup> groups;
  for (const CardCertificateEntry& entry : registration.certificates) {
    if (entry.isCa || entry.keyId.empty()) continue;
    std::optional<WindowsKeyLink> link = resolver(registration.provider, entry);
    if (!link) continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const ProviderGroup& candidate) {
      return sameProvider(candidate.provider, link->provider);
    });
    if (group == groups.end()) group = groups.insert(groups.end(), ProviderGroup{link->provider, {}});
    group->certificates.push_back(CardCertificate{entry.der, link->keyContainer, link->keySpec,
                                                  entry.subject.empty() ? entry.id : entry.subject});
  }
  return groups;
}

}  // namespace

RegistryReport WindowsRegistryAdapter::inspect(const os_store::KeyProvider&) {
  StoreReport report = newStoreReport();
  try {
    for (const StoredCertificate& certificate : store_.listRegisteredCertificates()) {
      report.outcome = StoreOutcome::AlreadyPresent;
      if (certificate.keyLink) report.registeredAs = certificate.keyLink->providerName;
    }
  } catch (const WindowsStoreError& error) {
    throw storeError(error);
  }
  return RegistryReport{{report}};
}

RegistryReport WindowsRegistryAdapter::registerCertificates(const CardRegistration& registration) {
  StoreReport report = newStoreReport();
  const std::vector<ProviderGroup> groups = groupByProvider(resolver_, registration);
  // Nothing the profile links to a Windows key: the store is left as it is and says so.
  if (!groups.empty()) report.outcome = StoreOutcome::AlreadyPresent;
  std::vector<std::vector<std::uint8_t>> addedByThisCall;
  try {
    for (const ProviderGroup& group : groups) {
      // One result per certificate, in order; a failing group has already taken back its own additions.
      const std::vector<RegistrationResult> results = store_.registerCertificates(group.provider, group.certificates);
      report.registeredAs = group.provider.name;
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].outcome != RegistrationOutcome::Added) continue;
        report.outcome = StoreOutcome::Added;
        addedByThisCall.push_back(group.certificates[i].der);
      }
    }
  } catch (const WindowsStoreError& error) {
    // All or nothing across provider groups too: an earlier group's additions are taken back.
    try {
      store_.unregisterCertificates(addedByThisCall);
    } catch (const WindowsStoreError&) {
      // Keep the first error; what is left carries our marker, so the next unregister removes it.
    }
    throw storeError(error);
  }
  return RegistryReport{{report}};
}

RegistryReport WindowsRegistryAdapter::unregisterCertificates(const CardRegistration& registration) {
  StoreReport report = newStoreReport();
  std::vector<std::vector<std::uint8_t>> ders;
  for (const CardCertificateEntry& entry : registration.certificates) ders.push_back(entry.der);
  try {
    const std::vector<StoredCertificate> removed = store_.unregisterCertificates(ders);
    if (!removed.empty()) {
      report.outcome = StoreOutcome::Removed;
      if (removed.front().keyLink) report.registeredAs = removed.front().keyLink->providerName;
    } else if (std::any_of(ders.begin(), ders.end(), [&](const auto& der) { return store_.find(der).has_value(); })) {
      report.outcome = StoreOutcome::LeftAlone;
    }
  } catch (const WindowsStoreError& error) {
    throw storeError(error);
  }
  return RegistryReport{{report}};
}

}  // namespace certbridge::host::os_store::windows
