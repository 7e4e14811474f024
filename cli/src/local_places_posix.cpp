// Where Linux and macOS keep what `doctor` looks at: manifest files in the home folder and under /etc (or
// /Library), policy files under /etc and the browsers' folders, and pcscd's socket and systemd units.

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "certbridge/host/browser_policy_files.hpp"
#include "local_places.hpp"
#include "row_parts.hpp"

namespace certbridge::cli::local_places {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

using row_parts::line;

bool pathExists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error);
}

fs::path underDestDir(const fs::path& destDir, const fs::path& path) {
  return destDir.empty() ? path : destDir / path.relative_path();
}

// Firefox's policies.json, wherever a Firefox build of this system reads it (system-wide; IT's files).
constexpr std::array<std::string_view, 3> kFirefoxPolicyFiles = {"/etc/firefox/policies/policies.json",
                                                                 "/usr/lib/firefox-esr/distribution/policies.json",
                                                                 "/usr/lib/firefox/distribution/policies.json"};

host::Browser chromiumBrowser(const std::string& name) {
  if (name == "chrome") return host::Browser::Chrome;
  if (name == "edge") return host::Browser::Edge;
  return host::Browser::Chromium;
}

// Every policy file in force: the Chromium family's directories (the host's list, which its environment answer
// reads too), then Firefox's files.
std::vector<std::pair<host::Browser, fs::path>> policyFiles(const LocalCheckOptions& options) {
  std::vector<std::pair<host::Browser, fs::path>> files;
  for (const auto& directory : host::systemBrowserPolicyDirectories()) {
    for (auto& path : host::policyFilesIn(underDestDir(options.destDir, directory.path))) {
      files.emplace_back(chromiumBrowser(directory.browser), std::move(path));
    }
  }
  for (const auto file : kFirefoxPolicyFiles) {
    const fs::path location = underDestDir(options.destDir, fs::path(file));
    if (pathExists(location)) files.emplace_back(host::Browser::Firefox, location);
  }
  return files;
}

std::string runQuiet(const std::string& commandLine) {
  std::string output;
  if (FILE* pipe = ::popen(commandLine.c_str(), "r")) {
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) output += buffer.data();
    ::pclose(pipe);
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return output;
}

}  // namespace

std::string_view thisOs() {
#if defined(__APPLE__)
  return "macos";
#else
  return "linux";
#endif
}

std::vector<ManifestPlace> manifestPlaces(host::Browser browser, const LocalCheckOptions& options) {
  std::vector<fs::path> locations;
  host::ManifestOptions manifest;
  manifest.browsers = {browser};
  try {
    manifest.user = host::userDirectoriesFromEnvironment();
    manifest.scope = host::InstallScope::User;
    locations.push_back(host::manifestPath(browser, manifest));
  } catch (const host::InstallerError&) {
    // No home folder: only the system-wide manifest can apply.
  }
  manifest.scope = host::InstallScope::System;
  manifest.destDir = options.destDir;
  locations.push_back(host::manifestPath(browser, manifest));
  std::vector<ManifestPlace> places;
  for (const auto& path : locations) {
    places.push_back({path.string(), pathExists(path) ? std::optional<fs::path>(path) : std::nullopt});
  }
  return places;
}

std::optional<fs::path> manifestProgram(const fs::path& /*manifest*/, const std::string& path) {
  fs::path program(path);
  if (!program.is_absolute()) return std::nullopt;  // Chrome and Firefox on Linux and macOS need an absolute path
  return program;
}

bool isStartableProgram(const fs::path& program) {
  return pathExists(program) && ::access(program.c_str(), X_OK) == 0;
}

std::vector<PolicySource> browserPolicies(const LocalCheckOptions& options) {
  std::vector<PolicySource> sources;
  for (auto& [browser, path] : policyFiles(options)) {
    PolicySource source{browser, path.string(), std::nullopt, {}};
    std::string error;
    source.text = host::readPolicyFile(path, error);
    if (error.empty()) {
      // Chromium and Firefox both read their policy files with comments allowed.
      json parsed = json::parse(source.text, nullptr, false, true);
      if (!parsed.is_discarded()) source.policy = std::move(parsed);
    }
    sources.push_back(std::move(source));
  }
  return sources;
}

std::string_view policySourceKey() {
  return "envCheck.value.policyFile";
}

std::string_view noPoliciesKey() {
  return "envCheck.value.policyNone";
}

Row smartCardServiceRow() {
  Row row{"pcscService", nullptr, "local", "ok", line("envCheck.row.pcscService"), {}, nullptr, nullptr};
  const char* named = std::getenv("PCSCLITE_CSOCK_NAME");
  const fs::path socket = named != nullptr && *named != '\0' ? fs::path(named) : fs::path("/run/pcscd/pcscd.comm");
  const bool present = pathExists(socket);
  row.details.push_back(line(present ? "envCheck.value.serviceSocket" : "envCheck.value.serviceSocketMissing",
                             {{"path", socket.string()}}));
  // systemd starts pcscd on demand through its socket unit: the socket unit being active is what matters.
  if (::access("/run/systemd/system", F_OK) == 0) {
    for (const char* unit : {"pcscd.socket", "pcscd.service"}) {
      const std::string state = runQuiet(std::string("systemctl is-active ") + unit + " 2>/dev/null");
      row.details.push_back(
          line("envCheck.value.serviceUnit", {{"unit", unit}, {"state", state.empty() ? "?" : state}}));
    }
  }
  if (!present) {
    row.status = "error";
    row.error = {{"code", "PCSC_UNAVAILABLE"}, {"os", thisOs()}};
  }
  return row;
}

}  // namespace certbridge::cli::local_places
