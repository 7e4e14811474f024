#include "windows_certificate_registry.hpp"

#include <string_view>
#include <utility>

#include "certificate_thumbprint.hpp"
#include "utf16.hpp"
#include "win32_certificate_store.hpp"

namespace certbridge::host::os_store::windows {
namespace {

constexpr DWORD kEncoding = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;

// Our marker: this exact text in the certificate's description property (certmgr shows it under
// Properties > Description, which also tells a user where the certificate came from). The registry store
// keeps it with the certificate. A property id of our own (CERT_FIRST_USER_PROP_ID and up) would be
// invisible, but wine's crypt32 refuses those, and the tests run there. A user who edits the description
// takes the certificate over: unregistering then leaves it.
constexpr std::wstring_view kCertBridgeMarker =
    L"Registered by CertBridge from the smart card; removed when CertBridge unregisters the card.";

// NCRYPT_SILENT_FLAG and NCRYPT_MACHINE_KEY_FLAG (ncrypt.h); a CSP reads the same bits as CRYPT_SILENT
// and CRYPT_MACHINE_KEYSET, which the static_asserts pin down.
constexpr std::uint32_t kSilentFlag = 0x40;
constexpr std::uint32_t kMachineKeyFlag = 0x20;
static_assert(kSilentFlag == CRYPT_SILENT && kMachineKeyFlag == CRYPT_MACHINE_KEYSET);
constexpr std::uint32_t kAllowedKeyProviderFlags = kSilentFlag | kMachineKeyFlag;

// Lengths in UTF-16 code units. Provider names are short; container names follow the smart card KSP's
// "\\.\<reader>\<container>" form, which MAX_PATH bounds.
constexpr std::size_t kMaxProviderNameLength = 256;
constexpr std::size_t kMaxKeyContainerLength = MAX_PATH;
constexpr std::size_t kMaxFriendlyNameLength = 256;
// Far above any real certificate; keeps a bad caller from handing crypt32 megabytes.
constexpr std::size_t kMaxCertificateSize = 64 * 1024;

[[noreturn]] void throwInvalid(const std::string& message) {
  throw WindowsStoreError(WindowsStoreError::Kind::InvalidInput, message);
}

std::wstring requireText(std::string_view value, std::size_t maxLength, bool allowEmpty, const std::string& what) {
  if (value.empty() && !allowEmpty) throwInvalid(what + " is empty");
  std::optional<std::wstring> wide = utf8ToWide(value);
  if (!wide) throwInvalid(what + " is not valid UTF-8 text (or holds a NUL character)");
  if (wide->size() > maxLength) {
    throwInvalid(what + " is longer than " + std::to_string(maxLength) + " characters");
  }
  return *std::move(wide);
}

CertificateContext parseCertificate(std::span<const std::uint8_t> der, const std::string& what) {
  if (der.empty()) throwInvalid(what + " is empty");
  if (der.size() > kMaxCertificateSize) {
    throwInvalid(what + " is larger than " + std::to_string(kMaxCertificateSize) + " bytes");
  }
  PCCERT_CONTEXT context = CertCreateCertificateContext(kEncoding, der.data(), static_cast<DWORD>(der.size()));
  if (context == nullptr) throwInvalid(what + " is not a DER X.509 certificate");
  return CertificateContext(context);
}

std::span<const std::uint8_t> encodedBytes(PCCERT_CONTEXT context) {
  return {context->pbCertEncoded, context->cbCertEncoded};
}

// A property's bytes in storage aligned for the structure it holds (CRYPT_KEY_PROV_INFO has pointers).
struct PropertyBytes {
  std::vector<std::uint64_t> storage;
  DWORD size = 0;
  const void* data() const { return storage.data(); }
};

std::optional<PropertyBytes> readProperty(PCCERT_CONTEXT context, DWORD propertyId) {
  PropertyBytes bytes;
  if (!CertGetCertificateContextProperty(context, propertyId, nullptr, &bytes.size)) {
    checkWin32(GetLastError() == static_cast<DWORD>(CRYPT_E_NOT_FOUND), "CertGetCertificateContextProperty");
    return std::nullopt;
  }
  bytes.storage.resize(bytes.size / sizeof(std::uint64_t) + 1);
  checkWin32(CertGetCertificateContextProperty(context, propertyId, bytes.storage.data(), &bytes.size),
             "CertGetCertificateContextProperty");
  return bytes;
}

// Text properties (friendly name, description) are NUL-terminated wide strings; the terminator is part
// of the size.
std::optional<std::wstring> readTextProperty(PCCERT_CONTEXT context, DWORD propertyId) {
  std::optional<PropertyBytes> bytes = readProperty(context, propertyId);
  if (!bytes) return std::nullopt;
  const auto* text = static_cast<const wchar_t*>(bytes->data());
  return std::wstring(text, wcsnlen(text, bytes->size / sizeof(wchar_t)));
}

bool hasCertBridgeMarker(PCCERT_CONTEXT context) {
  return readTextProperty(context, CERT_DESCRIPTION_PROP_ID) == kCertBridgeMarker;
}

std::string wideField(const wchar_t* text) {
  return text == nullptr ? std::string() : wideToUtf8(text);
}

StoredCertificate describe(PCCERT_CONTEXT context) {
  StoredCertificate stored;
  stored.sha1Thumbprint = sha1Thumbprint(encodedBytes(context));
  stored.sha256Thumbprint = sha256Thumbprint(encodedBytes(context));
  if (std::optional<std::wstring> name = readTextProperty(context, CERT_FRIENDLY_NAME_PROP_ID)) {
    stored.friendlyName = wideToUtf8(*name);
  }
  if (std::optional<PropertyBytes> provInfo = readProperty(context, CERT_KEY_PROV_INFO_PROP_ID)) {
    const auto* info = static_cast<const CRYPT_KEY_PROV_INFO*>(provInfo->data());
    stored.keyLink = KeyLink{wideField(info->pwszProvName), info->dwProvType, wideField(info->pwszContainerName),
                             info->dwKeySpec, info->dwFlags};
  }
  stored.registeredByCertBridge = hasCertBridgeMarker(context);
  return stored;
}

// What registration writes for one certificate, checked before the store is opened.
struct PreparedCertificate {
  CertificateContext context;  // Not in any store yet: the properties go onto it, then it is added.
  std::wstring keyContainer;
  std::wstring friendlyName;
  DWORD keySpec = 0;
};

std::wstring prepareProvider(const KeyProvider& provider) {
  std::wstring name = requireText(provider.name, kMaxProviderNameLength, false, "key provider name");
  if ((provider.flags & ~kAllowedKeyProviderFlags) != 0) {
    throwInvalid("key provider flags allow only the silent (0x40) and machine key (0x20) bits");
  }
  return name;
}

PreparedCertificate prepareCertificate(const KeyProvider& provider, const CardCertificate& certificate,
                                       std::size_t index) {
  const std::string what = "certificate " + std::to_string(index + 1);
  PreparedCertificate prepared{
      parseCertificate(certificate.der, what),
      requireText(certificate.keyContainer, kMaxKeyContainerLength, false, what + ": key container name"),
      requireText(certificate.friendlyName, kMaxFriendlyNameLength, true, what + ": friendly name"),
      static_cast<DWORD>(certificate.keySpec)};
  const bool legacySpec = certificate.keySpec == KeySpec::KeyExchange || certificate.keySpec == KeySpec::Signature;
  if (!legacySpec && !(certificate.keySpec == KeySpec::None && provider.type == 0)) {
    throwInvalid(what + ": key spec must be key exchange or signature (none only with a CNG key storage provider)");
  }
  return prepared;
}

// Puts the key link, friendly name and our marker on the not-yet-stored context; adding it copies them
// into the store in the same write as the certificate.
void setRegistrationProperties(PreparedCertificate& prepared, const KeyProvider& provider, std::wstring& providerName) {
  CRYPT_KEY_PROV_INFO provInfo{};
  provInfo.pwszContainerName = prepared.keyContainer.data();
  provInfo.pwszProvName = providerName.data();
  provInfo.dwProvType = provider.type;
  provInfo.dwFlags = provider.flags;
  provInfo.dwKeySpec = prepared.keySpec;
  checkWin32(CertSetCertificateContextProperty(prepared.context.get(), CERT_KEY_PROV_INFO_PROP_ID, 0, &provInfo),
             "CertSetCertificateContextProperty(CERT_KEY_PROV_INFO_PROP_ID)");
  if (!prepared.friendlyName.empty()) {
    CRYPT_DATA_BLOB name{static_cast<DWORD>((prepared.friendlyName.size() + 1) * sizeof(wchar_t)),
                         reinterpret_cast<BYTE*>(prepared.friendlyName.data())};
    checkWin32(CertSetCertificateContextProperty(prepared.context.get(), CERT_FRIENDLY_NAME_PROP_ID, 0, &name),
               "CertSetCertificateContextProperty(CERT_FRIENDLY_NAME_PROP_ID)");
  }
  std::wstring marker(kCertBridgeMarker);
  CRYPT_DATA_BLOB markerBlob{static_cast<DWORD>((marker.size() + 1) * sizeof(wchar_t)),
                             reinterpret_cast<BYTE*>(marker.data())};
  checkWin32(CertSetCertificateContextProperty(prepared.context.get(), CERT_DESCRIPTION_PROP_ID, 0, &markerBlob),
             "CertSetCertificateContextProperty(CERT_DESCRIPTION_PROP_ID)");
}

CertificateContext findInStore(HCERTSTORE store, PCCERT_CONTEXT certificate) {
  return CertificateContext(CertFindCertificateInStore(store, kEncoding, 0, CERT_FIND_EXISTING, certificate, nullptr));
}

// CertDeleteCertificateFromStore frees the context it is given, whatever the outcome.
void deleteFromStore(CertificateContext context) {
  checkWin32(CertDeleteCertificateFromStore(context.release()), "CertDeleteCertificateFromStore");
}

template <typename Visit>
void forEachCertificate(HCERTSTORE store, Visit visit) {
  PCCERT_CONTEXT context = nullptr;
  // Each call frees the previous context; the last one (nullptr) ends the walk with nothing left to free.
  while ((context = CertEnumCertificatesInStore(store, context)) != nullptr) {
    try {
      visit(context);
    } catch (...) {
      CertFreeCertificateContext(context);
      throw;
    }
  }
}

}  // namespace

WindowsStoreError::WindowsStoreError(Kind kind, const std::string& message, std::uint32_t systemError)
    : std::runtime_error(message), kind_(kind), systemError_(systemError) {}

std::vector<RegistrationResult> WindowsCertificateRegistry::registerCertificates(
    const KeyProvider& provider, std::span<const CardCertificate> certificates) {
  std::wstring providerName = prepareProvider(provider);
  std::vector<PreparedCertificate> prepared;
  prepared.reserve(certificates.size());
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    prepared.push_back(prepareCertificate(provider, certificates[i], i));
  }

  CertificateStore store = openCurrentUserPersonalStore(false);
  std::vector<RegistrationResult> results;
  std::vector<CertificateContext> addedByThisCall;
  try {
    for (PreparedCertificate& certificate : prepared) {
      if (CertificateContext existing = findInStore(store.get(), certificate.context.get())) {
        StoredCertificate stored = describe(existing.get());
        const RegistrationOutcome outcome = stored.registeredByCertBridge
                                                ? RegistrationOutcome::AlreadyRegistered
                                                : RegistrationOutcome::PresentWithoutCertBridge;
        results.push_back({std::move(stored), outcome});
        continue;
      }
      setRegistrationProperties(certificate, provider, providerName);
      PCCERT_CONTEXT added = nullptr;
      checkWin32(CertAddCertificateContextToStore(store.get(), certificate.context.get(), CERT_STORE_ADD_NEW, &added),
                 "CertAddCertificateContextToStore");
      addedByThisCall.emplace_back(added);
      results.push_back({describe(added), RegistrationOutcome::Added});
    }
    commitStore(store.get());
  } catch (...) {
    // All or nothing: take back what this call added, so a retry starts from the store as it was.
    for (CertificateContext& added : addedByThisCall) {
      CertDeleteCertificateFromStore(added.release());
    }
    CertControlStore(store.get(), 0, CERT_STORE_CTRL_COMMIT, nullptr);
    throw;
  }
  return results;
}

std::vector<StoredCertificate> WindowsCertificateRegistry::unregisterCertificates(
    std::span<const std::vector<std::uint8_t>> ders) {
  std::vector<CertificateContext> wanted;
  wanted.reserve(ders.size());
  for (std::size_t i = 0; i < ders.size(); ++i) {
    wanted.push_back(parseCertificate(ders[i], "certificate " + std::to_string(i + 1)));
  }
  CertificateStore store = openCurrentUserPersonalStore(false);
  std::vector<StoredCertificate> removed;
  for (const CertificateContext& certificate : wanted) {
    CertificateContext existing = findInStore(store.get(), certificate.get());
    if (!existing || !hasCertBridgeMarker(existing.get())) continue;
    StoredCertificate stored = describe(existing.get());
    deleteFromStore(std::move(existing));
    removed.push_back(std::move(stored));
  }
  commitStore(store.get());
  return removed;
}

std::vector<StoredCertificate> WindowsCertificateRegistry::unregisterAllCertificates() {
  CertificateStore store = openCurrentUserPersonalStore(false);
  // Collected first: deleting while enumerating would pull the walk's current context from under it.
  std::vector<CertificateContext> ours;
  forEachCertificate(store.get(), [&](PCCERT_CONTEXT context) {
    if (hasCertBridgeMarker(context)) ours.emplace_back(CertDuplicateCertificateContext(context));
  });
  std::vector<StoredCertificate> removed;
  for (CertificateContext& certificate : ours) {
    StoredCertificate stored = describe(certificate.get());
    deleteFromStore(std::move(certificate));
    removed.push_back(std::move(stored));
  }
  commitStore(store.get());
  return removed;
}

std::vector<StoredCertificate> WindowsCertificateRegistry::listRegisteredCertificates() const {
  CertificateStore store = openCurrentUserPersonalStore(true);
  std::vector<StoredCertificate> registered;
  forEachCertificate(store.get(), [&](PCCERT_CONTEXT context) {
    if (hasCertBridgeMarker(context)) registered.push_back(describe(context));
  });
  return registered;
}

std::optional<StoredCertificate> WindowsCertificateRegistry::find(std::span<const std::uint8_t> der) const {
  CertificateContext certificate = parseCertificate(der, "certificate");
  CertificateStore store = openCurrentUserPersonalStore(true);
  CertificateContext existing = findInStore(store.get(), certificate.get());
  if (!existing) return std::nullopt;
  return describe(existing.get());
}

}  // namespace certbridge::host::os_store::windows
