// Built on macOS only (Security framework); see the header for what has and has not been verified.
#include "macos_certificate_registry.hpp"

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

namespace certbridge::host::os_store::macos {
namespace {

// Labels starting with this are CertBridge's; unregistering removes nothing else.
constexpr std::string_view kLabelPrefix = "CertBridge: ";
constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kMaxCertificateSize = 64 * 1024;

struct CfReleaser {
  void operator()(CFTypeRef ref) const {
    if (ref != nullptr) CFRelease(ref);
  }
};
template <typename Ref>
using CfRef = std::unique_ptr<std::remove_pointer_t<Ref>, CfReleaser>;

[[noreturn]] void throwInvalid(const std::string& message) {
  throw MacStoreError(MacStoreError::Kind::InvalidInput, message);
}

void checkStatus(OSStatus status, const char* function) {
  if (status == errSecSuccess) return;
  throw MacStoreError(MacStoreError::Kind::StoreFailure,
                      std::string(function) + " failed with OSStatus " + std::to_string(status), status);
}

CfRef<CFStringRef> cfString(std::string_view utf8) {
  CfRef<CFStringRef> text(CFStringCreateWithBytes(nullptr, reinterpret_cast<const UInt8*>(utf8.data()),
                                                  static_cast<CFIndex>(utf8.size()), kCFStringEncodingUTF8, false));
  if (!text) throwInvalid("text is not valid UTF-8");
  return text;
}

std::string toUtf8(CFStringRef text) {
  if (text == nullptr) return {};
  const CFIndex length = CFStringGetLength(text);
  const CFIndex capacity = CFStringGetMaximumSizeForEncoding(length, kCFStringEncodingUTF8) + 1;
  std::string utf8(static_cast<std::size_t>(capacity), '\0');
  if (!CFStringGetCString(text, utf8.data(), capacity, kCFStringEncodingUTF8)) return {};
  utf8.resize(std::char_traits<char>::length(utf8.c_str()));
  return utf8;
}

CfRef<SecCertificateRef> parseCertificate(std::span<const std::uint8_t> der, const std::string& what) {
  if (der.empty() || der.size() > kMaxCertificateSize) throwInvalid(what + " is empty or too large");
  CfRef<CFDataRef> data(CFDataCreate(nullptr, der.data(), static_cast<CFIndex>(der.size())));
  CfRef<SecCertificateRef> certificate(SecCertificateCreateWithData(nullptr, data.get()));
  if (!certificate) throwInvalid(what + " is not a DER X.509 certificate");
  return certificate;
}

CfRef<CFMutableDictionaryRef> newQuery() {
  CfRef<CFMutableDictionaryRef> query(
      CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(query.get(), kSecClass, kSecClassCertificate);
  return query;
}

// One certificate item of the keychain search list.
struct KeychainEntry {
  std::vector<std::uint8_t> der;
  std::string label;
  CfRef<CFDataRef> persistentRef;
  bool isCertBridges() const { return label.rfind(kLabelPrefix, 0) == 0; }
};

// Every certificate item, compared by its bytes here rather than through a match attribute, so "the same
// certificate" means exactly the same DER.
std::vector<KeychainEntry> allCertificateEntries() {
  CfRef<CFMutableDictionaryRef> query = newQuery();
  CFDictionarySetValue(query.get(), kSecMatchLimit, kSecMatchLimitAll);
  CFDictionarySetValue(query.get(), kSecReturnAttributes, kCFBooleanTrue);
  // References, then SecCertificateCopyData: the documented way from a keychain item to its DER.
  CFDictionarySetValue(query.get(), kSecReturnRef, kCFBooleanTrue);
  CFDictionarySetValue(query.get(), kSecReturnPersistentRef, kCFBooleanTrue);
  CFTypeRef rawResult = nullptr;
  const OSStatus status = SecItemCopyMatching(query.get(), &rawResult);
  CfRef<CFTypeRef> result(rawResult);
  if (status == errSecItemNotFound) return {};
  checkStatus(status, "SecItemCopyMatching");
  std::vector<KeychainEntry> entries;
  if (CFGetTypeID(result.get()) != CFArrayGetTypeID()) return entries;
  const auto items = static_cast<CFArrayRef>(result.get());
  for (CFIndex i = 0; i < CFArrayGetCount(items); ++i) {
    const auto item = static_cast<CFDictionaryRef>(CFArrayGetValueAtIndex(items, i));
    const auto certificate =
        static_cast<SecCertificateRef>(const_cast<void*>(CFDictionaryGetValue(item, kSecValueRef)));
    const auto label = static_cast<CFStringRef>(CFDictionaryGetValue(item, kSecAttrLabel));
    const auto persistentRef = static_cast<CFDataRef>(CFDictionaryGetValue(item, kSecValuePersistentRef));
    if (certificate == nullptr || persistentRef == nullptr) continue;
    CfRef<CFDataRef> data(SecCertificateCopyData(certificate));
    if (!data) continue;
    KeychainEntry entry;
    entry.der.assign(CFDataGetBytePtr(data.get()), CFDataGetBytePtr(data.get()) + CFDataGetLength(data.get()));
    entry.label = toUtf8(label);
    entry.persistentRef.reset(static_cast<CFDataRef>(CFRetain(persistentRef)));
    entries.push_back(std::move(entry));
  }
  return entries;
}

const KeychainEntry* findEntry(const std::vector<KeychainEntry>& entries, std::span<const std::uint8_t> der) {
  auto found = std::find_if(entries.begin(), entries.end(), [&](const KeychainEntry& entry) {
    return std::equal(entry.der.begin(), entry.der.end(), der.begin(), der.end());
  });
  return found == entries.end() ? nullptr : &*found;
}

void deleteItem(CFDataRef persistentRef) {
  CfRef<CFMutableDictionaryRef> query = newQuery();
  const void* refs[] = {persistentRef};
  CfRef<CFArrayRef> itemList(CFArrayCreate(nullptr, refs, 1, &kCFTypeArrayCallBacks));
  CFDictionarySetValue(query.get(), kSecMatchItemList, itemList.get());
  checkStatus(SecItemDelete(query.get()), "SecItemDelete");
}

}  // namespace

std::vector<RegistrationResult> MacCertificateRegistry::registerCertificates(
    std::span<const CardCertificate> certificates) {
  struct Prepared {
    CfRef<SecCertificateRef> certificate;
    std::string label;
    CfRef<CFStringRef> cfLabel;
  };
  std::vector<Prepared> prepared;
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    const std::string what = "certificate " + std::to_string(i + 1);
    if (certificates[i].name.empty() || certificates[i].name.size() > kMaxNameLength) {
      throwInvalid(what + ": name must be 1 to " + std::to_string(kMaxNameLength) + " bytes");
    }
    std::string label = std::string(kLabelPrefix) + certificates[i].name;
    CfRef<CFStringRef> cfLabel = cfString(label);
    prepared.push_back({parseCertificate(certificates[i].der, what), std::move(label), std::move(cfLabel)});
  }

  std::vector<RegistrationResult> results;
  std::vector<CfRef<CFDataRef>> addedByThisCall;
  try {
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      CfRef<CFMutableDictionaryRef> attributes = newQuery();
      CFDictionarySetValue(attributes.get(), kSecValueRef, prepared[i].certificate.get());
      CFDictionarySetValue(attributes.get(), kSecAttrLabel, prepared[i].cfLabel.get());
      CFDictionarySetValue(attributes.get(), kSecReturnPersistentRef, kCFBooleanTrue);
      CFTypeRef rawPersistentRef = nullptr;
      const OSStatus status = SecItemAdd(attributes.get(), &rawPersistentRef);
      CfRef<CFTypeRef> persistentRef(rawPersistentRef);
      if (status == errSecDuplicateItem) {
        const std::vector<KeychainEntry> entries = allCertificateEntries();
        const KeychainEntry* existing = findEntry(entries, certificates[i].der);
        const bool ours = existing != nullptr && existing->isCertBridges();
        results.push_back(
            {existing ? existing->label : std::string(),
             ours ? RegistrationOutcome::AlreadyRegistered : RegistrationOutcome::PresentWithoutCertBridge});
        continue;
      }
      checkStatus(status, "SecItemAdd");
      if (persistentRef && CFGetTypeID(persistentRef.get()) == CFDataGetTypeID()) {
        addedByThisCall.emplace_back(static_cast<CFDataRef>(persistentRef.release()));
      }
      results.push_back({prepared[i].label, RegistrationOutcome::Added});
    }
  } catch (...) {
    // All or nothing: take back what this call added.
    for (const CfRef<CFDataRef>& added : addedByThisCall) {
      try {
        deleteItem(added.get());
      } catch (const MacStoreError&) {
        // Keep the first error; the item left behind carries our label, so unregistering removes it.
      }
    }
    throw;
  }
  return results;
}

std::size_t MacCertificateRegistry::unregisterCertificates(std::span<const std::vector<std::uint8_t>> ders) {
  for (std::size_t i = 0; i < ders.size(); ++i) parseCertificate(ders[i], "certificate " + std::to_string(i + 1));
  const std::vector<KeychainEntry> entries = allCertificateEntries();
  std::size_t removed = 0;
  for (const KeychainEntry& entry : entries) {
    if (!entry.isCertBridges()) continue;
    const bool wanted = std::any_of(ders.begin(), ders.end(), [&](const std::vector<std::uint8_t>& der) {
      return std::equal(entry.der.begin(), entry.der.end(), der.begin(), der.end());
    });
    if (!wanted) continue;
    deleteItem(entry.persistentRef.get());
    ++removed;
  }
  return removed;
}

}  // namespace certbridge::host::os_store::macos
