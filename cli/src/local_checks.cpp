#include "local_checks.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include "certbridge/host/manifest_installer.hpp"
#include "certbridge/protocol.hpp"
#include "row_parts.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

json line(std::string_view key, json params = nullptr) {
  json part = {{"key", key}};
  if (!params.is_null()) part["params"] = std::move(params);
  return part;
}

// What browsers are called in the rows (product names, the same in every language).
constexpr std::array<std::pair<host::Browser, std::string_view>, 4> kBrowsers = {
    {{host::Browser::Chrome, "Google Chrome"},
     {host::Browser::Chromium, "Chromium"},
     {host::Browser::Edge, "Microsoft Edge"},
     {host::Browser::Firefox, "Firefox"}}};

std::optional<json> readJsonFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  json parsed = json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

bool pathExists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error);
}

fs::path underDestDir(const fs::path& destDir, const fs::path& path) {
  return destDir.empty() ? path : destDir / path.relative_path();
}

// The manifest's locations for a browser: per user first, then system-wide (the order browsers look in).
std::vector<fs::path> manifestLocations(host::Browser browser, const LocalCheckOptions& options) {
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
  return locations;
}

bool namesOurExtension(host::Browser browser, const json& manifest) {
  if (browser == host::Browser::Firefox) {
    const json& allowed = manifest.value("allowed_extensions", json::array());
    return allowed.is_array() &&
           std::find(allowed.begin(), allowed.end(), json(protocol::kFirefoxExtensionId)) != allowed.end();
  }
  const json& allowed = manifest.value("allowed_origins", json::array());
  if (!allowed.is_array()) return false;
  return std::any_of(protocol::kChromiumExtensionIds.begin(), protocol::kChromiumExtensionIds.end(), [&](auto id) {
    return std::find(allowed.begin(), allowed.end(), json("chrome-extension://" + std::string(id) + "/")) !=
           allowed.end();
  });
}

Row manifestRow(host::Browser browser, std::string_view browserName, const LocalCheckOptions& options) {
  Row row{"manifest", browserName, "local", "ok", line("envCheck.row.manifest", {{"browser", browserName}}),
          {},         nullptr,     nullptr};
  const std::vector<fs::path> locations = manifestLocations(browser, options);
  const auto found =
      std::find_if(locations.begin(), locations.end(), [](const fs::path& path) { return pathExists(path); });
  if (found == locations.end()) {
    std::string looked;
    for (const auto& path : locations) looked += (looked.empty() ? "" : ", ") + path.string();
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestMissing", {{"paths", looked}}));
    row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"os", "linux"}};
    return row;
  }
  row.details.push_back(line("envCheck.value.manifestAt", {{"path", found->string()}}));
  const std::optional<json> manifest = readJsonFile(*found);
  if (!manifest || !manifest->is_object() || manifest->value("name", std::string()) != protocol::kNativeHostName ||
      !manifest->value("path", json()).is_string()) {
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestUnreadable"));
    row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"os", "linux"}};
    return row;
  }
  const fs::path host = (*manifest)["path"].get<std::string>();
  row.details.push_back(line("envCheck.value.manifestHost", {{"path", host.string()}}));
  if (!host.is_absolute() || !pathExists(host) || ::access(host.c_str(), X_OK) != 0) {
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestHostMissing", {{"path", host.string()}}));
    row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"os", "linux"}};
    return row;
  }
  if (!namesOurExtension(browser, *manifest)) {
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestExtensionMissing"));
    row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"cause", "forbidden"}, {"os", "linux"}};
  }
  return row;
}

// Where each browser reads its policies on Linux (system-wide; IT's files).
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

bool listHas(const json& list, std::string_view value) {
  return list.is_array() && std::find(list.begin(), list.end(), json(value)) != list.end();
}

// What one policy file says about our host and extension: detail lines, and whether it blocks the host.
bool readPolicy(host::Browser browser, const json& policy, std::vector<json>& details) {
  bool blocks = false;
  if (browser == host::Browser::Firefox) {
    const json& policies = policy.value("policies", json::object());
    const json& settings = policies.value("ExtensionSettings", json::object());
    const json& ours = settings.is_object() ? settings.value(std::string(protocol::kFirefoxExtensionId),
                                                             settings.value("*", json::object()))
                                            : json::object();
    if (ours.is_object() && ours.value("installation_mode", std::string()) == "blocked") {
      details.push_back(line("envCheck.value.policyBlocksExtension", {{"entry", "ExtensionSettings"}}));
      blocks = true;
    }
    const json& managed = policies.value("3rdparty", json::object()).value("Extensions", json::object());
    if (managed.is_object() && managed.contains(protocol::kFirefoxExtensionId)) {
      details.push_back(line("envCheck.value.policyManagedSettings",
                             {{"value", managed[std::string(protocol::kFirefoxExtensionId)].dump()}}));
    }
    return blocks;
  }
  const json& blocklist = policy.value("NativeMessagingBlocklist", json::array());
  const json& allowlist = policy.value("NativeMessagingAllowlist", json::array());
  if ((listHas(blocklist, "*") || listHas(blocklist, protocol::kNativeHostName)) &&
      !listHas(allowlist, protocol::kNativeHostName)) {
    details.push_back(line("envCheck.value.policyBlocksHost", {{"entry", "NativeMessagingBlocklist"}}));
    blocks = true;
  }
  if (policy.value("NativeMessagingUserLevelHosts", true) == false) {
    details.push_back(line("envCheck.value.policyNoUserHosts", {{"entry", "NativeMessagingUserLevelHosts"}}));
  }
  const json& managed = policy.value("3rdparty", json::object()).value("extensions", json::object());
  for (const auto id : protocol::kChromiumExtensionIds) {
    if (managed.is_object() && managed.contains(id)) {
      details.push_back(line("envCheck.value.policyManagedSettings", {{"value", managed[std::string(id)].dump()}}));
    }
  }
  return blocks;
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

std::vector<Row> manifestRows(const LocalCheckOptions& options) {
  std::vector<Row> rows;
  for (const auto& [browser, name] : kBrowsers) rows.push_back(manifestRow(browser, name, options));
  // A browser the user does not have needs no registration: missing is a problem only when no browser has one.
  const bool anyRegistered = std::any_of(rows.begin(), rows.end(), [](const Row& row) { return row.status == "ok"; });
  if (anyRegistered) {
    for (auto& row : rows) {
      const bool missing = row.details.size() == 1 && row.details[0]["key"] == "envCheck.value.manifestMissing";
      if (missing) row.status = "warning";
    }
  }
  return rows;
}

std::vector<Row> browserPolicyRows(const LocalCheckOptions& options) {
  std::vector<Row> rows;
  for (const auto& [browser, path] : policyFiles(options)) {
    // A copy for the lambda: clang before 16 cannot capture a structured binding.
    const auto& wanted = browser;
    const std::string_view name = std::find_if(kBrowsers.begin(), kBrowsers.end(), [&](const auto& entry) {
                                    return entry.first == wanted;
                                  })->second;
    Row row{"browserPolicy",
            name,
            "local",
            "ok",
            line("envCheck.row.browserPolicy", {{"browser", name}}),
            {line("envCheck.value.policyFile", {{"path", path.string()}})},
            nullptr,
            nullptr};
    const std::optional<json> policy = readJsonFile(path);
    if (!policy || !policy->is_object()) {
      row.status = "warning";
      row.details.push_back(line("envCheck.value.policyUnreadable"));
    } else if (readPolicy(browser, *policy, row.details)) {
      row.status = "error";
      row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"cause", "policy"}, {"os", "linux"}};
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    rows.push_back(Row{"browserPolicy",
                       nullptr,
                       "local",
                       "ok",
                       line("envCheck.row.browserPolicies"),
                       {line("envCheck.value.policyNone")},
                       nullptr,
                       nullptr});
  }
  return rows;
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
    row.error = {{"code", "PCSC_UNAVAILABLE"}, {"os", "linux"}};
  }
  return row;
}

Row cardProfilesRow(const host::HostConfig& config) {
  Row row{"cardProfiles", nullptr, "local", "ok", line("envCheck.row.cardProfiles"), {}, nullptr, nullptr};
  // The host's names for the sources, worded in the reader's language as the host row words them.
  row.details.push_back(line("envCheck.value.cardProfilesFrom",
                             {{"from", row_parts::sourceParts(json(config.policy.cardProfilesFrom))}}));
  if (config.cardProfiles.empty()) {
    row.status = "warning";
    row.details.push_back(line("envCheck.value.noCardProfiles"));
    row.fix = line("envCheck.fix.noCardProfiles");
    return row;
  }
  for (const auto& profile : config.cardProfiles) {
    const bool moduleThere = pathExists(profile.modulePath);
    const std::string name = profile.displayName.empty() ? profile.id : profile.displayName;
    row.details.push_back(line(moduleThere ? "envCheck.value.cardProfile" : "envCheck.value.cardProfileModuleMissing",
                               {{"name", name}, {"id", profile.id}, {"module", profile.modulePath}}));
    if (!moduleThere && row.error.is_null()) {
      row.status = "error";
      row.error = {{"code", "PKCS11_MODULE_UNAVAILABLE"}, {"module", profile.modulePath}};
    }
  }
  return row;
}

std::vector<Row> localRows(const host::HostConfig& config, const LocalCheckOptions& options) {
  std::vector<Row> rows = manifestRows(options);
  std::vector<Row> policies = browserPolicyRows(options);
  rows.insert(rows.end(), policies.begin(), policies.end());
  rows.push_back(smartCardServiceRow());
  rows.push_back(cardProfilesRow(config));
  return rows;
}

std::vector<fs::path> foundManifests(const LocalCheckOptions& options) {
  std::vector<fs::path> found;
  for (const auto& [browser, name] : kBrowsers) {
    for (const auto& path : manifestLocations(browser, options)) {
      if (pathExists(path)) found.push_back(path);
    }
  }
  return found;
}

std::vector<fs::path> foundBrowserPolicies(const LocalCheckOptions& options) {
  std::vector<fs::path> found;
  for (auto& [browser, path] : policyFiles(options)) found.push_back(std::move(path));
  return found;
}

}  // namespace certbridge::cli
