#include "win32_certificate_store.hpp"

#include <cstdio>
#include <string>

#include "windows_certificate_registry.hpp"

namespace certbridge::host::os_store::windows {
namespace {

std::string hex32(std::uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08lx", static_cast<unsigned long>(value));
  return text;
}

std::string sourcePlace(const std::source_location& where) {
  std::string_view file = where.file_name();
  if (auto slash = file.find_last_of("/\\"); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return std::string(file) + ":" + std::to_string(where.line());
}

[[noreturn]] void throwStoreFailure(std::string_view function, std::uint32_t code, const std::source_location& where) {
  throw WindowsStoreError(WindowsStoreError::Kind::StoreFailure,
                          std::string(function) + " failed with " + hex32(code) + " (" + sourcePlace(where) + ")",
                          code);
}

}  // namespace

void checkWin32(bool ok, std::string_view function, std::source_location where) {
  if (ok) return;
  throwStoreFailure(function, static_cast<std::uint32_t>(GetLastError()), where);
}

void checkNtStatus(long status, std::string_view function, std::source_location where) {
  if (status >= 0) return;  // NT_SUCCESS: success and informational codes are non-negative.
  throwStoreFailure(function, static_cast<std::uint32_t>(status), where);
}

CertificateStore openCurrentUserPersonalStore(bool readOnly) {
  DWORD flags = CERT_SYSTEM_STORE_CURRENT_USER;
  // Reading must not create the store key; registering creates it in a fresh profile.
  if (readOnly) flags |= CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG;
  HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, flags, L"MY");
  if (store == nullptr && readOnly && GetLastError() == ERROR_FILE_NOT_FOUND) {
    // A profile that never had a personal certificate: read an empty store instead.
    store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr);
  }
  checkWin32(store != nullptr, "CertOpenStore(CurrentUser\\MY)");
  return CertificateStore(store);
}

void commitStore(HCERTSTORE store) {
  if (CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, nullptr)) return;
  // Providers that write every change at once have nothing to commit.
  DWORD error = GetLastError();
  if (error == ERROR_CALL_NOT_IMPLEMENTED || error == ERROR_NOT_SUPPORTED) return;
  SetLastError(error);
  checkWin32(false, "CertControlStore(CERT_STORE_CTRL_COMMIT)");
}

}  // namespace certbridge::host::os_store::windows
