#pragma once
// The local-checks seam: where this operating system keeps what `doctor` looks at (the browsers' native-
// messaging registrations, their policies, the smart card service), one file per platform
// (local_places_posix.cpp: files under /etc and the home folder, pcscd; local_places_windows.cpp: the
// registry, the Smart Card service). local_checks.cpp turns what they find into rows, the same on every OS.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "certbridge/host/manifest_installer.hpp"
#include "environment_rows.hpp"

namespace certbridge::cli {

struct LocalCheckOptions {
  /// Prefix for the system-wide locations (a package staging tree); empty for this computer. POSIX only.
  std::filesystem::path destDir;
};

namespace local_places {

/// The OS family, as messages.json "fixByOs" names it ("linux", "windows", "macos").
std::string_view thisOs();

/// One place a browser looks for our manifest: a file (POSIX), or a registry key whose default value names
/// the file (Windows). file is the manifest file when this place has one, else nullopt.
struct ManifestPlace {
  std::string where;
  std::optional<std::filesystem::path> file;
};

/// The places of a browser, in the order it looks (per user first, then system-wide).
std::vector<ManifestPlace> manifestPlaces(host::Browser browser, const LocalCheckOptions& options);

/// The program a manifest's "path" names, as the browser resolves it (Windows: a relative path from the
/// manifest's folder; POSIX: absolute only), or nullopt when the browser would not accept it.
std::optional<std::filesystem::path> manifestProgram(const std::filesystem::path& manifest, const std::string& path);

/// True when the program exists and this user may start it.
bool isStartableProgram(const std::filesystem::path& program);

/// One set of browser policies: a policy file (POSIX), or a browser's policy key in one hive (Windows),
/// given as the JSON a policy file would hold (nullopt: there, but unreadable). text: what the support
/// bundle keeps of it.
struct PolicySource {
  host::Browser browser;
  std::string where;
  std::optional<nlohmann::json> policy;
  std::string text;
};

/// Every set of browser policies in force on this computer.
std::vector<PolicySource> browserPolicies(const LocalCheckOptions& options);

/// Catalogue keys: the detail line naming a policy source ({path}); the line when there is none.
std::string_view policySourceKey();
std::string_view noPoliciesKey();

/// The smart card service's row (pcscd on POSIX, the Smart Card service on Windows).
Row smartCardServiceRow();

}  // namespace local_places
}  // namespace certbridge::cli
