// The user's key store on Windows: certificates in CurrentUser\MY (the store browsers use for TLS client
// authentication), each linked to its private key by CERT_KEY_PROV_INFO; keys in CryptoAPI containers
// (csp_key.hpp); PKCS#12 through the platform (windows_pkcs12.hpp). Every change is committed at once
// (CERT_STORE_CTRL_COMMIT), so the next process (a browser, the next host) sees it.
#include <spdlog/spdlog.h>

#include "certbridge/host/protocol_error.hpp"
#include "crypto/windows/bcrypt_support.hpp"
#include "csp_key.hpp"
#include "win32_certificate_store.hpp"
#include "windows_pkcs12.hpp"

namespace certbridge::host::software_store {
namespace {

using windows::CertificateStorePtr;
using windows::KeyLocation;

const CERT_PUBLIC_KEY_INFO& publicKeyOf(const crypto::ParsedCertificate& certificate) {
  return certificate.native->pCertInfo->SubjectPublicKeyInfo;
}

std::optional<std::wstring> stringProperty(PCCERT_CONTEXT certificate, DWORD property) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(certificate, property, nullptr, &size) || size < sizeof(wchar_t)) {
    return std::nullopt;
  }
  std::wstring text(size / sizeof(wchar_t), L'\0');
  if (!CertGetCertificateContextProperty(certificate, property, text.data(), &size)) return std::nullopt;
  while (!text.empty() && text.back() == L'\0') text.pop_back();
  return text;
}

std::string utf8(const std::wstring& text) {
  const int size =
      WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(std::max(size, 0)), '\0');
  if (size > 0) {
    WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), size, nullptr, nullptr);
  }
  return out;
}

// The key a certificate of the store is linked to, when the link names a container of the provider the
// host uses and that container holds the certificate's key (a card's certificate links to the card's
// provider: no software key).
std::optional<KeyLocation> linkedKey(PCCERT_CONTEXT certificate) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(certificate, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size)) return std::nullopt;
  std::vector<std::uint8_t> buffer(size);
  if (!CertGetCertificateContextProperty(certificate, CERT_KEY_PROV_INFO_PROP_ID, buffer.data(), &size)) {
    return std::nullopt;
  }
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buffer.data());
  if (info->pwszContainerName == nullptr || info->dwProvType == 0) return std::nullopt;  // a CNG key: not ours
  KeyLocation location{info->pwszContainerName, info->dwKeySpec};
  if (windows::holdsKeyOf(location, certificate->pCertInfo->SubjectPublicKeyInfo)) return location;
  return std::nullopt;
}

[[noreturn]] void throwStoreError(const char* what) {
  const DWORD error = GetLastError();
  spdlog::error("software store: {} failed (error 0x{:08x})", what, static_cast<unsigned>(error));
  throw ProtocolError(ErrorCode::StoreError, {{"reason", what}, {"error", static_cast<std::uint32_t>(error)}});
}

class WindowsStoreKey : public StoreKey {
 public:
  explicit WindowsStoreKey(const KeyLocation& location) : key_(location) {}
  crypto::SigningKey* signingKey() override { return &key_; }

 private:
  windows::CspRsaKey key_;
};

class WindowsUserKeyStore : public UserKeyStore {
 public:
  WindowsUserKeyStore() {
    try {
      store_ = os_store::windows::openCurrentUserPersonalStore(false);
    } catch (const std::exception& e) {
      spdlog::error("software store: cannot open CurrentUser\\MY: {}", e.what());
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "CurrentUser\\MY cannot be opened"}});
    }
  }

  std::vector<StoredCertificate> certificates() override {
    std::vector<StoredCertificate> certificates;
    PCCERT_CONTEXT context = nullptr;
    while ((context = CertEnumCertificatesInStore(store_.get(), context)) != nullptr) {
      auto parsed = crypto::parseCertificateDer({context->pbCertEncoded, context->cbCertEncoded});
      if (!parsed) continue;
      StoredCertificate certificate;
      const auto name = stringProperty(context, CERT_FRIENDLY_NAME_PROP_ID);
      certificate.label = name ? utf8(*name) : parsed->commonName;
      certificate.hasKey = linkedKey(context).has_value();
      if (certificate.hasKey) certificate.keyId = windows::keyIdOf(context->pCertInfo->SubjectPublicKeyInfo);
      certificate.parsed = std::move(*parsed);
      certificates.push_back(std::move(certificate));
    }
    return certificates;
  }

  bool holdsKeyFor(const crypto::ParsedCertificate& certificate) override {
    return windows::findKeyFor(publicKeyOf(certificate)).has_value();
  }

  bool holdsCertificate(const crypto::ParsedCertificate& certificate) override {
    const os_store::windows::CertificateContext found(find(certificate));
    return static_cast<bool>(found);
  }

  void storeCertificate(const crypto::ParsedCertificate& certificate) override {
    PCCERT_CONTEXT added = nullptr;
    if (!CertAddEncodedCertificateToStore(store_.get(), X509_ASN_ENCODING, certificate.der.data(),
                                          static_cast<DWORD>(certificate.der.size()), CERT_STORE_ADD_USE_EXISTING,
                                          &added)) {
      throwStoreError("adding the certificate to CurrentUser\\MY");
    }
    const os_store::windows::CertificateContext context(added);
    const std::wstring name =
        crypto::windows::wideFromUtf8(!certificate.commonName.empty() ? certificate.commonName : certificate.subject);
    CRYPT_DATA_BLOB nameBlob{static_cast<DWORD>((name.size() + 1) * sizeof(wchar_t)),
                             reinterpret_cast<BYTE*>(const_cast<wchar_t*>(name.c_str()))};
    bool linked = CertSetCertificateContextProperty(added, CERT_FRIENDLY_NAME_PROP_ID, 0, &nameBlob);
    if (const auto key = windows::findKeyFor(publicKeyOf(certificate))) {
      CRYPT_KEY_PROV_INFO info = windows::keyProvInfo(*key);
      linked = linked && CertSetCertificateContextProperty(added, CERT_KEY_PROV_INFO_PROP_ID, 0, &info);
    }
    if (!linked || !CertControlStore(store_.get(), 0, CERT_STORE_CTRL_COMMIT, nullptr)) {
      const DWORD error = GetLastError();
      removeCertificate(certificate);
      SetLastError(error);
      throwStoreError("linking the certificate to its key");
    }
  }

  void removeCertificate(const crypto::ParsedCertificate& certificate) noexcept override {
    PCCERT_CONTEXT found = find(certificate);
    // CertDeleteCertificateFromStore frees the context, also when it fails.
    if (found != nullptr && (!CertDeleteCertificateFromStore(found) ||
                             !CertControlStore(store_.get(), 0, CERT_STORE_CTRL_COMMIT, nullptr))) {
      spdlog::warn("software store: could not remove a certificate stored before a failure (error 0x{:08x})",
                   static_cast<unsigned>(GetLastError()));
    }
  }

  NewKeyPair generateRsaKeyPair(int bits, const std::string& /*label*/) override {
    // Exportable (under the user's password, through PFXExportCertStoreEx only): exportPkcs12 is how the
    // user keeps a backup of a key made here, as on Linux. Keys from a PKCS#12 file are not (importKey).
    const KeyLocation location = windows::generateKeyContainer(bits, true);
    NewKeyPair pair;
    pair.remove = [container = location.container]() noexcept { windows::deleteContainer(container); };
    try {
      auto key = std::make_unique<WindowsStoreKey>(location);
      pair.publicKeyInfoDer = key->signingKey()->publicKeyInfo();
      const auto decoded =
          crypto::windows::decodeObject<CERT_PUBLIC_KEY_INFO>(X509_PUBLIC_KEY_INFO, pair.publicKeyInfoDer);
      if (decoded) pair.id = windows::keyIdOf(*decoded);
      pair.key = std::move(key);
    } catch (...) {
      pair.remove();
      throw;
    }
    return pair;
  }

  std::unique_ptr<StoreKey> keyFor(const StoredCertificate& certificate) override {
    const os_store::windows::CertificateContext context(find(certificate.parsed));
    const auto location = context ? linkedKey(context.get()) : std::nullopt;
    if (!location) throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", certificate.parsed.id}});
    return std::make_unique<WindowsStoreKey>(*location);
  }

  std::vector<std::uint8_t> exportPkcs12(const StoredCertificate& certificate,
                                         std::span<const crypto::ParsedCertificate* const> chain,
                                         const card::SecretString& password) override {
    const os_store::windows::CertificateContext context(find(certificate.parsed));
    if (!context || !linkedKey(context.get())) {
      throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", certificate.parsed.id}});
    }
    // A memory store with exactly what goes into the file: the certificate (with its key link) and its chain.
    const CertificateStorePtr file(CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr));
    if (!file || !CertAddCertificateContextToStore(file.get(), context.get(), CERT_STORE_ADD_ALWAYS, nullptr)) {
      throwStoreError("preparing the export");
    }
    for (const auto* issuer : chain) {
      if (!CertAddCertificateContextToStore(file.get(), issuer->native.get(), CERT_STORE_ADD_USE_EXISTING, nullptr)) {
        throwStoreError("preparing the export");
      }
    }
    return windows::exportPfx(file.get(), password);
  }

  std::function<void()> importKey(Pkcs12File& file, const std::string& /*label*/) override {
    // The platform reads the file again and puts its key into a new container of the user, not exportable.
    const CertificateStorePtr imported =
        windows::importPfx(windows::pkcs12Bytes(file), windows::pkcs12Password(file), CRYPT_USER_KEYSET);
    const auto& certificate = file.certificate();
    PCCERT_CONTEXT context = nullptr;
    std::optional<std::wstring> container;
    while ((context = CertEnumCertificatesInStore(imported.get(), context)) != nullptr) {
      DWORD size = 0;
      if (!CertGetCertificateContextProperty(context, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size)) continue;
      std::vector<std::uint8_t> buffer(size);
      if (CertGetCertificateContextProperty(context, CERT_KEY_PROV_INFO_PROP_ID, buffer.data(), &size)) {
        const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buffer.data());
        if (info->pwszContainerName != nullptr) container = info->pwszContainerName;
      }
    }
    if (!container) {
      throw ProtocolError(ErrorCode::Pkcs12FileInvalid, {{"reason", "no key for the certificate"}});
    }
    auto remove = [name = *container]() noexcept { windows::deleteContainer(name); };
    // The container must hold the certificate's key under a key spec this provider opens: storeCertificate
    // links it from there, by public key (wine 8 names an impossible key spec in its own link).
    if (!windows::holdsKeyOf({*container, AT_KEYEXCHANGE}, publicKeyOf(certificate)) &&
        !windows::holdsKeyOf({*container, AT_SIGNATURE}, publicKeyOf(certificate))) {
      remove();
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "the imported key cannot be found"}});
    }
    return remove;
  }

 private:
  // The store's context of exactly this certificate, or null; the caller frees it.
  PCCERT_CONTEXT find(const crypto::ParsedCertificate& certificate) const {
    return CertFindCertificateInStore(store_.get(), X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, certificate.native.get(),
                                      nullptr);
  }

  os_store::windows::CertificateStore store_;
};

}  // namespace

std::unique_ptr<UserKeyStore> openUserKeyStore(const card::SecretString* /*storePassword*/) {
  // Windows protects the user's keys with the user's logon (DPAPI): there is no store password to check.
  return std::make_unique<WindowsUserKeyStore>();
}

}  // namespace certbridge::host::software_store
