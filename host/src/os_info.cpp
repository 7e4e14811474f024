#include "os_info.hpp"

#include <fstream>
#include <string>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <sys/utsname.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

namespace certbridge::host {
namespace {

#if !defined(_WIN32) && !defined(__APPLE__)
// PRETTY_NAME from /etc/os-release, unquoted.
std::string linuxDistribution() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) value = value.substr(1, value.size() - 2);
    return value;
  }
  return {};
}
#endif

}  // namespace

OsInfo currentOsInfo() {
  OsInfo info;
#if defined(_WIN32)
  info.name = "Windows";
  using RtlGetVersionFn = LONG(WINAPI*)(PRTL_OSVERSIONINFOW);
  if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
    // Through a generic function pointer type, which -Wcast-function-type accepts.
    auto rtlGetVersion =
        reinterpret_cast<RtlGetVersionFn>(reinterpret_cast<void (*)()>(GetProcAddress(ntdll, "RtlGetVersion")));
    RTL_OSVERSIONINFOW version{};
    version.dwOSVersionInfoSize = sizeof version;
    if (rtlGetVersion != nullptr && rtlGetVersion(&version) == 0) {
      info.version = std::to_string(version.dwMajorVersion) + "." + std::to_string(version.dwMinorVersion) + "." +
                     std::to_string(version.dwBuildNumber);
    }
  }
  SYSTEM_INFO system{};
  GetNativeSystemInfo(&system);
  info.arch = system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
              : system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "arm64"
              : system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_INTEL ? "x86"
                                                                              : "unknown";
#else
  utsname uts{};
  if (uname(&uts) == 0) {
    info.name = uts.sysname;
    info.version = uts.release;
    info.arch = uts.machine;
  }
#if defined(__APPLE__)
  info.name = "macOS";
  char product[64] = {};
  size_t size = sizeof product;
  if (sysctlbyname("kern.osproductversion", product, &size, nullptr, 0) == 0) info.version = product;
#else
  if (auto distribution = linuxDistribution(); !distribution.empty()) info.name = distribution;
#endif
#endif
  return info;
}

}  // namespace certbridge::host
