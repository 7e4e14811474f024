#pragma once
// RAII owners for the crypt32 handles the registry adapter uses, and the one place where a failed Win32
// call becomes a WindowsStoreError naming the call and its place in the source. Private to the adapter:
// it pulls in <windows.h>.

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
// After windows.h, which it needs.
#include <wincrypt.h>

#include <cstdint>
#include <memory>
#include <source_location>
#include <string_view>

namespace certbridge::host::os_store::windows {

/// Throws WindowsStoreError(StoreFailure) with GetLastError() when ok is false, naming function and the
/// caller's file:line.
void checkWin32(bool ok, std::string_view function, std::source_location where = std::source_location::current());

/// Throws WindowsStoreError(StoreFailure) for an NTSTATUS (BCrypt) failure.
void checkNtStatus(long status, std::string_view function,
                   std::source_location where = std::source_location::current());

struct CertificateStoreCloser {
  void operator()(HCERTSTORE store) const { CertCloseStore(store, 0); }
};
using CertificateStore = std::unique_ptr<void, CertificateStoreCloser>;

struct CertificateContextFreer {
  void operator()(PCCERT_CONTEXT context) const { CertFreeCertificateContext(context); }
};
using CertificateContext = std::unique_ptr<const CERT_CONTEXT, CertificateContextFreer>;

/// CurrentUser\MY through the registry store provider: exactly the HKCU key
/// (Software\Microsoft\SystemCertificates\MY) that the system store browsers open reads, without the
/// collection of physical stores behind it, so every add and delete lands in that one key.
CertificateStore openCurrentUserPersonalStore(bool readOnly);

/// Writes pending changes of store to where it lives (a no-op where the provider writes at once).
void commitStore(HCERTSTORE store);

}  // namespace certbridge::host::os_store::windows
