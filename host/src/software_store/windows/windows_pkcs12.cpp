#include "windows_pkcs12.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "certbridge/host/protocol_error.hpp"
#include "crypto/windows/bcrypt_support.hpp"

namespace certbridge::host::software_store::windows {
namespace {

struct CertificateFreer {
  void operator()(PCCERT_CONTEXT certificate) const noexcept { CertFreeCertificateContext(certificate); }
};

crypto::ParsedCertificate parsedOf(PCCERT_CONTEXT certificate) {
  auto parsed = crypto::parseCertificateDer({certificate->pbCertEncoded, certificate->cbCertEncoded});
  if (!parsed) throw ProtocolError(ErrorCode::Pkcs12FileInvalid, {{"reason", "a certificate cannot be read"}});
  return std::move(*parsed);
}

bool hasKeyProperty(PCCERT_CONTEXT certificate) {
  DWORD size = 0;
  for (const DWORD property :
       {DWORD{CERT_KEY_PROV_INFO_PROP_ID}, DWORD{CERT_KEY_CONTEXT_PROP_ID}, DWORD{CERT_NCRYPT_KEY_HANDLE_PROP_ID}}) {
    if (CertGetCertificateContextProperty(certificate, property, nullptr, &size)) return true;
  }
  return false;
}

// A file the platform has read: it stays in memory (bytes and the caller's password) so that a store can
// import its key later, or it can be written again under a new password.
class PlatformPkcs12File : public Pkcs12File {
 public:
  PlatformPkcs12File(std::span<const std::uint8_t> file, const card::SecretString& password)
      : file_(file.begin(), file.end()), password_(password) {
    const CertificateStorePtr store = importPfx(file_, password_, PKCS12_NO_PERSIST_KEY);
    // The key's certificate: the one the platform attached the (in-memory) key to, as CERT_KEY_CONTEXT
    // (CryptoAPI; wine too), or an NCrypt handle (CNG). A file without a key has none.
    PCCERT_CONTEXT certificate = nullptr;
    std::optional<crypto::ParsedCertificate> withKey;
    std::vector<crypto::ParsedCertificate> all;
    while ((certificate = CertEnumCertificatesInStore(store.get(), certificate)) != nullptr) {
      auto parsed = parsedOf(certificate);
      if (!withKey && hasKeyProperty(certificate)) withKey = parsed;
      all.push_back(std::move(parsed));
    }
    if (!withKey) throw ProtocolError(ErrorCode::Pkcs12FileInvalid, {{"reason", "no certificate for the key"}});
    certificate_ = std::move(*withKey);
    for (auto& one : all) {
      if (one.id != certificate_.id) others_.push_back(std::move(one));
    }
  }

  ~PlatformPkcs12File() override { card::wipeMemory(file_.data(), file_.size()); }

  std::vector<std::uint8_t> reencrypted(const card::SecretString& newPassword, std::string_view friendlyName) override {
    // Read again with the key kept in memory only (never in a container of the user) and exportable, for
    // this one export.
    const CertificateStorePtr store = importPfx(file_, password_, PKCS12_NO_PERSIST_KEY | CRYPT_EXPORTABLE);
    PCCERT_CONTEXT certificate = nullptr;
    const std::wstring name = crypto::windows::wideFromUtf8(friendlyName);
    while ((certificate = CertEnumCertificatesInStore(store.get(), certificate)) != nullptr) {
      if (!std::equal(certificate_.der.begin(), certificate_.der.end(), certificate->pbCertEncoded,
                      certificate->pbCertEncoded + certificate->cbCertEncoded)) {
        continue;
      }
      CRYPT_DATA_BLOB nameBlob{static_cast<DWORD>((name.size() + 1) * sizeof(wchar_t)),
                               reinterpret_cast<BYTE*>(const_cast<wchar_t*>(name.c_str()))};
      CertSetCertificateContextProperty(certificate, CERT_FRIENDLY_NAME_PROP_ID, 0, &nameBlob);
    }
    return exportPfx(store.get(), newPassword);
  }

  const std::vector<std::uint8_t>& bytes() const noexcept { return file_; }
  const card::SecretString& password() const noexcept { return password_; }

 private:
  std::vector<std::uint8_t> file_;
  const card::SecretString& password_;  // the command's secret, which outlives this object
};

}  // namespace

WidePassword::WidePassword(const card::SecretString& password) {
  const int size = password.size() == 0 ? 0
                                        : MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, password.data(),
                                                              static_cast<int>(password.size()), nullptr, 0);
  text_.assign(static_cast<std::size_t>(size) + 1, L'\0');
  if (size > 0) {
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, password.data(), static_cast<int>(password.size()), text_.data(),
                        size);
  }
}

WidePassword::~WidePassword() {
  card::wipeMemory(text_.data(), text_.size() * sizeof(wchar_t));
}

CertificateStorePtr importPfx(std::span<const std::uint8_t> file, const card::SecretString& password, DWORD flags) {
  CRYPT_DATA_BLOB blob{static_cast<DWORD>(file.size()), const_cast<BYTE*>(file.data())};
  if (!PFXIsPFXBlob(&blob)) throw ProtocolError(ErrorCode::Pkcs12FileInvalid, {{"reason", "not PKCS#12"}});
  const WidePassword widePassword(password);
  // A file only read must leave no key behind. Wine 8 persists the key into the user's default container
  // even when told PKCS12_NO_PERSIST_KEY (measured): a container that appears during such a read is removed
  // at once. (One that was there before, wine overwrites; README, Windows host.)
  const bool memoryOnly = (flags & PKCS12_NO_PERSIST_KEY) != 0;
  const std::vector<std::wstring> containersBefore = memoryOnly ? containerNames() : std::vector<std::wstring>{};
  SetLastError(ERROR_SUCCESS);
  CertificateStorePtr store(PFXImportCertStore(&blob, widePassword.get(), flags));
  const DWORD error = GetLastError();
  if (memoryOnly) {
    for (const auto& name : containerNames()) {
      if (std::find(containersBefore.begin(), containersBefore.end(), name) != containersBefore.end()) continue;
      spdlog::warn("software store: the platform kept a key of a file it was only to read; removing it");
      deleteContainer(name);
    }
  }
  if (store) return store;
  // Windows says ERROR_INVALID_PASSWORD when the MAC does not verify under the password. Wine 8 sets no error
  // at all when its decryption fails (it cannot tell a wrong password from a damaged file either): a file
  // that is PKCS#12 and opens to no error code is taken as a wrong password, the likely case.
  if (error == ERROR_INVALID_PASSWORD || error == ERROR_SUCCESS) {
    throw ProtocolError(ErrorCode::Pkcs12PasswordIncorrect);
  }
  spdlog::warn("software store: PFXImportCertStore refused the file (error 0x{:08x})", static_cast<unsigned>(error));
  throw ProtocolError(ErrorCode::Pkcs12FileInvalid,
                      {{"reason", "the platform cannot read the file"}, {"error", static_cast<std::uint32_t>(error)}});
}

std::vector<std::uint8_t> exportPfx(HCERTSTORE store, const card::SecretString& password) {
  const WidePassword widePassword(password);
  PKCS12_PBES2_EXPORT_PARAMS algorithms{sizeof(PKCS12_PBES2_EXPORT_PARAMS), nullptr,
                                        const_cast<LPWSTR>(PKCS12_PBES2_ALG_AES256_SHA256)};
  const DWORD flags =
      EXPORT_PRIVATE_KEYS | REPORT_NO_PRIVATE_KEY | REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY | PKCS12_EXPORT_PBES2_PARAMS;
  CRYPT_DATA_BLOB file{0, nullptr};
  SetLastError(ERROR_SUCCESS);
  BOOL ok = PFXExportCertStoreEx(store, &file, widePassword.get(), &algorithms, flags);
  std::vector<std::uint8_t> bytes;
  if (ok && file.cbData > 0 && file.cbData <= kMaxPkcs12Bytes) {
    bytes.resize(file.cbData);
    file.pbData = bytes.data();
    ok = PFXExportCertStoreEx(store, &file, widePassword.get(), &algorithms, flags);
    bytes.resize(file.cbData);
  }
  if (ok && !bytes.empty()) return bytes;
  const DWORD error = GetLastError();
  spdlog::warn("software store: PFXExportCertStoreEx refused the export (error 0x{:08x})",
               static_cast<unsigned>(error));
  const bool notExportable = error == static_cast<DWORD>(NTE_BAD_KEY_STATE) || error == static_cast<DWORD>(NTE_PERM) ||
                             error == static_cast<DWORD>(CRYPT_E_NOT_FOUND);
  throw ProtocolError(ErrorCode::OsStoreNotSupported,
                      {{"reason", notExportable ? "keyNotExportable" : "platformRefusedPkcs12Export"},
                       {"error", static_cast<std::uint32_t>(error)}});
}

std::unique_ptr<Pkcs12File> openPlatformPkcs12(std::span<const std::uint8_t> file, const card::SecretString& password) {
  return std::make_unique<PlatformPkcs12File>(file, password);
}

std::span<const std::uint8_t> pkcs12Bytes(const Pkcs12File& file) {
  return dynamic_cast<const PlatformPkcs12File&>(file).bytes();
}

const card::SecretString& pkcs12Password(const Pkcs12File& file) {
  return dynamic_cast<const PlatformPkcs12File&>(file).password();
}

}  // namespace certbridge::host::software_store::windows

namespace certbridge::host::software_store {

std::unique_ptr<Pkcs12File> openPkcs12(std::span<const std::uint8_t> file, const card::SecretString& password) {
  return windows::openPlatformPkcs12(file, password);
}

}  // namespace certbridge::host::software_store
