#pragma once
// The host configuration: allowed origins, card profiles and log level. Read once at start from
// $CERTBRIDGE_CONFIG, else the platform's system-wide file (/etc/certbridge/config.json on Linux), then from
// the drop-ins in the config.d directory beside it (*.json, in name order), else built-in defaults. Each
// key a later file sets replaces what earlier files said; a file that cannot be used never stops the host:
// it is reported (log, environment answer) and ignored, and the other files and built-in defaults apply.
// The Linux package ships neither config.json nor any drop-in, so upgrades never touch what IT wrote.
//
// {"allowedOrigins": ["https://ra.example", "http://127.0.0.1:*"],
//  "cardProfiles": [{"id", "displayName", "atr": "3B 95 ...", "atrMask": "FF ...", "module": "/path/lib.so",
//                    "tokenLabel", "pins": [{"name", "minLength", "maxLength", "maxTries"}], "keySizes": [2048]}],
//  "logLevel": "info", "cardBusyWaitSeconds": 10, "unblockLifetimeSeconds": 600}
// allowedOrigins, when present, replaces the built-in list. Unknown keys are ignored with a warning.
// On Windows, IT's policy in the registry applies on top of these files (host_policy.hpp).

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "certbridge/card/card_profile.hpp"
#include "certbridge/host/origin.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {

/// The names of the places settings come from, as the environment answer gives them.
inline constexpr std::string_view kSourceMachinePolicy = "HKLM policy";
inline constexpr std::string_view kSourceUserPolicy = "HKCU policy";
inline constexpr std::string_view kSourceConfigFile = "config file";
inline constexpr std::string_view kSourceBuiltIn = "built-in defaults";

/// A setting that was ignored, and why: shown in the host log and the environment answer.
struct PolicyProblem {
  std::string source;  ///< kSourceConfigFile, kSourceMachinePolicy ...
  std::string entry;   ///< The key or registry value name ("LogLevel"), or "(file)".
  std::string reason;  ///< In English, for IT.
};

/// A place settings were read from.
struct PolicySource {
  std::string name;      ///< kSourceMachinePolicy, kSourceUserPolicy, kSourceConfigFile or kSourceBuiltIn.
  std::string location;  ///< The registry key or file path; empty for the built-in defaults.
};

/// Where the configuration in force came from, for the environment answer. Each "from" lists the sources
/// of that setting, the one that wins first.
struct PolicyReport {
  std::vector<PolicySource> sources;  ///< Every source that was read, the one that wins first.
  std::vector<std::string> allowedOriginsFrom;
  std::vector<std::string> cardProfilesFrom;
  std::vector<std::string> logLevelFrom;
  std::vector<PolicyProblem> problems;
};

inline constexpr std::chrono::milliseconds kLongestUnblockLifetime{protocol::kUnblockAuthorizationLifetimeMs};

/// The configuration in effect.
struct HostConfig {
  std::vector<OriginPattern> allowedOrigins;
  std::vector<card::CardProfile> cardProfiles;
  std::string logLevel = "info";  ///< trace, debug, info, warn, error, critical or off.
  /// How long a card operation waits for a card another host process is using before answering BUSY.
  std::chrono::seconds cardBusyWait{10};
  /// How long an unblockRequest's one-time key waits for the RA's authorization. A policy may shorten it,
  /// never lengthen it: the extension keeps the host process no longer than protocol.json says.
  std::chrono::milliseconds unblockLifetime = kLongestUnblockLifetime;
  /// The file this came from; empty when the built-in defaults apply.
  std::optional<std::filesystem::path> file;
  /// Where each setting came from and what was ignored.
  PolicyReport policy;

  /// True when some allowedOrigins pattern matches the origin.
  bool isOriginAllowed(std::string_view origin) const;

  /// The build's defaults: origins from CERTBRIDGE_DEFAULT_ORIGINS (and loopback http if enabled at
  /// build time), no card profiles, log level info.
  static HostConfig builtInDefaults();
};

/// A configuration file that cannot be used; what() says why.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses configuration JSON. Throws ConfigError on invalid JSON, wrong types or bad values (including
/// a card profile the card library rejects). Unknown keys are ignored and described in warnings.
HostConfig parseConfig(std::string_view text, std::vector<std::string>& warnings);

/// The same for configuration already parsed (strictly: no duplicate keys), e.g. files merged key by key.
HostConfig configFromJson(const nlohmann::json& root, std::vector<std::string>& warnings);

/// Parses a card-profile table: a JSON array of the profiles config.json's cardProfiles holds. Throws
/// ConfigError as parseConfig does.
std::vector<card::CardProfile> parseCardProfiles(std::string_view text, std::vector<std::string>& warnings);

/// What loading the configuration did, for the log.
struct ConfigLoad {
  HostConfig config;
  std::vector<std::string> warnings;
  std::string error;  ///< Why the main file was not used; empty if it was (or is absent and not required).
};

/// Where the configuration is looked for: $CERTBRIDGE_CONFIG if set, else /etc/certbridge/config.json
/// (Windows %ProgramData%\CertBridge\config.json, macOS /Library/Application Support/CertBridge/config.json).
std::filesystem::path configFilePath();

/// The drop-in directory that goes with a configuration file: "config.d" beside it.
std::filesystem::path configDropInDirectory(const std::filesystem::path& configFile);

/// Loads the file at path, then the drop-ins of configDropInDirectory(path): regular files named *.json
/// (not starting with "."), in byte order of their names, at most protocol::kConfigDropInMaxFiles, each at
/// most protocol::kConfigFileMaxBytes. Every file must be valid on its own; a later file's top-level keys
/// replace the earlier files' values. A missing file at the default location is not an error (built-in
/// defaults); a missing file named by $CERTBRIDGE_CONFIG is (explicit), as is any unreadable or invalid
/// file, which is then ignored as a whole. config.policy lists every file read (the last drop-in first) and
/// says which settings the files set; errors and warnings are also its problems, each naming its file.
ConfigLoad loadConfig(const std::filesystem::path& path, bool explicitlyNamed);

/// loadConfig(configFilePath(), $CERTBRIDGE_CONFIG is set).
ConfigLoad loadConfig();

}  // namespace certbridge::host
