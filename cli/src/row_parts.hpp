#pragma once
// The small pieces rows are made of, shared by the row makers (environment_rows.cpp, registration_rows.cpp):
// parts ({"key", "params"} or {"text"}) and JavaScript's ways of reading JSON, so the C++ reads the host's
// answer exactly as the page's environment-rows.js does.

#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace certbridge::cli::row_parts {

using json = nlohmann::json;

inline json line(std::string_view key, json params = nullptr) {
  json part = {{"key", key}};
  if (!params.is_null()) part["params"] = std::move(params);
  return part;
}
inline json literal(const std::string& text) {
  return {{"text", text}};
}

// JavaScript's `object?.key` for JSON: null when object is not an object or lacks key.
inline const json& get(const json& object, std::string_view key) {
  static const json null;
  if (!object.is_object()) return null;
  const auto found = object.find(key);
  return found == object.end() ? null : *found;
}

// JavaScript truthiness of a JSON value.
inline bool truthy(const json& value) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) return !value.get_ref<const std::string&>().empty();
  if (value.is_number()) return value.get<double>() != 0 && !std::isnan(value.get<double>());
  return true;
}

// String(value) for values the page prints.
inline std::string text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "null";
  return value.dump();
}

inline json orText(const json& value, std::string_view fallback) {
  return value.is_null() ? json(fallback) : value;
}

// The host's names for where a setting came from, in the reader's language; any other name as it is.
struct SourceKey {
  std::string_view name;
  std::string_view key;
};
inline constexpr std::array<SourceKey, 4> kSourceKeys = {{{"HKLM policy", "envCheck.value.sourceMachinePolicy"},
                                                          {"HKCU policy", "envCheck.value.sourceUserPolicy"},
                                                          {"config file", "envCheck.value.sourceConfigFile"},
                                                          {"built-in defaults", "envCheck.value.sourceBuiltIn"}}};

inline json sourcePart(const json& name) {
  for (const auto& source : kSourceKeys) {
    if (name.is_string() && name.get_ref<const std::string&>() == source.name) return line(source.key);
  }
  return literal(text(name));
}

inline json sourceParts(const json& names) {
  json parts = json::array();
  if (names.is_array()) {
    for (const auto& name : names) parts.push_back(sourcePart(name));
  }
  if (parts.empty()) parts.push_back(literal("-"));
  return parts;
}

}  // namespace certbridge::cli::row_parts
