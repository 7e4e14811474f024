#pragma once
// Reading the PKCS#11 call counter's files (tests/pkcs11_counter, README.md there) from tests and benchmarks.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include "call_counts.h"

namespace certbridge::testing {

/// Calls per PKCS#11 function name, summed over every process that counted into one directory.
struct Pkcs11CallCounts {
  std::map<std::string, std::uint64_t> byFunction;

  /// Calls that reach the token or its slot: every call but C_GetFunctionList, C_Initialize and C_GetInfo,
  /// which only the module answers. C_Finalize counts: it closes the sessions (and so logs the card out), the
  /// work of an application's C_Logout and C_CloseSession. On a real card most of these cost APDUs.
  std::uint64_t tokenCalls() const {
    std::uint64_t total = 0;
    for (const auto& [name, count] : byFunction) {
      if (name != "C_GetFunctionList" && name != "C_Initialize" && name != "C_GetInfo") {
        total += count;
      }
    }
    return total;
  }
  std::uint64_t operator[](std::string_view name) const {
    const auto found = byFunction.find(std::string(name));
    return found == byFunction.end() ? 0 : found->second;
  }
  /// "C_FindObjects 3, C_GetAttributeValue 12, ..." (the functions called at least once).
  std::string summary() const {
    std::string text;
    for (const auto& [name, count] : byFunction) {
      if (count != 0) text += (text.empty() ? "" : ", ") + name + " " + std::to_string(count);
    }
    return text.empty() ? "none" : text;
  }
};

/// Sums the counter files in directory (each process writes its own <pid>.counts).
inline Pkcs11CallCounts readPkcs11CallCounts(const std::filesystem::path& directory) {
  Pkcs11CallCounts counts;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".counts") continue;
    std::ifstream file(entry.path(), std::ios::binary);
    for (int i = 0; i < CERTBRIDGE_PKCS11_FUNCTION_COUNT; ++i) {
      std::uint64_t count = 0;
      if (!file.read(reinterpret_cast<char*>(&count), sizeof count)) break;
      if (count != 0) counts.byFunction[certbridge_pkcs11_function_names[i]] += count;
    }
  }
  return counts;
}

/// Removes the counter files, so the next read covers only what runs after.
inline void clearPkcs11CallCounts(const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".counts") std::filesystem::remove(entry.path());
  }
}

}  // namespace certbridge::testing
