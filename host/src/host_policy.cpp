#include "certbridge/host/host_policy.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "certbridge/host/logging.hpp"
#include "certbridge/protocol.hpp"
#include "platform/environment.hpp"

namespace certbridge::host {
namespace {

std::string trimmed(std::string_view text) {
  const auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return std::string(text);
}

// A value quoted for a message: short enough for a log line and the environment page.
std::string shownValue(std::string_view text) {
  std::string shown(text.substr(0, 80));
  if (text.size() > 80) shown += "...";
  return "\"" + shown + "\"";
}

class PolicyOverlay {
 public:
  PolicyOverlay(ConfigLoad& load, const RegistryReader& registry) : config_(load.config), registry_(registry) {}

  void apply() {
    for (const auto name : kPolicyValueNames) {
      // The machine's value wins; a value that is ignored leaves the decision to the next source.
      for (const auto hive : {RegistryHive::LocalMachine, RegistryHive::CurrentUser}) {
        const auto value = registry_.read(hive, kPolicyKey, name);
        if (!value) continue;
        source_ = std::string(hive == RegistryHive::LocalMachine ? kSourceMachinePolicy : kSourceUserPolicy);
        noteSource(hive);
        if (applyValue(name, *value)) break;
      }
    }
    // Most precedent first: HKLM, HKCU, then the file and the built-in defaults already listed.
    std::stable_sort(registrySources_.begin(), registrySources_.end(),
                     [](const PolicySource& a, const PolicySource& b) {
                       return a.name == kSourceMachinePolicy && b.name != kSourceMachinePolicy;
                     });
    auto& sources = config_.policy.sources;
    sources.insert(sources.begin(), registrySources_.begin(), registrySources_.end());
  }

 private:
  void noteSource(RegistryHive hive) {
    const bool known = std::any_of(registrySources_.begin(), registrySources_.end(),
                                   [this](const PolicySource& s) { return s.name == source_; });
    if (known) return;
    PolicySource source{
        source_, std::string(hive == RegistryHive::LocalMachine ? "HKEY_LOCAL_MACHINE\\" : "HKEY_CURRENT_USER\\") +
                     std::string(kPolicyKey)};
    registrySources_.push_back(std::move(source));
  }

  void problem(std::string_view entry, std::string reason) {
    config_.policy.problems.push_back({source_, std::string(entry), std::move(reason)});
  }

  // The value as text, or nullopt (reported) when it has another type.
  std::optional<std::string> text(std::string_view name, const RegistryValue& value) {
    if (value.kind == RegistryValue::Kind::String) return trimmed(value.text);
    if (value.kind == RegistryValue::Kind::Unreadable) {
      problem(name, "cannot be read (" + value.typeName + "): ignored");
    } else {
      problem(name, "is a " + value.typeName + ", not a REG_SZ (text): ignored");
    }
    return std::nullopt;
  }

  bool applyValue(std::string_view name, const RegistryValue& value) {
    const auto content = text(name, value);
    if (!content) return false;
    if (content->empty()) {
      problem(name, "is empty: ignored");
      return false;
    }
    if (name == kPolicyAllowedOrigins) return applyOrigins(*content);
    if (name == kPolicyLogLevel) return applyLogLevel(*content);
    return applyCardProfiles(*content);
  }

  bool applyOrigins(const std::string& list) {
    std::vector<OriginPattern> added;
    std::string piece;
    // Spaces (what the MSI property and the extension's policy entry hold) or ";" separate origins.
    std::string normalized = list;
    std::replace(normalized.begin(), normalized.end(), ';', ' ');
    std::istringstream words(normalized);
    while (words >> piece) {
      auto pattern = OriginPattern::parse(piece);
      if (!pattern) {
        problem(kPolicyAllowedOrigins, shownValue(piece) +
                                           " is not an origin (\"https://host[:port]\") or pattern "
                                           "(\"https://host:*\"): ignored, the other origins apply");
        continue;
      }
      added.push_back(std::move(*pattern));
    }
    if (added.empty()) {
      problem(kPolicyAllowedOrigins, "holds no origin: ignored");
      return false;
    }
    for (auto& pattern : added) {
      const bool present = std::any_of(config_.allowedOrigins.begin(), config_.allowedOrigins.end(),
                                       [&pattern](const OriginPattern& p) { return p.text() == pattern.text(); });
      if (!present) config_.allowedOrigins.push_back(std::move(pattern));
    }
    auto& from = config_.policy.allowedOriginsFrom;
    from.insert(from.begin(), source_);
    return true;
  }

  bool applyLogLevel(std::string level) {
    std::transform(level.begin(), level.end(), level.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!isValidLogLevel(level)) {
      problem(kPolicyLogLevel,
              shownValue(level) + " is not a log level (trace, debug, info, warn, error, critical, off): ignored");
      return false;
    }
    config_.logLevel = level;
    config_.policy.logLevelFrom = {source_};
    return true;
  }

  bool applyCardProfiles(const std::string& value) {
    std::string json = value;
    std::string where;
    if (value.front() != '[') {
      // Not a JSON array: the path of a file holding one.
      const std::filesystem::path path = platform::pathFromUtf8(value);
      where = " (file " + value + ")";
      std::error_code ec;
      const auto size = std::filesystem::file_size(path, ec);
      if (ec) {
        problem(kPolicyCardProfiles, "is neither a JSON array nor a readable file" + where + ": ignored");
        return false;
      }
      // A card-profile table named by path is read whole, within the configuration files' limit.
      if (size > protocol::kConfigFileMaxBytes) {
        problem(kPolicyCardProfiles, "names a file larger than " + std::to_string(protocol::kConfigFileMaxBytes) +
                                         " bytes" + where + ": ignored");
        return false;
      }
      std::ifstream in(path, std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      json = content.str();
    }
    std::vector<std::string> warnings;
    try {
      config_.cardProfiles = parseCardProfiles(json, warnings);
    } catch (const std::exception& e) {
      problem(kPolicyCardProfiles, std::string(e.what()) + where + ": ignored, the other sources' profiles apply");
      return false;
    }
    for (const auto& warning : warnings) problem(kPolicyCardProfiles, warning + where);
    config_.policy.cardProfilesFrom = {source_};
    return true;
  }

  HostConfig& config_;
  const RegistryReader& registry_;
  std::string source_;
  std::vector<PolicySource> registrySources_;
};

}  // namespace

void applyRegistryPolicy(ConfigLoad& load, const RegistryReader& registry) {
  PolicyOverlay(load, registry).apply();
}

ConfigLoad loadConfigAndPolicy() {
  ConfigLoad load = loadConfig();
  if (const auto registry = systemRegistry()) applyRegistryPolicy(load, *registry);
  return load;
}

}  // namespace certbridge::host
