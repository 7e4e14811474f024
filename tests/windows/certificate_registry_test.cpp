// The Windows certificate-registration adapter, run under wine by run_windows_tests.sh, one phase per
// process so each "after" phase sees the store as a new process (a browser starting) would:
//   certificate_registry_test.exe PHASE DIR
// DIR holds the test certificates the script made with OpenSSL (card-a to card-d, user-own: .der,
// and their .sha1 / .sha256 thumbprints from coreutils, not from Windows code). The phases, in order:
//   user-setup          rejected inputs change nothing; the user imports user-own and card-c themselves
//   register            card-a, card-b, card-c registered for the smart card KSP
//   verify-registered   in a new process: linked to the provider, seen through the system store browsers
//                       open, one copy each; registering again adds nothing
//   unregister          removes card-a and card-b only
//   verify-unregistered in a new process: card-a and card-b gone, the user's certificates untouched;
//                       unregistering again succeeds and removes nothing
//   shared-interface    the same through the platform-neutral CertificateRegistry the host uses

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// After windows.h, which it needs.
#include <wincrypt.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "test_harness.hpp"
#include "windows_certificate_registry.hpp"
#include "windows_registry_adapter.hpp"

namespace {

using certbridge::host::os_store::windows::CardCertificate;
using certbridge::host::os_store::windows::KeyProvider;
using certbridge::host::os_store::windows::KeySpec;
using certbridge::host::os_store::windows::RegistrationOutcome;
using certbridge::host::os_store::windows::RegistrationResult;
using certbridge::host::os_store::windows::StoredCertificate;
using certbridge::host::os_store::windows::WindowsCertificateRegistry;
using certbridge::host::os_store::windows::WindowsStoreError;
using Bytes = std::vector<std::uint8_t>;

constexpr DWORD kEncoding = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;
const std::string kCardProvider = "Microsoft Smart Card Key Storage Provider";
const std::string kContainerA = "\\\\.\\Virtual PCD 0\\CertBridge Authentication";
const std::string kContainerB = "CertBridge Signature";
const std::string kFriendlyA = "王小明 (CertBridge 測試卡)";  // Non-ASCII: the label survives as UTF-16.
// How the user's own copies are linked: a software key, which unregistering must leave as it is.
const wchar_t* const kUserProvider = L"Microsoft Software Key Storage Provider";
const wchar_t* const kUserContainer = L"user-imported-key";

struct TestCertificate {
  Bytes der;
  std::string sha1, sha256;
};

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

TestCertificate loadCertificate(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "\\" + name + ".der", std::ios::binary);
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {bytes, readText(dir + "\\" + name + ".sha1"), readText(dir + "\\" + name + ".sha256")};
}

// --- Test-side views of the store, through crypt32 directly rather than the adapter ------------------------

// What browsers and Windows open: the system store provider for CurrentUser\MY.
HCERTSTORE openSystemPersonalStore() {
  return CertOpenSystemStoreW(0, L"MY");
}

int copiesInStore(const Bytes& der) {
  HCERTSTORE store = openSystemPersonalStore();
  if (store == nullptr) return -1;
  int copies = 0;
  PCCERT_CONTEXT context = nullptr;
  while ((context = CertEnumCertificatesInStore(store, context)) != nullptr) {
    if (context->cbCertEncoded == der.size() && std::equal(der.begin(), der.end(), context->pbCertEncoded)) ++copies;
  }
  CertCloseStore(store, 0);
  return copies;
}

struct SystemStoreKeyLink {
  std::wstring provider, container;
  DWORD providerType = 0, keySpec = 0;
};

// The key link of der as a new process sees it through the system store; nullopt when der or its link is missing.
std::optional<SystemStoreKeyLink> keyLinkInSystemStore(const Bytes& der) {
  HCERTSTORE store = openSystemPersonalStore();
  if (store == nullptr) return std::nullopt;
  std::optional<SystemStoreKeyLink> link;
  PCCERT_CONTEXT wanted = CertCreateCertificateContext(kEncoding, der.data(), static_cast<DWORD>(der.size()));
  PCCERT_CONTEXT found =
      wanted ? CertFindCertificateInStore(store, kEncoding, 0, CERT_FIND_EXISTING, wanted, nullptr) : nullptr;
  DWORD size = 0;
  if (found && CertGetCertificateContextProperty(found, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size)) {
    std::vector<std::uint64_t> buffer(size / sizeof(std::uint64_t) + 1);
    if (CertGetCertificateContextProperty(found, CERT_KEY_PROV_INFO_PROP_ID, buffer.data(), &size)) {
      const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buffer.data());
      link = SystemStoreKeyLink{info->pwszProvName ? info->pwszProvName : L"",
                                info->pwszContainerName ? info->pwszContainerName : L"", info->dwProvType,
                                info->dwKeySpec};
    }
  }
  if (found) CertFreeCertificateContext(found);
  if (wanted) CertFreeCertificateContext(wanted);
  CertCloseStore(store, 0);
  return link;
}

// The user imports a certificate with a key of their own, as certmgr or a PFX import would: straight into
// the registry-backed CurrentUser\MY, with no CertBridge marker.
bool importAsUser(const Bytes& der) {
  HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
  if (store == nullptr) return false;
  PCCERT_CONTEXT added = nullptr;
  bool ok = CertAddEncodedCertificateToStore(store, kEncoding, der.data(), static_cast<DWORD>(der.size()),
                                             CERT_STORE_ADD_NEW, &added);
  if (ok) {
    CRYPT_KEY_PROV_INFO info{};
    info.pwszProvName = const_cast<LPWSTR>(kUserProvider);
    info.pwszContainerName = const_cast<LPWSTR>(kUserContainer);
    info.dwKeySpec = AT_KEYEXCHANGE;
    ok = CertSetCertificateContextProperty(added, CERT_KEY_PROV_INFO_PROP_ID, 0, &info);
    CertFreeCertificateContext(added);
  }
  CertCloseStore(store, 0);
  return ok;
}

bool isUsersUntouchedCopy(const Bytes& der) {
  std::optional<SystemStoreKeyLink> link = keyLinkInSystemStore(der);
  return copiesInStore(der) == 1 && link && link->provider == kUserProvider && link->container == kUserContainer;
}

// --- Expectations on the adapter's answers ------------------------------------------------------------------

bool linkedToCard(const StoredCertificate& stored, const std::string& container, KeySpec keySpec) {
  return stored.keyLink && stored.keyLink->providerName == kCardProvider && stored.keyLink->providerType == 0 &&
         stored.keyLink->keyContainer == container && stored.keyLink->keySpec == static_cast<std::uint32_t>(keySpec) &&
         stored.keyLink->flags == 0;
}

bool sameThumbprints(const StoredCertificate& stored, const TestCertificate& certificate) {
  return stored.sha1Thumbprint == certificate.sha1 && stored.sha256Thumbprint == certificate.sha256;
}

bool hasOnly(const std::vector<StoredCertificate>& list, const std::vector<const TestCertificate*>& expected) {
  if (list.size() != expected.size()) return false;
  return std::all_of(expected.begin(), expected.end(), [&](const TestCertificate* certificate) {
    return std::any_of(list.begin(), list.end(),
                       [&](const StoredCertificate& stored) { return sameThumbprints(stored, *certificate); });
  });
}

struct Fixture {
  TestCertificate cardA, cardB, cardC, cardD, userOwn;
  KeyProvider provider{kCardProvider, 0, 0};
  std::vector<CardCertificate> cardCertificates() const {
    return {{cardA.der, kContainerA, KeySpec::KeyExchange, kFriendlyA},
            {cardB.der, kContainerB, KeySpec::Signature, ""},
            {cardC.der, "CertBridge Old Key", KeySpec::KeyExchange, "card C"}};
  }
};

bool isInvalidInput(const WindowsStoreError& error) {
  return error.kind() == WindowsStoreError::Kind::InvalidInput;
}

void userSetup(certbridge::test::Harness& t, const Fixture& f) {
  WindowsCertificateRegistry registry;
  t.check(registry.listRegisteredCertificates().empty(), "a new profile has no CertBridge certificates");

  auto rejects = [&](KeyProvider provider, std::vector<CardCertificate> certificates, const std::string& what) {
    t.checkThrows<WindowsStoreError>([&] { registry.registerCertificates(provider, certificates); }, isInvalidInput,
                                     what);
  };
  const CardCertificate goodA{f.cardA.der, kContainerA, KeySpec::KeyExchange, ""};
  rejects(f.provider, {goodA, {Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, "c", KeySpec::KeyExchange, ""}},
          "a certificate that is not DER X.509 is rejected (after a good one)");
  rejects(f.provider, {{Bytes{}, "c", KeySpec::KeyExchange, ""}}, "an empty certificate is rejected");
  rejects({"", 0, 0}, {goodA}, "an empty provider name is rejected");
  rejects({std::string(257, 'p'), 0, 0}, {goodA}, "a provider name over 256 characters is rejected");
  rejects({kCardProvider, 0, 0x1}, {goodA}, "unknown key provider flags are rejected");
  rejects({"Microsoft Base Smart Card Crypto Provider", 1, 0}, {{f.cardA.der, kContainerA, KeySpec::None, ""}},
          "a CryptoAPI CSP without a key spec is rejected");
  rejects(f.provider, {{f.cardA.der, "", KeySpec::KeyExchange, ""}}, "an empty key container name is rejected");
  rejects(f.provider, {{f.cardA.der, std::string("bad\xff\xfe utf-8"), KeySpec::KeyExchange, ""}},
          "a container name that is not UTF-8 is rejected");
  rejects(f.provider, {{f.cardA.der, std::string("nul\0inside", 10), KeySpec::KeyExchange, ""}},
          "a container name with a NUL is rejected");
  t.checkThrows<WindowsStoreError>(
      [&] {
        registry.unregisterCertificates(std::vector<Bytes>{Bytes{1, 2, 3}});
      },
      isInvalidInput, "unregistering a non-certificate is rejected");
  t.check(copiesInStore(f.cardA.der) == 0 && registry.listRegisteredCertificates().empty(),
          "rejected calls left the store as it was (card A not added before the bad certificate)");

  t.check(importAsUser(f.userOwn.der), "the user imports a certificate of their own");
  t.check(importAsUser(f.cardC.der), "the user imports card C's certificate with a software key");
}

void registerPhase(certbridge::test::Harness& t, const Fixture& f) {
  WindowsCertificateRegistry registry;
  const std::vector<CardCertificate> certificates = f.cardCertificates();
  std::vector<RegistrationResult> results = registry.registerCertificates(f.provider, certificates);
  if (!t.check(results.size() == 3, "register answers once per certificate")) return;
  t.check(results[0].outcome == RegistrationOutcome::Added && results[1].outcome == RegistrationOutcome::Added,
          "card A and card B are added");
  t.check(results[2].outcome == RegistrationOutcome::PresentWithoutCertBridge,
          "card C, which the user had imported, is reported as present without CertBridge");
  t.check(sameThumbprints(results[0].certificate, f.cardA) && sameThumbprints(results[1].certificate, f.cardB),
          "thumbprints match OpenSSL's SHA-1 and SHA-256");
  t.check(linkedToCard(results[0].certificate, kContainerA, KeySpec::KeyExchange) &&
              results[0].certificate.friendlyName == kFriendlyA && results[0].certificate.registeredByCertBridge,
          "card A is linked to the card's key container, named and marked");
  t.check(!results[2].certificate.registeredByCertBridge && results[2].certificate.keyLink &&
              results[2].certificate.keyLink->keyContainer == "user-imported-key",
          "the user's copy of card C keeps its own key link");
}

void verifyRegistered(certbridge::test::Harness& t, const Fixture& f) {
  WindowsCertificateRegistry registry;
  std::optional<StoredCertificate> a = registry.find(f.cardA.der);
  std::optional<StoredCertificate> b = registry.find(f.cardB.der);
  t.check(a && linkedToCard(*a, kContainerA, KeySpec::KeyExchange) && a->friendlyName == kFriendlyA &&
              a->registeredByCertBridge,
          "in a new process card A is in CurrentUser\\MY, linked to the smart card KSP and its container");
  t.check(
      b && linkedToCard(*b, kContainerB, KeySpec::Signature) && b->friendlyName.empty() && b->registeredByCertBridge,
      "in a new process card B is there with the signature key spec and no friendly name");
  std::optional<SystemStoreKeyLink> seen = keyLinkInSystemStore(f.cardA.der);
  t.check(seen && seen->provider == L"Microsoft Smart Card Key Storage Provider" && seen->providerType == 0 &&
              seen->keySpec == AT_KEYEXCHANGE,
          "the system store browsers open shows card A with the key provider link");
  t.check(hasOnly(registry.listRegisteredCertificates(), {&f.cardA, &f.cardB}),
          "CertBridge lists exactly card A and card B as registered");
  t.check(isUsersUntouchedCopy(f.cardC.der) && isUsersUntouchedCopy(f.userOwn.der),
          "the user's certificates are there once, with their own key link");

  std::vector<RegistrationResult> again = registry.registerCertificates(f.provider, f.cardCertificates());
  t.check(again.size() == 3 && again[0].outcome == RegistrationOutcome::AlreadyRegistered &&
              again[1].outcome == RegistrationOutcome::AlreadyRegistered &&
              again[2].outcome == RegistrationOutcome::PresentWithoutCertBridge,
          "registering again adds nothing");
  t.check(copiesInStore(f.cardA.der) == 1 && copiesInStore(f.cardB.der) == 1 && copiesInStore(f.cardC.der) == 1,
          "each certificate is in the store once");
  const std::vector<CardCertificate> twice{{f.cardA.der, kContainerA, KeySpec::KeyExchange, kFriendlyA},
                                           {f.cardA.der, kContainerA, KeySpec::KeyExchange, kFriendlyA}};
  std::vector<RegistrationResult> duplicate = registry.registerCertificates(f.provider, twice);
  t.check(duplicate.size() == 2 && copiesInStore(f.cardA.der) == 1, "a certificate given twice is stored once");
}

void unregisterPhase(certbridge::test::Harness& t, const Fixture& f) {
  WindowsCertificateRegistry registry;
  // The card's list as the caller has it, plus the user's own certificate: only card A is CertBridge's.
  std::vector<StoredCertificate> removed =
      registry.unregisterCertificates(std::vector<Bytes>{f.cardA.der, f.cardC.der, f.userOwn.der});
  t.check(hasOnly(removed, {&f.cardA}), "unregistering card A, card C and the user's certificate removes card A only");
  t.check(hasOnly(registry.listRegisteredCertificates(), {&f.cardB}), "card B is still registered");
  t.check(hasOnly(registry.unregisterAllCertificates(), {&f.cardB}), "unregistering everything removes card B");
  t.check(copiesInStore(f.cardA.der) == 0 && copiesInStore(f.cardB.der) == 0, "card A and card B are gone");
  t.check(isUsersUntouchedCopy(f.cardC.der) && isUsersUntouchedCopy(f.userOwn.der),
          "the user's certificates are untouched");
}

void verifyUnregistered(certbridge::test::Harness& t, const Fixture& f) {
  WindowsCertificateRegistry registry;
  t.check(!registry.find(f.cardA.der) && !registry.find(f.cardB.der),
          "in a new process card A and card B are not in CurrentUser\\MY");
  t.check(copiesInStore(f.cardA.der) == 0 && copiesInStore(f.cardB.der) == 0,
          "the system store browsers open does not show them either");
  t.check(registry.listRegisteredCertificates().empty(), "CertBridge lists nothing as registered");
  t.check(isUsersUntouchedCopy(f.cardC.der) && isUsersUntouchedCopy(f.userOwn.der),
          "the user's certificates are still there with their own key link");
  t.check(registry.unregisterAllCertificates().empty() &&
              registry.unregisterCertificates(std::vector<Bytes>{f.cardA.der, f.cardB.der}).empty(),
          "unregistering again succeeds and removes nothing");
  t.check(isUsersUntouchedCopy(f.cardC.der) && isUsersUntouchedCopy(f.userOwn.der),
          "unregistering again leaves the user's certificates");
}

// The same store through the platform-neutral interface the host's commands use.
void sharedInterface(certbridge::test::Harness& t, const Fixture& f) {
  namespace os_store = certbridge::host::os_store;
  using os_store::CardCertificateEntry, os_store::CardRegistration, os_store::RegistryReport, os_store::StoreOutcome,
      os_store::StoreReport;
  os_store::windows::WindowsRegistryAdapter registry(
      [](const os_store::KeyProvider&, const CardCertificateEntry& entry) {
        // As a card profile would: the smart card KSP, containers named after the key's CKA_ID.
        return std::optional<os_store::windows::WindowsKeyLink>(os_store::windows::WindowsKeyLink{
            {kCardProvider, 0, 0}, "CertBridge " + std::to_string(entry.keyId.at(0)), KeySpec::KeyExchange});
      });
  const os_store::KeyProvider profile{"certbridge-virtual", "CertBridge virtual card",
                                      "/usr/lib/softhsm/libsofthsm2.so"};
  CardRegistration registration{
      profile,
      {{f.cardA.sha256, "CN=CertBridge test card-a", f.cardA.der, {1}, "token", "1", false},
       {f.cardB.sha256, "CN=CertBridge test card-b", f.cardB.der, {}, "token", "1", false},
       {f.cardD.sha256, "CN=CertBridge test card-d", f.cardD.der, {4}, "token", "1", true},
       {f.userOwn.sha256, "CN=CertBridge test user-own", f.userOwn.der, {5}, "token", "1", false}}};
  auto onlyStore = [](const RegistryReport& report) {
    return report.stores.size() == 1 ? report.stores[0] : StoreReport{};
  };

  t.check(onlyStore(registry.inspect(profile)).outcome == StoreOutcome::NotPresent,
          "the interface reports CertBridge not present in windows-my");
  StoreReport added = onlyStore(registry.registerCertificates(registration));
  t.check(added.kind == "windows-my" && added.outcome == StoreOutcome::Added && added.registeredAs == kCardProvider,
          "register through the interface adds to windows-my under the card's key provider");
  std::optional<SystemStoreKeyLink> link = keyLinkInSystemStore(f.cardA.der);
  t.check(link && link->container == L"CertBridge 1", "card A is linked to the container the profile named");
  t.check(copiesInStore(f.cardB.der) == 0, "a certificate without a key on the card is not registered");
  t.check(copiesInStore(f.cardD.der) == 0, "a CA certificate of the card is not put into MY");
  t.check(isUsersUntouchedCopy(f.userOwn.der), "the user's copy of a card certificate keeps its own key link");
  t.check(onlyStore(registry.inspect(profile)).outcome == StoreOutcome::AlreadyPresent,
          "the interface then reports CertBridge present");
  t.check(onlyStore(registry.registerCertificates(registration)).outcome == StoreOutcome::AlreadyPresent,
          "register again through the interface: already present");
  t.check(onlyStore(registry.unregisterCertificates(registration)).outcome == StoreOutcome::Removed &&
              copiesInStore(f.cardA.der) == 0,
          "unregister through the interface removes card A");
  t.check(onlyStore(registry.unregisterCertificates(registration)).outcome == StoreOutcome::LeftAlone &&
              isUsersUntouchedCopy(f.userOwn.der),
          "unregister again: the user's certificate in the list is left alone");
  CardRegistration cardOnly{profile, {registration.certificates[0]}};
  t.check(onlyStore(registry.unregisterCertificates(cardOnly)).outcome == StoreOutcome::NotPresent,
          "unregister of a certificate that is not there: not present");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: certificate_registry_test PHASE DIR\n");
    return 2;
  }
  const std::string phase = argv[1];
  const std::string dir = argv[2];
  certbridge::test::Harness t;
  try {
    Fixture f{loadCertificate(dir, "card-a"), loadCertificate(dir, "card-b"), loadCertificate(dir, "card-c"),
              loadCertificate(dir, "card-d"), loadCertificate(dir, "user-own")};
    if (!t.check(!f.cardA.der.empty() && f.cardA.sha1.size() == 40 && f.userOwn.sha256.size() == 64,
                 "test certificates read from " + dir)) {
      return t.finish();
    }
    if (phase == "user-setup") {
      userSetup(t, f);
    } else if (phase == "register") {
      registerPhase(t, f);
    } else if (phase == "verify-registered") {
      verifyRegistered(t, f);
    } else if (phase == "unregister") {
      unregisterPhase(t, f);
    } else if (phase == "verify-unregistered") {
      verifyUnregistered(t, f);
    } else if (phase == "shared-interface") {
      sharedInterface(t, f);
    } else {
      std::fprintf(stderr, "unknown phase %s\n", phase.c_str());
      return 2;
    }
  } catch (const std::exception& error) {
    t.check(false, std::string("phase ") + phase + " ended with an unexpected error: " + error.what());
  }
  return t.finish();
}
