#include "pin_prompts.hpp"

#include <algorithm>
#include <ostream>

#include "certbridge/protocol.hpp"
#include "terminal.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;

json hostError(const std::string& code, json details = json::object()) {
  details["code"] = code;
  return details;
}

std::optional<int> integer(const json& object, const char* key) {
  const json value = object.is_object() ? object.value(key, json()) : json();
  return value.is_number_integer() ? std::optional<int>(value.get<int>()) : std::nullopt;
}

struct LengthRule {
  int min;
  int max;
  bool stated;
};

// The card's rule within the protocol's bounds for a secret (pin_rules.js lengthRule).
LengthRule lengthRule(const PinFacts& pin) {
  const int protocolMax = static_cast<int>(protocol::kSecretMaxLength);
  const int min = std::max(1, pin.minLength.value_or(1));
  const int max = std::min(protocolMax, pin.maxLength.value_or(protocolMax));
  return {min, std::max(min, max), pin.minLength.has_value() || pin.maxLength.has_value()};
}

}  // namespace

const PinFacts& CardFacts::pin(int group) const {
  if (group < 0 || static_cast<std::size_t>(group) >= pins.size()) {
    throw CardRefusal(hostError("BAD_REQUEST", {{"field", "pinGroup"}, {"reason", "the card has no such PIN group"}}));
  }
  return pins[static_cast<std::size_t>(group)];
}

CardFacts cardFromEnvironment(const json& environment, const std::optional<std::string>& wanted) {
  const json& pcsc = environment.value("pcsc", json::object());
  if (pcsc.is_object() && pcsc.value("available", true) == false) {
    throw CardRefusal(pcsc.value("error", json()).is_object() ? pcsc["error"] : hostError("PCSC_UNAVAILABLE"));
  }
  const json readers = environment.value("readers", json::array());
  if (readers.empty()) throw CardRefusal(hostError("NO_READER"));
  const json* reader = nullptr;
  if (wanted) {
    for (const auto& entry : readers) {
      if (entry.value("name", std::string()) == *wanted) reader = &entry;
    }
    if (reader == nullptr) throw CardRefusal(hostError("NO_READER", {{"reader", *wanted}}));
    if (reader->value("problem", json()).is_object()) throw CardRefusal((*reader)["problem"]);
  } else {
    for (const auto& entry : readers) {
      if (reader == nullptr && entry.value("cardPresent", false) && !entry.value("problem", json()).is_object()) {
        reader = &entry;
      }
    }
    if (reader == nullptr) {
      for (const auto& entry : readers) {
        if (entry.value("cardPresent", false) && entry.value("problem", json()).is_object())
          throw CardRefusal(entry["problem"]);
      }
      throw CardRefusal(hostError("NO_CARD"));
    }
  }
  const std::string name = reader->value("name", std::string());
  if (!reader->value("cardPresent", false)) throw CardRefusal(hostError("NO_CARD", {{"reader", name}}));
  const json tokens = environment.value("tokens", json::array());
  const json* token = nullptr;
  for (const auto& entry : tokens) {
    if (token == nullptr && entry.value("reader", json()) == name) token = &entry;
  }
  if (token == nullptr) throw CardRefusal(hostError("TOKEN_NOT_FOUND", {{"reader", name}}));
  CardFacts card;
  card.reader = name;
  card.label = token->value("label", std::string());
  card.serial = token->value("serial", std::string());
  card.pinPad = token->value("protectedAuthPath", false) == true;
  for (const auto& entry : token->value("pins", json::array())) {
    if (card.pins.size() >= protocol::kMaxPinGroups) break;
    PinFacts pin;
    if (entry.value("name", json()).is_string() && !entry["name"].get<std::string>().empty()) pin.name = entry["name"];
    pin.minLength = integer(entry, "minLength");
    pin.maxLength = integer(entry, "maxLength");
    if (entry.value("state", json()).is_string()) pin.state = entry["state"];
    pin.triesLeft = integer(entry, "triesLeft");
    pin.locksAfter = integer(entry, "locksAfter");
    card.pins.push_back(std::move(pin));
  }
  if (card.pins.empty()) card.pins.emplace_back();
  return card;
}

bool PinPrompts::confirm(bool yes) {
  if (yes) return true;
  if (!terminal::standardInputIsTerminal()) {
    err_ << t("cli.error.confirmNeeded") << "\n";
    return false;
  }
  const std::optional<std::string> answer = SecretInput::readLine(t("cli.confirm"), out_);
  if (answer && (*answer == "y" || *answer == "Y" || *answer == "yes")) return true;
  out_ << t("cli.cancelled") << "\n";
  return false;
}

std::string PinPrompts::problem(const card::SecretString& value, const PinFacts& pin, const std::string& label) const {
  if (value.empty()) return t("consent.error.required", {{"pinName", label}});
  const LengthRule rule = lengthRule(pin);
  const auto length = static_cast<int>(codePoints(value.data(), value.size()));
  if (length < rule.min || length > rule.max) {
    return t("consent.error.length", {{"pinName", label}, {"min", rule.min}, {"max", rule.max}});
  }
  return {};
}

std::optional<card::SecretString> PinPrompts::pin(const PinFacts& pin, const std::string& fieldKey) {
  const std::string label = t(fieldKey, {{"pinName", pin.name}});
  for (;;) {
    std::optional<card::SecretString> value = input_.read(label + ": ", out_);
    if (!value) {
      err_ << t("cli.error.noInput") << "\n";
      return std::nullopt;
    }
    const std::string wrong = problem(*value, pin, label);
    if (wrong.empty()) return value;
    err_ << wrong << "\n";
  }
}

std::optional<card::SecretString> PinPrompts::newPin(const PinFacts& pin) {
  for (;;) {
    std::optional<card::SecretString> first = this->pin(pin, "consent.field.newPin");
    if (!first) return std::nullopt;
    std::optional<card::SecretString> again = this->pin(pin, "consent.field.confirmPin");
    if (!again) return std::nullopt;
    if (first->size() == again->size() && std::equal(first->data(), first->data() + first->size(), again->data())) {
      return first;
    }
    err_ << t("consent.error.mismatch") << "\n";
  }
}

std::string PinPrompts::ruleText(const PinFacts& pin) const {
  const LengthRule rule = lengthRule(pin);
  return rule.stated ? t("consent.rule.length", {{"min", rule.min}, {"max", rule.max}}) : std::string();
}

std::string PinPrompts::stateText(const PinFacts& pin) const {
  const auto locksAfter = [&] {
    return pin.locksAfter ? t("consent.state.locksAfter", {{"locksAfter", *pin.locksAfter}}) : std::string();
  };
  if (pin.state == "locked") return t("consent.state.locked");
  if (pin.state == "finalTry") return t("consent.state.finalTry");
  if (pin.state == "countLow") {
    return pin.triesLeft ? t("consent.state.countLow", {{"triesLeft", *pin.triesLeft}}) : locksAfter();
  }
  if (pin.state == "notInitialized") return t("consent.state.notInitialized");
  // The card does not count aloud (its flags say nothing): say when it locks, never a guessed count.
  return pin.triesLeft ? t("consent.state.triesLeft", {{"triesLeft", *pin.triesLeft}}) : locksAfter();
}

std::string PinPrompts::retryText(const json& error, const PinFacts& pin) const {
  const std::string pinName = error.value("pinName", pin.name);
  if (error.value("code", std::string()) == "PIN_INCORRECT") {
    const std::optional<int> triesLeft = integer(error, "triesLeft");
    if (triesLeft == 1) return t("consent.error.finalTry", {{"pinName", pinName}});
    if (triesLeft) return t("consent.error.wrongPinTries", {{"pinName", pinName}, {"triesLeft", *triesLeft}});
    return t("consent.error.wrongPin", {{"pinName", pinName}});
  }
  const std::string rule = ruleText(pin);
  const std::string text = catalogue_.errorMessage(error, language_);
  return rule.empty() ? text : text + " " + rule;
}

}  // namespace certbridge::cli
