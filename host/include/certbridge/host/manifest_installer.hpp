#pragma once
// Registers the host with browsers: writes (or removes) the native-messaging manifests for Chrome,
// Chromium, Edge and Firefox, per user or system-wide, with our extension IDs filled in.
// Linux and macOS: one JSON file per browser in the browser's NativeMessagingHosts directory.
// Windows: one JSON file per browser next to the host executable, named by the default value of
// HKCU|HKLM\SOFTWARE\<browser>\NativeMessagingHosts\<name>.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace certbridge::host {

enum class Browser { Chrome, Chromium, Edge, Firefox };
enum class InstallScope { User, System };

/// Whose manifest directories to use (Linux and macOS; Windows registers through the registry). A host
/// built for one system writes the other's only into a package tree (destDir): the macOS pkg inputs are
/// made on Linux by the Linux host, so the manifests' format and locations still live only here.
enum class ManifestLayout { Linux, MacOS };

/// The layout of the system this host was built for.
#if defined(__APPLE__)
inline constexpr ManifestLayout kNativeManifestLayout = ManifestLayout::MacOS;
#else
inline constexpr ManifestLayout kNativeManifestLayout = ManifestLayout::Linux;
#endif

/// "linux", "macos".
std::string_view toString(ManifestLayout layout) noexcept;
std::optional<ManifestLayout> manifestLayoutFromString(std::string_view name) noexcept;

/// "chrome", "chromium", "edge", "firefox".
std::string_view toString(Browser browser) noexcept;
std::optional<Browser> browserFromString(std::string_view name) noexcept;

/// The directories per-user locations derive from.
struct UserDirectories {
  std::filesystem::path home;
  std::optional<std::filesystem::path> xdgConfigHome;  ///< Linux: Chrome, Chromium and Edge honour it.
};

/// $HOME (Windows: %USERPROFILE%) and $XDG_CONFIG_HOME; throws InstallerError if there is no home.
UserDirectories userDirectoriesFromEnvironment();

/// What to install or remove.
struct ManifestOptions {
  InstallScope scope = InstallScope::User;
  std::vector<Browser> browsers{Browser::Chrome, Browser::Chromium, Browser::Edge, Browser::Firefox};
  std::filesystem::path hostPath;                 ///< Absolute path of certbridge-host.
  std::vector<std::string> chromiumExtensionIds;  ///< Allowed Chrome/Chromium/Edge extension IDs.
  std::vector<std::string> firefoxExtensionIds;   ///< Allowed Firefox add-on IDs.
  UserDirectories user;                           ///< For InstallScope::User.
  /// Prefix for every path (a package staging tree); empty for the real system. Not used on Windows.
  std::filesystem::path destDir;
  /// Whose directories; another system's only with a destDir (installManifests refuses otherwise).
  ManifestLayout layout = kNativeManifestLayout;
};

/// A manifest installation or removal that failed; what() is for the user.
class InstallerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Manifest file for a browser and scope (Windows: the file next to the host executable).
std::filesystem::path manifestPath(Browser browser, const ManifestOptions& options);

/// The registry key (below HKCU or HKLM) whose default value names the browser's manifest file on Windows.
std::string manifestRegistryKey(Browser browser);

/// The manifest's content.
nlohmann::json manifestJson(Browser browser, const ManifestOptions& options);

/// 32 characters a-p.
bool isValidChromiumExtensionId(std::string_view id) noexcept;
/// "name@domain" or "{GUID}".
bool isValidFirefoxExtensionId(std::string_view id) noexcept;

/// Writes every selected manifest (atomically: temporary file, then rename) and prints one line per file.
void installManifests(const ManifestOptions& options, std::ostream& out);

/// Removes our manifest from every selected location (never anything else); prints one line per location.
/// Removing what is not there is not an error.
void uninstallManifests(const ManifestOptions& options, std::ostream& out);

/// The absolute path of the running executable.
std::filesystem::path currentExecutablePath();

/// Runs `certbridge-host install|uninstall [options]`; args exclude the subcommand. Returns the exit code:
/// 0 done, 1 failed (e.g. --system without root), 2 bad usage.
int runManifestCommand(std::string_view subcommand, std::span<const std::string> args, std::ostream& out,
                       std::ostream& err);

}  // namespace certbridge::host
