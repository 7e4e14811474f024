#pragma once
// Policy for IT on Windows: the values Group Policy (the ADMX template in installer/windows/policy/), Intune
// or the MSI write under HKLM and HKCU\SOFTWARE\Policies\CertBridge, applied on top of the configuration
// file (config.hpp).
//
//   AllowedOrigins  REG_SZ  origins separated by spaces or ";" ("https://ra.example https://ra2.example:8443").
//                           Added to the file's (or the built-in) list, as the extension's default "extend"
//                           mode adds its policy's origins: one value means the same to both.
//   LogLevel        REG_SZ  trace, debug, info, warn, error, critical or off. Wins over the file's.
//   CardProfiles    REG_SZ  the JSON array config.json's cardProfiles holds, or the path of a file holding
//                           it (REG_EXPAND_SZ may use %ProgramData%). Replaces the file's table.
//
// Precedence, value by value as Windows policy goes: the machine's (HKLM) wins over the user's (HKCU),
// which wins over the file; the file is what the installer or a local administrator wrote, the policy is
// what IT enforces. A value that cannot be used (wrong type, not an origin, unknown level, broken JSON) is
// ignored as if it were not set, so the next source applies, and reported: in the log and in the
// environment answer. It never stops the host.

#include <array>
#include <string_view>

#include "certbridge/host/config.hpp"
#include "certbridge/host/policy_registry.hpp"

namespace certbridge::host {

/// The policy key under HKLM and HKCU.
inline constexpr std::string_view kPolicyKey = "SOFTWARE\\Policies\\CertBridge";
inline constexpr std::string_view kPolicyAllowedOrigins = "AllowedOrigins";
inline constexpr std::string_view kPolicyLogLevel = "LogLevel";
inline constexpr std::string_view kPolicyCardProfiles = "CardProfiles";
/// Every value the host reads under kPolicyKey (the ADMX template must set exactly these).
inline constexpr std::array<std::string_view, 3> kPolicyValueNames = {kPolicyAllowedOrigins, kPolicyLogLevel,
                                                                      kPolicyCardProfiles};

/// Applies the policy values registry holds on top of load.config, and records in load.config.policy where
/// each setting now comes from and every value that was ignored.
void applyRegistryPolicy(ConfigLoad& load, const RegistryReader& registry);

/// loadConfig(), then on Windows the registry policy: the configuration the host runs with.
ConfigLoad loadConfigAndPolicy();

}  // namespace certbridge::host
