#include "certbridge/host/config.hpp"

#include <algorithm>
#include <cstdint>

#include "certbridge/build_info.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/host/logging.hpp"
#include "certbridge/host/strict_json.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {
namespace {

using json = nlohmann::json;

void warnUnknownKeys(const json& object, std::initializer_list<std::string_view> known, const std::string& where,
                     std::vector<std::string>& warnings) {
  for (const auto& [key, value] : object.items()) {
    bool isKnown = false;
    for (const auto name : known) isKnown = isKnown || key == name;
    if (!isKnown) warnings.push_back("configuration: ignoring unknown key " + where + key);
  }
}

const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string requireString(const json& object, const char* key, const std::string& where, bool allowEmpty = false) {
  const json* value = member(object, key);
  if (value == nullptr) throw ConfigError(where + key + " is missing");
  if (!value->is_string()) throw ConfigError(where + key + " must be a string");
  auto text = value->get<std::string>();
  if (!allowEmpty && text.empty()) throw ConfigError(where + key + " must not be empty");
  return text;
}

std::string optionalString(const json& object, const char* key, const std::string& where) {
  return member(object, key) == nullptr ? std::string() : requireString(object, key, where, true);
}

int integerIn(const json& value, const std::string& what, int min, int max) {
  if (!value.is_number_integer()) throw ConfigError(what + " must be an integer");
  const auto number = value.get<long long>();
  if (number < min || number > max) {
    throw ConfigError(what + " must be " + std::to_string(min) + "-" + std::to_string(max));
  }
  return static_cast<int>(number);
}

card::PinRules parsePin(const json& pin, const std::string& where, std::vector<std::string>& warnings) {
  if (!pin.is_object()) throw ConfigError(where + " must be an object");
  warnUnknownKeys(pin, {"name", "minLength", "maxLength", "maxTries", "charset", "tokenLabel"}, where + ".", warnings);
  card::PinRules rules;
  if (member(pin, "name") != nullptr) rules.name = requireString(pin, "name", where + ".");
  if (const json* v = member(pin, "minLength")) rules.minLength = integerIn(*v, where + ".minLength", 1, 255);
  if (const json* v = member(pin, "maxLength")) rules.maxLength = integerIn(*v, where + ".maxLength", 1, 255);
  if (const json* v = member(pin, "maxTries")) rules.maxTries = integerIn(*v, where + ".maxTries", 0, 255);
  if (member(pin, "charset") != nullptr) {
    const std::string charset = requireString(pin, "charset", where + ".");
    if (charset == "printable") {
      rules.charset = card::PinCharset::Printable;
    } else if (charset == "alphanumeric") {
      rules.charset = card::PinCharset::Alphanumeric;
    } else if (charset == "digits") {
      rules.charset = card::PinCharset::Digits;
    } else {
      throw ConfigError(where + ".charset must be \"printable\", \"alphanumeric\" or \"digits\"");
    }
  }
  // The PKCS#11 token label field is 32 bytes.
  if (member(pin, "tokenLabel") != nullptr) rules.tokenLabel = requireString(pin, "tokenLabel", where + ".");
  if (rules.tokenLabel.size() > 32) throw ConfigError(where + ".tokenLabel is longer than 32 bytes");
  if (rules.minLength > rules.maxLength) throw ConfigError(where + ": minLength is greater than maxLength");
  return rules;
}

std::vector<std::uint8_t> parseHex(const json& profile, const char* key, const std::string& where) {
  const std::string text = requireString(profile, key, where);
  try {
    return card::parseHexBytes(text);
  } catch (const std::exception& e) {
    throw ConfigError(where + key + ": " + e.what());
  }
}

// A card profile's "windows" section: {"provider", "providerType"?, "container"?, "keySpec"?}.
card::WindowsKeyProvider parseWindowsKeyProvider(const json& object, const std::string& where) {
  if (!object.is_object()) throw ConfigError(where + " must be an object");
  const std::string prefix = where + ".";
  for (const auto& [key, value] : object.items()) {
    if (key != "provider" && key != "providerType" && key != "container" && key != "keySpec") {
      throw ConfigError(prefix + key + " is not a setting (provider, providerType, container, keySpec)");
    }
  }
  card::WindowsKeyProvider windows;
  windows.provider = requireString(object, "provider", prefix);
  if (windows.provider.size() > 256) throw ConfigError(prefix + "provider must be at most 256 characters");
  if (object.contains("providerType")) {
    windows.providerType =
        static_cast<std::uint32_t>(integerIn(object["providerType"], prefix + "providerType", 0, 1000));
  }
  if (object.contains("container")) {
    windows.container = requireString(object, "container", prefix);
    if (windows.container.size() > 260) throw ConfigError(prefix + "container must be at most 260 characters");
  }
  if (object.contains("keySpec")) {
    const json& spec = object["keySpec"];
    if (spec == "none") {
      windows.keySpec = 0;
    } else if (spec == "keyExchange") {
      windows.keySpec = 1;
    } else if (spec == "signature") {
      windows.keySpec = 2;
    } else {
      throw ConfigError(prefix + "keySpec must be \"keyExchange\", \"signature\" or \"none\"");
    }
  }
  return windows;
}

card::CardProfile parseProfile(const json& object, const std::string& where, std::vector<std::string>& warnings) {
  if (!object.is_object()) throw ConfigError(where + " must be an object");
  const std::string prefix = where + ".";
  warnUnknownKeys(object,
                  {"id", "displayName", "atr", "atrMask", "module", "tokenLabel", "pins", "keySizes", "windows"},
                  prefix, warnings);
  card::CardProfile profile;
  profile.id = requireString(object, "id", prefix);
  profile.displayName = requireString(object, "displayName", prefix);
  profile.atr = parseHex(object, "atr", prefix);
  if (member(object, "atrMask") != nullptr) profile.atrMask = parseHex(object, "atrMask", prefix);
  profile.modulePath = requireString(object, "module", prefix);
  profile.tokenLabel = optionalString(object, "tokenLabel", prefix);
  if (const json* pins = member(object, "pins")) {
    if (!pins->is_array() || pins->empty()) throw ConfigError(prefix + "pins must be a non-empty array");
    profile.pins.clear();
    for (std::size_t i = 0; i < pins->size(); ++i) {
      profile.pins.push_back(parsePin((*pins)[i], prefix + "pins[" + std::to_string(i) + "]", warnings));
    }
  }
  if (const json* sizes = member(object, "keySizes")) {
    if (!sizes->is_array() || sizes->empty()) throw ConfigError(prefix + "keySizes must be a non-empty array");
    profile.keySizes.clear();
    for (std::size_t i = 0; i < sizes->size(); ++i) {
      const std::string field = prefix + "keySizes[" + std::to_string(i) + "]";
      const int size = static_cast<int>(integerIn((*sizes)[i], field, 1, 1 << 16));
      // A size no request may ask for (protocol.json limits.rsaKeySizes) would be a promise never kept.
      if (std::find(protocol::kRsaKeySizes.begin(), protocol::kRsaKeySizes.end(), size) ==
          protocol::kRsaKeySizes.end()) {
        std::string allowed;
        for (const int allowedSize : protocol::kRsaKeySizes) {
          allowed += (allowed.empty() ? "" : ", ") + std::to_string(allowedSize);
        }
        throw ConfigError(field + " must be one of the protocol's RSA sizes: " + allowed);
      }
      profile.keySizes.push_back(size);
    }
  }
  if (const json* windows = member(object, "windows"))
    profile.windows = parseWindowsKeyProvider(*windows, prefix + "windows");
  try {
    card::CardProfileTable::validate(profile);
  } catch (const std::exception& e) {
    throw ConfigError(where + ": " + e.what());
  }
  return profile;
}

std::vector<card::CardProfile> parseProfileList(const json& profiles, std::vector<std::string>& warnings) {
  if (!profiles.is_array()) throw ConfigError("cardProfiles must be an array");
  std::vector<card::CardProfile> list;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    list.push_back(parseProfile(profiles[i], "cardProfiles[" + std::to_string(i) + "]", warnings));
  }
  return list;
}

json parseJson(std::string_view text) {
  std::string error;
  auto parsed = parseStrictJson(text, error, 16);
  if (!parsed) throw ConfigError(error.starts_with("not valid JSON") ? error : "not valid JSON: " + error);
  return std::move(*parsed);
}

}  // namespace

bool HostConfig::isOriginAllowed(std::string_view origin) const {
  for (const auto& pattern : allowedOrigins) {
    if (pattern.matches(origin)) return true;
  }
  return false;
}

HostConfig HostConfig::builtInDefaults() {
  HostConfig config;
  for (const auto text : build::kDefaultAllowedOrigins) {
    if (auto pattern = OriginPattern::parse(text)) config.allowedOrigins.push_back(std::move(*pattern));
  }
  const std::vector<std::string> builtIn{std::string(kSourceBuiltIn)};
  config.policy.allowedOriginsFrom = builtIn;
  config.policy.cardProfilesFrom = builtIn;
  config.policy.logLevelFrom = builtIn;
  return config;
}

HostConfig parseConfig(std::string_view text, std::vector<std::string>& warnings) {
  return configFromJson(parseJson(text), warnings);
}

HostConfig configFromJson(const json& root, std::vector<std::string>& warnings) {
  if (!root.is_object()) throw ConfigError("the top level must be a JSON object");
  warnUnknownKeys(
      root, {"allowedOrigins", "cardProfiles", "logLevel", "cardBusyWaitSeconds", "unblockLifetimeSeconds", "$comment"},
      "", warnings);

  HostConfig config = HostConfig::builtInDefaults();
  if (const json* origins = member(root, "allowedOrigins")) {
    if (!origins->is_array()) throw ConfigError("allowedOrigins must be an array of strings");
    config.allowedOrigins.clear();
    for (std::size_t i = 0; i < origins->size(); ++i) {
      const json& entry = (*origins)[i];
      const std::string where = "allowedOrigins[" + std::to_string(i) + "]";
      if (!entry.is_string()) throw ConfigError(where + " must be a string");
      auto pattern = OriginPattern::parse(entry.get<std::string>());
      if (!pattern) {
        throw ConfigError(where + " is not an origin (\"https://host[:port]\") or pattern (\"http://host:*\")");
      }
      // The extension never runs on such a page (its content-script match patterns name no IPv6 host) and its
      // policy refuses the origin: an entry here would promise what no browser request can use.
      if (pattern->origin().scheme == "http" && pattern->origin().host == "[::1]") {
        throw ConfigError(where +
                          ": http://[::1] is not supported (the extension does not run on IPv6 loopback "
                          "pages): use http://127.0.0.1 or http://localhost");
      }
      config.allowedOrigins.push_back(std::move(*pattern));
    }
  }
  if (const json* profiles = member(root, "cardProfiles")) config.cardProfiles = parseProfileList(*profiles, warnings);
  if (const json* wait = member(root, "cardBusyWaitSeconds")) {
    if (!wait->is_number_integer() || wait->get<std::int64_t>() < 0 || wait->get<std::int64_t>() > 600) {
      throw ConfigError("cardBusyWaitSeconds must be an integer 0-600");
    }
    config.cardBusyWait = std::chrono::seconds(wait->get<std::int64_t>());
  }
  if (const json* lifetime = member(root, "unblockLifetimeSeconds")) {
    const auto longest = std::chrono::duration_cast<std::chrono::seconds>(kLongestUnblockLifetime).count();
    if (!lifetime->is_number_integer() || lifetime->get<std::int64_t>() < 1 ||
        lifetime->get<std::int64_t>() > longest) {
      throw ConfigError("unblockLifetimeSeconds must be an integer 1-" + std::to_string(longest));
    }
    config.unblockLifetime = std::chrono::seconds(lifetime->get<std::int64_t>());
  }
  if (const json* level = member(root, "logLevel")) {
    if (!level->is_string() || !isValidLogLevel(level->get<std::string>())) {
      throw ConfigError("logLevel must be one of trace, debug, info, warn, error, critical, off");
    }
    config.logLevel = level->get<std::string>();
  }
  const auto from = [&root](const char* key) {
    return std::vector<std::string>{std::string(member(root, key) != nullptr ? kSourceConfigFile : kSourceBuiltIn)};
  };
  config.policy.allowedOriginsFrom = from("allowedOrigins");
  config.policy.cardProfilesFrom = from("cardProfiles");
  config.policy.logLevelFrom = from("logLevel");
  return config;
}

std::vector<card::CardProfile> parseCardProfiles(std::string_view text, std::vector<std::string>& warnings) {
  return parseProfileList(parseJson(text), warnings);
}

}  // namespace certbridge::host
