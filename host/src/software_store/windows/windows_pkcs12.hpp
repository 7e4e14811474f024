#pragma once
// PKCS#12 files on Windows, through the platform: PFXImportCertStore reads them, PFXExportCertStoreEx writes
// them. Where the platform refuses to write one (wine 8's PFXExportCertStoreEx is a stub that always fails),
// the host says so with OS_STORE_NOT_SUPPORTED {"reason": "platformRefusedPkcs12Export"}: there is no
// second PKCS#12 encoder in the host to fall back on.

#include "csp_key.hpp"
#include "software_store/user_key_store.hpp"

namespace certbridge::host::software_store::windows {

struct CertificateStoreCloser {
  void operator()(HCERTSTORE store) const noexcept { CertCloseStore(store, 0); }
};
using CertificateStorePtr = std::unique_ptr<void, CertificateStoreCloser>;

/// A password as the PFX functions take it (UTF-16), wiped when this object goes.
class WidePassword {
 public:
  explicit WidePassword(const card::SecretString& password);
  ~WidePassword();
  WidePassword(const WidePassword&) = delete;
  WidePassword& operator=(const WidePassword&) = delete;
  LPCWSTR get() const noexcept { return text_.data(); }

 private:
  std::vector<wchar_t> text_;
};

/// PFXImportCertStore of file into a memory store. flags: PKCS12_NO_PERSIST_KEY to only read it, or
/// CRYPT_USER_KEYSET to put its key into a key container of the user. PKCS12_FILE_INVALID,
/// PKCS12_PASSWORD_INCORRECT as openPkcs12.
CertificateStorePtr importPfx(std::span<const std::uint8_t> file, const card::SecretString& password, DWORD flags);

/// PFXExportCertStoreEx of every certificate of store with its key, under password: AES-256-CBC with
/// PBKDF2-HMAC-SHA-256 (PKCS12_EXPORT_PBES2_PARAMS). OS_STORE_NOT_SUPPORTED {"reason":
/// "platformRefusedPkcs12Export" or "keyNotExportable", "error"} when the platform refuses.
std::vector<std::uint8_t> exportPfx(HCERTSTORE store, const card::SecretString& password);

/// The bytes and the password of a file openPkcs12 opened on Windows (to import its key into a container).
std::span<const std::uint8_t> pkcs12Bytes(const Pkcs12File& file);
const card::SecretString& pkcs12Password(const Pkcs12File& file);

}  // namespace certbridge::host::software_store::windows
