// hardenProcess: no core dumps or crash reports that could hold a PIN.

#include "process_hardening.hpp"

#include <spdlog/spdlog.h>

#if defined(_WIN32)
#include <windows.h>

#include <array>
#include <string>
#include <string_view>
#else
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#endif

namespace certbridge::host {

#if defined(_WIN32)

// What each step does on Windows (Microsoft's documentation of SetErrorMode, WerSetFlags and
// WerAddExcludedApplication), and what wine can show of it:
// - SetErrorMode(SEM_NOGPFAULTERRORBOX): for an unhandled exception the system does not invoke Windows Error
//   Reporting at all, so no report is made, and no LocalDumps dump either as far as the documentation goes
//   (WER writes those; not checked on a Windows machine here). This process only; child processes inherit
//   it. Wine keeps the mode and GetErrorMode shows it.
// - WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP): where WER is still invoked (fail-fast exits such as a
//   detected heap corruption bypass the error mode), the report leaves the heap out, where PINs live while a
//   command runs. This process only. Wine accepts the call and keeps nothing (its WerGetFlags is a stub), so
//   only a Windows machine shows it.
// - WerAddExcludedApplication(file name, FALSE): WER makes no report for an executable of this name, for this
//   user (a list under HKEY_CURRENT_USER; TRUE would write HKEY_LOCAL_MACHINE, for every user, and needs an
//   administrator: the MSI's business, not the host's). The entry stays
//   after the process ends; setting it at every start is idempotent. Wine keeps the list too (under another
//   registry key), and the unit test reads it back through WerRemoveExcludedApplication.
// None of this stops a process of the same user (or an administrator) from reading the host's memory or
// writing a dump of it on purpose (Task Manager, procdump): Windows has no per-process equivalent of Linux's
// PR_SET_DUMPABLE. Secrets are wiped after use for that reason (secret_memory.hpp, wiping_operator_new.cpp).

namespace {

// From werapi.h, whose MinGW copy does not compile on its own; the functions are looked up at run time.
constexpr DWORD kWerFaultReportingFlagNoHeap = 1;  // WER_FAULT_REPORTING_FLAG_NOHEAP
using WerSetFlagsFunction = HRESULT(WINAPI*)(DWORD);
using WerAddExcludedApplicationFunction = HRESULT(WINAPI*)(PCWSTR, BOOL);

template <typename Function>
Function lookUp(const wchar_t* library, const char* name) {
  HMODULE module = GetModuleHandleW(library);
  if (module == nullptr) module = LoadLibraryExW(library, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module == nullptr) return nullptr;
  return reinterpret_cast<Function>(reinterpret_cast<void*>(GetProcAddress(module, name)));
}

// The executable's file name (certbridge-host.exe): WER keys its exclusion list by file name, and takes at most
// MAX_PATH characters, which a full path under a deep install folder can exceed.
std::wstring executableFileName() {
  std::array<wchar_t, 32768> path{};
  const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  if (length == 0 || length >= path.size()) return {};
  const std::wstring_view full(path.data(), length);
  const std::size_t slash = full.find_last_of(L"\\/");
  return std::wstring(slash == std::wstring_view::npos ? full : full.substr(slash + 1));
}

}  // namespace

void hardenProcess() {
  // No WER for an unhandled exception, and no "program stopped working" box (which would hold the process,
  // with its memory, until the user answers).
  SetErrorMode(GetErrorMode() | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  // A report that is still made leaves the heap out.
  const auto setFlags = lookUp<WerSetFlagsFunction>(L"kernel32.dll", "WerSetFlags");
  if (setFlags == nullptr || FAILED(setFlags(kWerFaultReportingFlagNoHeap))) {
    spdlog::warn("process hardening: cannot leave the heap out of error reports (WerSetFlags)");
  }
  // And none is made for this executable: Windows Error Reporting can collect full dumps by policy.
  const std::wstring name = executableFileName();
  const auto exclude = lookUp<WerAddExcludedApplicationFunction>(L"wer.dll", "WerAddExcludedApplication");
  if (name.empty() || exclude == nullptr || FAILED(exclude(name.c_str(), FALSE))) {
    spdlog::warn("process hardening: cannot exclude the host from Windows Error Reporting");
  }
}

#else

void hardenProcess() {
  // A core file would hold whatever PIN or password the process had in memory when it crashed.
  const rlimit noCore{0, 0};
  if (setrlimit(RLIMIT_CORE, &noCore) != 0) {
    spdlog::warn("process hardening: cannot set the core size limit to 0: {}", std::strerror(errno));
  }
#if defined(__linux__)
  // Also stops a core whatever the limit says (suid_dumpable aside), and ptrace and /proc/<pid>/mem by
  // other processes of the same user.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    spdlog::warn("process hardening: cannot make the process non-dumpable: {}", std::strerror(errno));
  }
#endif
}

#endif

}  // namespace certbridge::host
