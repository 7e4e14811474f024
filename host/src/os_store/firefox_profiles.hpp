#pragma once
// Firefox profiles of the user, found through profiles.ini, each with its own NSS database in the profile
// directory. CertBridge registers the card's module in each of them (rather than through Firefox's
// SecurityDevices enterprise policy): the host runs as the user and can change the user's profiles, while the
// policy file (policies.json) is system-wide, needs root and belongs to the installer or the administrator.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace certbridge::host::os_store {

struct FirefoxProfile {
  std::string name;                 ///< Name= of the profile ("default-esr").
  std::filesystem::path directory;  ///< The profile directory (absolute).
};

/// The [ProfileN] sections of a profiles.ini text; relative paths (IsRelative=1) are taken from iniDirectory.
/// Sections without a Path are skipped; [General] and [Install...] are ignored.
std::vector<FirefoxProfile> parseProfilesIni(std::string_view text, const std::filesystem::path& iniDirectory);

/// Where Firefox keeps profiles.ini for a user: ~/.mozilla/firefox (Debian's firefox-esr and Mozilla's
/// builds), $XDG_CONFIG_HOME/mozilla/firefox (newer releases), ~/snap/firefox/common/.mozilla/firefox (snap).
std::vector<std::filesystem::path> firefoxProfileRoots(const std::filesystem::path& home,
                                                       const std::filesystem::path& xdgConfigHome);

/// The user's Firefox profiles whose directory exists, from every root's profiles.ini, without repeats.
/// Empty when Firefox is not installed or never ran.
std::vector<FirefoxProfile> findFirefoxProfiles(const std::filesystem::path& home,
                                                const std::filesystem::path& xdgConfigHome);

}  // namespace certbridge::host::os_store
