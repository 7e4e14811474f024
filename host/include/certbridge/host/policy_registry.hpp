#pragma once
// The seam between the host's policy logic and the Windows registry: one call that reads a value under a
// key of HKLM or HKCU. The host's policy overlay (host_policy.hpp) only talks to this interface, so its
// precedence and error handling are unit-tested on any OS with a registry in memory; the real
// implementation (RegGetValueW) exists on Windows only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certbridge::host {

/// The two registry hives that hold Group Policy: the machine's and the signed-in user's.
enum class RegistryHive { LocalMachine, CurrentUser };

/// "HKLM" or "HKCU".
std::string_view hiveName(RegistryHive hive) noexcept;

/// One registry value as the host sees it.
struct RegistryValue {
  enum class Kind {
    String,      ///< REG_SZ or REG_EXPAND_SZ (expanded): text holds it as UTF-8.
    Dword,       ///< REG_DWORD: number holds it.
    OtherType,   ///< Any other type (REG_MULTI_SZ, REG_BINARY, REG_QWORD ...): typeName says which.
    Unreadable,  ///< The value exists but cannot be read (access denied, too large): typeName says why.
  };
  Kind kind = Kind::String;
  std::string text;
  std::uint32_t number = 0;
  std::string typeName;  ///< The registry type's name ("REG_DWORD") or the reason it cannot be read.

  static RegistryValue string(std::string text) { return {Kind::String, std::move(text), 0, "REG_SZ"}; }
  static RegistryValue dword(std::uint32_t number) { return {Kind::Dword, {}, number, "REG_DWORD"}; }
};

/// Reads values from the registry.
class RegistryReader {
 public:
  virtual ~RegistryReader() = default;
  /// The value `name` under `key` (a path below the hive, "SOFTWARE\\Policies\\CertBridge"), or nullopt
  /// when the key or the value does not exist. Never throws.
  virtual std::optional<RegistryValue> read(RegistryHive hive, std::string_view key, std::string_view name) const = 0;
  /// The names of the values under `key` (a browser's numbered policy list), empty when the key does not
  /// exist or cannot be read. Never throws.
  virtual std::vector<std::string> valueNames(RegistryHive /*hive*/, std::string_view /*key*/) const { return {}; }
};

/// The operating system's registry (RegGetValueW) on Windows; nullptr elsewhere, where there is none.
std::unique_ptr<RegistryReader> systemRegistry();

}  // namespace certbridge::host
