#include "local_checks.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include "certbridge/host/manifest_installer.hpp"
#include "certbridge/protocol.hpp"
#include "platform/environment.hpp"
#include "row_parts.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

using row_parts::line;

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
  const json notAvailable = {{"code", "NATIVE_UNAVAILABLE"}, {"os", local_places::thisOs()}};
  const std::vector<local_places::ManifestPlace> places = local_places::manifestPlaces(browser, options);
  const auto found = std::find_if(places.begin(), places.end(), [](const auto& place) { return place.file; });
  if (found == places.end()) {
    std::string looked;
    for (const auto& place : places) looked += (looked.empty() ? "" : ", ") + place.where;
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestMissing", {{"paths", looked}}));
    row.error = notAvailable;
    return row;
  }
  const std::string file = host::platform::pathToUtf8(*found->file);
  row.details.push_back(line("envCheck.value.manifestAt", {{"path", file}}));
  // Windows: the registry key that names the file.
  if (found->where != file) row.details.push_back(line("envCheck.value.manifestRegisteredAt", {{"key", found->where}}));
  const std::optional<json> manifest = readJsonFile(*found->file);
  if (!manifest || !manifest->is_object() || manifest->value("name", std::string()) != protocol::kNativeHostName ||
      !manifest->value("path", json()).is_string()) {
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestUnreadable"));
    row.error = notAvailable;
    return row;
  }
  const std::string named = (*manifest)["path"].get<std::string>();
  const std::optional<fs::path> program = local_places::manifestProgram(*found->file, named);
  const std::string shown = program ? host::platform::pathToUtf8(*program) : named;
  row.details.push_back(line("envCheck.value.manifestHost", {{"path", shown}}));
  if (!program || !local_places::isStartableProgram(*program)) {
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestHostMissing", {{"path", shown}}));
    row.error = notAvailable;
    return row;
  }
  if (!namesOurExtension(browser, *manifest)) {
    row.status = "error";
    row.details.push_back(line("envCheck.value.manifestExtensionMissing"));
    row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"cause", "forbidden"}, {"os", local_places::thisOs()}};
  }
  return row;
}

bool listHas(const json& list, std::string_view value) {
  return list.is_array() && std::find(list.begin(), list.end(), json(value)) != list.end();
}

// What one policy file says about our host and extension: detail lines, and whether it blocks the host.
// allowedElsewhere: another of the browser's policy sources allows our host by name (the browser merges its
// policy files, and its machine and user policies, so an allow list anywhere lifts a block list anywhere).
bool readPolicy(host::Browser browser, const json& policy, bool allowedElsewhere, std::vector<json>& details) {
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
      !listHas(allowlist, protocol::kNativeHostName) && !allowedElsewhere) {
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
  const std::vector<local_places::PolicySource> sources = local_places::browserPolicies(options);
  std::vector<host::Browser> allowingOurHost;
  for (const auto& source : sources) {
    if (source.policy && source.policy->is_object() &&
        listHas(source.policy->value("NativeMessagingAllowlist", json::array()), protocol::kNativeHostName)) {
      allowingOurHost.push_back(source.browser);
    }
  }
  for (const auto& source : sources) {
    const std::string_view name = std::find_if(kBrowsers.begin(), kBrowsers.end(), [&](const auto& entry) {
                                    return entry.first == source.browser;
                                  })->second;
    Row row{"browserPolicy",
            name,
            "local",
            "ok",
            line("envCheck.row.browserPolicy", {{"browser", name}}),
            {line(local_places::policySourceKey(), {{"path", source.where}})},
            nullptr,
            nullptr};
    if (!source.policy || !source.policy->is_object()) {
      row.status = "warning";
      row.details.push_back(line("envCheck.value.policyUnreadable"));
    } else if (readPolicy(
                   source.browser, *source.policy,
                   std::find(allowingOurHost.begin(), allowingOurHost.end(), source.browser) != allowingOurHost.end(),
                   row.details)) {
      row.status = "error";
      row.error = {{"code", "NATIVE_UNAVAILABLE"}, {"cause", "policy"}, {"os", local_places::thisOs()}};
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    rows.push_back(Row{"browserPolicy",
                       nullptr,
                       "local",
                       "ok",
                       line("envCheck.row.browserPolicies"),
                       {line(local_places::noPoliciesKey())},
                       nullptr,
                       nullptr});
  }
  return rows;
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
  rows.push_back(local_places::smartCardServiceRow());
  rows.push_back(cardProfilesRow(config));
  return rows;
}

std::vector<fs::path> foundManifests(const LocalCheckOptions& options) {
  std::vector<fs::path> found;
  for (const auto& [browser, name] : kBrowsers) {
    for (const auto& place : local_places::manifestPlaces(browser, options)) {
      if (place.file) found.push_back(*place.file);
    }
  }
  return found;
}

}  // namespace certbridge::cli
