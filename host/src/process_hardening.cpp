// hardenProcess: no core dumps or crash reports that could hold a PIN.

#include "process_hardening.hpp"

#include <spdlog/spdlog.h>

#if defined(_WIN32)
#include <windows.h>

#include <array>
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

}  // namespace

void hardenProcess() {
  // No "program stopped working" box (it would hold the process, with its memory, until the user answers).
  SetErrorMode(GetErrorMode() | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  // A report that is still made leaves the heap out (where PINs live while a command runs).
  const auto setFlags = lookUp<WerSetFlagsFunction>(L"kernel32.dll", "WerSetFlags");
  if (setFlags == nullptr || FAILED(setFlags(kWerFaultReportingFlagNoHeap))) {
    spdlog::warn("process hardening: cannot leave the heap out of error reports (WerSetFlags)");
  }
  // And none is made for this executable: Windows Error Reporting can collect full dumps by policy.
  std::array<wchar_t, 32768> path{};
  const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  const auto exclude = lookUp<WerAddExcludedApplicationFunction>(L"wer.dll", "WerAddExcludedApplication");
  if (length == 0 || length >= path.size() || exclude == nullptr || FAILED(exclude(path.data(), FALSE))) {
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
