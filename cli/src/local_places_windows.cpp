// Where Windows keeps what `doctor` looks at: the browsers' registrations (a registry key per browser whose
// default value names the manifest file), their Group Policy (registry keys under SOFTWARE\Policies, read
// into the shape of a policy file so one reading applies to both), and the Smart Card service (SCardSvr).

#include <windows.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

#include "certbridge/host/policy_registry.hpp"
#include "certbridge/protocol.hpp"
#include "local_places.hpp"
#include "platform/environment.hpp"
#include "row_parts.hpp"

namespace certbridge::cli::local_places {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using host::RegistryHive;

using row_parts::line;

// Per user first, as the browsers look.
constexpr std::array<RegistryHive, 2> kHives = {RegistryHive::CurrentUser, RegistryHive::LocalMachine};

std::string hiveKey(RegistryHive hive, std::string_view key) {
  return std::string(host::hiveName(hive)) + "\\" + std::string(key);
}

const host::RegistryReader& registry() {
  static const std::unique_ptr<host::RegistryReader> reader = host::systemRegistry();
  return *reader;
}

std::optional<std::string> readString(RegistryHive hive, const std::string& key, std::string_view name) {
  const auto value = registry().read(hive, key, name);
  if (!value || value->kind != host::RegistryValue::Kind::String) return std::nullopt;
  return value->text;
}

// A browser's numbered list policy (values "1", "2", ... under the list's key), in number order.
json readList(RegistryHive hive, const std::string& key) {
  std::vector<std::pair<long long, std::string>> entries;
  for (const auto& name : registry().valueNames(hive, key)) {
    long long number = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), number);
    if (error != std::errc() || end != name.data() + name.size()) continue;  // browsers read numbered names only
    if (auto text = readString(hive, key, name)) entries.emplace_back(number, std::move(*text));
  }
  std::sort(entries.begin(), entries.end());
  json list = json::array();
  for (auto& entry : entries) list.push_back(std::move(entry.second));
  return list;
}

// The policy key of each browser below SOFTWARE\Policies.
std::string policyKey(host::Browser browser) {
  switch (browser) {
    case host::Browser::Chrome:
      return "SOFTWARE\\Policies\\Google\\Chrome";
    case host::Browser::Chromium:
      return "SOFTWARE\\Policies\\Chromium";
    case host::Browser::Edge:
      return "SOFTWARE\\Policies\\Microsoft\\Edge";
    case host::Browser::Firefox:
      return "SOFTWARE\\Policies\\Mozilla\\Firefox";
  }
  return {};
}

// What Chrome, Chromium or Edge policy in one hive says about native hosts and our extension, as policy-file JSON.
json chromiumPolicy(RegistryHive hive, const std::string& base) {
  json policy = json::object();
  for (const char* name : {"NativeMessagingBlocklist", "NativeMessagingAllowlist"}) {
    json list = readList(hive, base + "\\" + name);
    if (!list.empty()) policy[name] = std::move(list);
  }
  if (const auto userLevel = registry().read(hive, base, "NativeMessagingUserLevelHosts");
      userLevel && userLevel->kind == host::RegistryValue::Kind::Dword) {
    policy["NativeMessagingUserLevelHosts"] = userLevel->number != 0;
  }
  for (const auto id : protocol::kChromiumExtensionIds) {
    json origins = readList(hive, base + "\\3rdparty\\extensions\\" + std::string(id) + "\\policy\\allowedOrigins");
    if (!origins.empty()) policy["3rdparty"]["extensions"][std::string(id)] = {{"allowedOrigins", std::move(origins)}};
  }
  return policy;
}

// The same for Firefox, whose policies.json nests everything under "policies". ExtensionSettings comes as
// one JSON text (the ADMX templates' form) or as a key per add-on ID (the MSI's form).
json firefoxPolicy(RegistryHive hive, const std::string& base) {
  json policies = json::object();
  if (const auto text = readString(hive, base, "ExtensionSettings")) {
    json parsed = json::parse(*text, nullptr, false);
    if (parsed.is_object()) policies["ExtensionSettings"] = std::move(parsed);
  }
  for (const std::string_view id : {protocol::kFirefoxExtensionId, std::string_view("*")}) {
    if (auto mode = readString(hive, base + "\\ExtensionSettings\\" + std::string(id), "installation_mode")) {
      policies["ExtensionSettings"][std::string(id)]["installation_mode"] = std::move(*mode);
    }
  }
  const std::string ours(protocol::kFirefoxExtensionId);
  json origins = readList(hive, base + "\\3rdparty\\Extensions\\" + ours + "\\allowedOrigins");
  if (!origins.empty()) policies["3rdparty"]["Extensions"][ours] = {{"allowedOrigins", std::move(origins)}};
  return policies.empty() ? json::object() : json{{"policies", std::move(policies)}};
}

// The Smart Card service's state, or an error text. Closed on destruction.
class ServiceHandle {
 public:
  explicit ServiceHandle(SC_HANDLE handle) : handle_(handle) {}
  ~ServiceHandle() {
    if (handle_ != nullptr) ::CloseServiceHandle(handle_);
  }
  ServiceHandle(const ServiceHandle&) = delete;
  ServiceHandle& operator=(const ServiceHandle&) = delete;
  SC_HANDLE get() const { return handle_; }

 private:
  SC_HANDLE handle_;
};

}  // namespace

std::string_view thisOs() {
  return "windows";
}

std::vector<ManifestPlace> manifestPlaces(host::Browser browser, const LocalCheckOptions& /*options*/) {
  const std::string key = host::manifestRegistryKey(browser);
  std::vector<ManifestPlace> places;
  for (const RegistryHive hive : kHives) {
    ManifestPlace place{hiveKey(hive, key), std::nullopt};
    if (const auto named = readString(hive, key, "")) {
      const fs::path file = host::platform::pathFromUtf8(*named);
      std::error_code error;
      if (fs::is_regular_file(file, error)) place.file = file;
    }
    places.push_back(std::move(place));
  }
  return places;
}

std::optional<fs::path> manifestProgram(const fs::path& manifest, const std::string& path) {
  // Chrome, Edge and Firefox on Windows take a relative path from the manifest's own folder.
  const fs::path program = host::platform::pathFromUtf8(path);
  return program.is_absolute() ? program : manifest.parent_path() / program;
}

bool isStartableProgram(const fs::path& program) {
  std::error_code error;
  return fs::is_regular_file(program, error);
}

std::vector<PolicySource> browserPolicies(const LocalCheckOptions& /*options*/) {
  std::vector<PolicySource> sources;
  for (const host::Browser browser :
       {host::Browser::Chrome, host::Browser::Chromium, host::Browser::Edge, host::Browser::Firefox}) {
    const std::string base = policyKey(browser);
    for (const RegistryHive hive : {RegistryHive::LocalMachine, RegistryHive::CurrentUser}) {
      json policy = browser == host::Browser::Firefox ? firefoxPolicy(hive, base) : chromiumPolicy(hive, base);
      if (policy.empty()) continue;
      std::string text = policy.dump(2) + "\n";
      sources.push_back({browser, hiveKey(hive, base), std::move(policy), std::move(text)});
    }
  }
  return sources;
}

std::string_view policySourceKey() {
  return "envCheck.value.policyRegistry";
}

std::string_view noPoliciesKey() {
  return "envCheck.value.policyNoneRegistry";
}

Row smartCardServiceRow() {
  Row row{"pcscService", nullptr, "local", "ok", line("envCheck.row.smartCardService"), {}, nullptr, nullptr};
  const auto fail = [&](std::string_view key, json params = nullptr) {
    row.details.push_back(line(key, std::move(params)));
    row.status = "error";
    row.error = {{"code", "PCSC_UNAVAILABLE"}, {"os", thisOs()}};
    return row;
  };
  const ServiceHandle manager(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (manager.get() == nullptr) {
    return fail("envCheck.value.windowsServiceUnknown", {{"reason", "error " + std::to_string(::GetLastError())}});
  }
  const ServiceHandle service(::OpenServiceW(manager.get(), L"SCardSvr", SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG));
  if (service.get() == nullptr) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_SERVICE_DOES_NOT_EXIST) return fail("envCheck.value.windowsServiceMissing");
    return fail("envCheck.value.windowsServiceUnknown", {{"reason", "error " + std::to_string(error)}});
  }
  // Disabled is the one state Windows cannot get out of by itself when a reader is plugged in.
  DWORD needed = 0;
  ::QueryServiceConfigW(service.get(), nullptr, 0, &needed);
  std::vector<unsigned char> config(std::max<DWORD>(needed, sizeof(QUERY_SERVICE_CONFIGW)));
  auto* configuration = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config.data());
  if (::QueryServiceConfigW(service.get(), configuration, static_cast<DWORD>(config.size()), &needed) != 0 &&
      configuration->dwStartType == SERVICE_DISABLED) {
    return fail("envCheck.value.windowsServiceDisabled");
  }
  SERVICE_STATUS status{};
  if (::QueryServiceStatus(service.get(), &status) == 0) {
    return fail("envCheck.value.windowsServiceUnknown", {{"reason", "error " + std::to_string(::GetLastError())}});
  }
  // Windows starts the service when a reader is plugged in (trigger start): stopped is fine without a reader.
  row.details.push_back(line(status.dwCurrentState == SERVICE_RUNNING ? "envCheck.value.windowsServiceRunning"
                                                                      : "envCheck.value.windowsServiceStopped"));
  return row;
}

}  // namespace certbridge::cli::local_places
