#include "secret_params.hpp"

#include <string>

#include "certbridge/host/param_validator.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {
namespace {

void wipe(std::string& text) noexcept {
  card::wipeMemory(text.data(), text.size());
  text.clear();
}

// Wipes every string anywhere inside value (the whole of a malformed secret field).
void wipeStrings(nlohmann::json& value) noexcept {
  if (value.is_string()) {
    wipe(value.get_ref<std::string&>());
  } else if (value.is_array() || value.is_object()) {
    for (auto& item : value) wipeStrings(item);
  }
}

std::string fieldName(std::string_view key) {
  return "params." + std::string(key);
}

// A secret string's problem, or empty when it is one. Counted in code points, as the PIN rules count.
std::string secretProblem(const nlohmann::json& value) {
  if (!value.is_string()) return "must be a string";
  const std::size_t length = utf8Length(value.get_ref<const std::string&>());
  if (length < 1 || length > kSecretMaxLength)
    return "length must be 1-" + std::to_string(kSecretMaxLength) + " characters";
  return {};
}

}  // namespace

const card::SecretString* PinList::find(std::size_t pinGroup) const noexcept {
  if (pinGroup >= pins.size() || !pins[pinGroup]) return nullptr;
  return &*pins[pinGroup];
}

SharedPins takePins(nlohmann::json& params, std::string_view key) {
  auto list = std::make_shared<PinList>();
  if (!params.is_object()) return list;
  const auto it = params.find(key);
  if (it == params.end()) return list;
  nlohmann::json value = std::move(*it);
  params.erase(it);

  std::string field;
  std::string problem;
  if (!value.is_array()) {
    field = fieldName(key);
    problem = "must be an array of PINs";
  } else if (value.empty() || value.size() > kMaxPinGroups) {
    field = fieldName(key);
    problem = "must have 1-" + std::to_string(kMaxPinGroups) + " items";
  } else {
    for (std::size_t i = 0; i < value.size() && problem.empty(); ++i) {
      if (value[i].is_null()) continue;
      problem = secretProblem(value[i]);
      field = fieldName(key) + "[" + std::to_string(i) + "]";
    }
  }
  if (!problem.empty()) {
    wipeStrings(value);
    throw badRequest(field, problem);
  }
  for (auto& item : value) {
    if (item.is_null()) {
      list->pins.emplace_back(std::nullopt);
    } else {
      list->pins.emplace_back(card::SecretString::takeFrom(item.get_ref<std::string&>()));
    }
  }
  return list;
}

std::shared_ptr<const card::SecretString> takeSecret(nlohmann::json& params, std::string_view key) {
  if (!params.is_object()) return nullptr;
  const auto it = params.find(key);
  if (it == params.end()) return nullptr;
  nlohmann::json value = std::move(*it);
  params.erase(it);
  if (const std::string problem = secretProblem(value); !problem.empty()) {
    wipeStrings(value);
    throw badRequest(fieldName(key), problem);
  }
  return std::make_shared<const card::SecretString>(card::SecretString::takeFrom(value.get_ref<std::string&>()));
}

}  // namespace certbridge::host
