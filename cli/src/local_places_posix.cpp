// Where Linux and macOS keep what `doctor` looks at: manifest files in the home folder and under /etc (or
// /Library), policy files under /etc and the browsers' folders, and pcscd's socket and systemd units.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

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

// Where each browser reads its policies (system-wide; IT's files).
struct PolicyPlace {
  host::Browser browser;
  std::string_view location;  ///< A directory of *.json files (Chromium family) or one file (Firefox).
  bool directory;
};
constexpr std::array<PolicyPlace, 6> kPolicyPlaces = {
    {{host::Browser::Chrome, "/etc/opt/chrome/policies/managed", true},
     {host::Browser::Chromium, "/etc/chromium/policies/managed", true},
     {host::Browser::Edge, "/etc/opt/edge/policies/managed", true},
     {host::Browser::Firefox, "/etc/firefox/policies/policies.json", false},
     {host::Browser::Firefox, "/usr/lib/firefox-esr/distribution/policies.json", false},
     {host::Browser::Firefox, "/usr/lib/firefox/distribution/policies.json", false}}};

std::vector<std::pair<host::Browser, fs::path>> policyFiles(const LocalCheckOptions& options) {
  std::vector<std::pair<host::Browser, fs::path>> files;
  for (const auto& place : kPolicyPlaces) {
    const fs::path location = underDestDir(options.destDir, fs::path(place.location));
    if (!place.directory) {
      if (pathExists(location)) files.emplace_back(place.browser, location);
      continue;
    }
    std::error_code error;
    std::vector<fs::path> inDirectory;
    for (const auto& entry : fs::directory_iterator(location, error)) {
      if (entry.path().extension() == ".json") inDirectory.push_back(entry.path());
    }
    std::sort(inDirectory.begin(), inDirectory.end());
    for (auto& path : inDirectory) files.emplace_back(place.browser, std::move(path));
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
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream text;
      text << in.rdbuf();
      source.text = text.str();
      json parsed = json::parse(source.text, nullptr, false);
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
