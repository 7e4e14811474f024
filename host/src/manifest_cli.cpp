// `certbridge-host install|uninstall`: command-line handling for the manifest installer. `uninstall --user`
// for every browser (no --browser, no --destdir) also removes the rest of the user's CertBridge state
// (user_state_cleanup.hpp): what a package's removal cannot reach, since it runs as root for no one home.

#include <ostream>

#include "certbridge/host/manifest_installer.hpp"
#include "certbridge/protocol.hpp"
#include "platform/environment.hpp"
#include "user_state_cleanup.hpp"

#if !defined(_WIN32)
#include <unistd.h>
#endif

namespace certbridge::host {
namespace {

constexpr const char* kUsage =
    "usage: certbridge-host install [--user|--system] [--browser chrome|chromium|edge|firefox|all]...\n"
    "                               [--host-path PATH] [--chrome-extension-id ID]... [--firefox-extension-id ID]...\n"
    "                               [--destdir DIR [--layout linux|macos]]\n"
    "       certbridge-host uninstall [--user|--system] [--browser ...]... [--destdir DIR [--layout linux|macos]]\n"
    "(uninstall --user without --browser also removes the user's host logs and the card modules\n"
    " registerCertificates added to the user's NSS databases)\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "--name value" or "--name=value".
bool takeValue(std::span<const std::string> args, std::size_t& i, std::string_view name, std::string& value) {
  const std::string& arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) throw UsageError(std::string(name) + " needs a value");
    value = args[++i];
    return true;
  }
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 && arg[name.size()] == '=') {
    value = arg.substr(name.size() + 1);
    return true;
  }
  return false;
}

struct ParsedOptions {
  ManifestOptions manifest;
  bool everyBrowser = true;  ///< No --browser, or --browser all.
};

ParsedOptions parseOptions(bool install, std::span<const std::string> args) {
  ParsedOptions parsed;
  ManifestOptions& options = parsed.manifest;
  std::vector<Browser> browsers;
  bool allBrowsers = false;
  std::optional<std::string> hostPath;
  for (const auto id : protocol::kChromiumExtensionIds) options.chromiumExtensionIds.emplace_back(id);
  options.firefoxExtensionIds.emplace_back(protocol::kFirefoxExtensionId);

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (args[i] == "--user") {
      options.scope = InstallScope::User;
    } else if (args[i] == "--system") {
      options.scope = InstallScope::System;
    } else if (takeValue(args, i, "--browser", value)) {
      if (value == "all") {
        allBrowsers = true;
      } else if (auto browser = browserFromString(value)) {
        browsers.push_back(*browser);
      } else {
        throw UsageError("unknown browser: " + value);
      }
    } else if (takeValue(args, i, "--destdir", value)) {
      options.destDir = value;
#if !defined(_WIN32)
    } else if (takeValue(args, i, "--layout", value)) {
      // Another system's directories, for a package tree built here for that system (the macOS pkg).
      const auto layout = manifestLayoutFromString(value);
      if (!layout) throw UsageError("unknown layout: " + value + " (linux or macos)");
      options.layout = *layout;
#endif
    } else if (install && takeValue(args, i, "--host-path", value)) {
      hostPath = value;
    } else if (install && takeValue(args, i, "--chrome-extension-id", value)) {
      options.chromiumExtensionIds.push_back(value);
    } else if (install && takeValue(args, i, "--firefox-extension-id", value)) {
      options.firefoxExtensionIds.push_back(value);
    } else {
      throw UsageError("unknown option: " + args[i]);
    }
  }
  if (!browsers.empty() && !allBrowsers) {
    options.browsers = browsers;
    parsed.everyBrowser = false;
  }
  options.hostPath = hostPath ? platform::pathFromUtf8(*hostPath) : currentExecutablePath();
  return parsed;
}

}  // namespace

int runManifestCommand(std::string_view subcommand, std::span<const std::string> args, std::ostream& out,
                       std::ostream& err) {
  const bool install = subcommand == "install";
  if (!install && subcommand != "uninstall") {
    err << kUsage;
    return 2;
  }
  ParsedOptions parsed;
  try {
    parsed = parseOptions(install, args);
  } catch (const UsageError& e) {
    err << "certbridge-host " << subcommand << ": " << e.what() << "\n" << kUsage;
    return 2;
  }
  ManifestOptions& options = parsed.manifest;
  try {
#if !defined(_WIN32)
    if (options.scope == InstallScope::System && options.destDir.empty() && geteuid() != 0) {
      err << "certbridge-host " << subcommand << ": --system needs root (run it with sudo)\n";
      return 1;
    }
#endif
    if (options.scope == InstallScope::User) options.user = userDirectoriesFromEnvironment();
    if (install) {
      installManifests(options, out);
    } else {
      uninstallManifests(options, out);
    }
  } catch (const std::exception& e) {
    err << "certbridge-host " << subcommand << ": " << e.what() << "\n";
    return 1;
  }
  if (!install && options.scope == InstallScope::User && parsed.everyBrowser && options.destDir.empty()) {
    if (!removeUserState(out, err)) return 1;
  }
  return 0;
}

}  // namespace certbridge::host
