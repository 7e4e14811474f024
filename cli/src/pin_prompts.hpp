#pragma once
// The card a command will use and its PIN groups, from the host's `environment` answer, chosen as the
// extension does (extension/src/card_pins.js cardFromEnvironment), and the PIN questions of the extension's
// window (extension/src/consent/pin_rules.js) at the terminal: the same rules, state words and retry texts.

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.hpp"
#include "certbridge/card/secret_string.hpp"
#include "secret_input.hpp"

namespace certbridge::cli {

struct PinFacts {
  std::string name = "PIN";
  std::optional<int> minLength;
  std::optional<int> maxLength;
  std::string state = "ok";
  std::optional<int> triesLeft;  ///< Only what the card says.
  std::optional<int> locksAfter;
};

struct CardFacts {
  std::string reader;
  std::string label;
  std::string serial;
  bool pinPad = false;
  std::vector<PinFacts> pins;

  /// The PIN group's facts; CardRefusal BAD_REQUEST for a group the card does not have.
  const PinFacts& pin(int group) const;
};

/// A card or PIN problem found before any card work: the host's error object for it.
struct CardRefusal : std::runtime_error {
  explicit CardRefusal(nlohmann::json e) : std::runtime_error("card refused"), error(std::move(e)) {}
  nlohmann::json error;
};

/// The named reader's card, else the first reader's usable card. Throws CardRefusal with the host's error
/// (PCSC_UNAVAILABLE, NO_READER, NO_CARD, TOKEN_NOT_FOUND, the reader's problem).
CardFacts cardFromEnvironment(const nlohmann::json& environment, const std::optional<std::string>& reader);

class PinPrompts {
 public:
  PinPrompts(const Catalogue& catalogue, std::string language, SecretInput input, std::ostream& out, std::ostream& err)
      : catalogue_(catalogue), language_(std::move(language)), input_(input), out_(out), err_(err) {}

  bool available() const { return input_.available(); }

  /// Asks "Go on?" unless yes; false (with "nothing was changed") when refused or when no one can answer.
  bool confirm(bool yes);

  /// The PIN of a group, asked under the field's name (consent.field.*), until it meets the length rule.
  std::optional<card::SecretString> pin(const PinFacts& pin, const std::string& fieldKey);

  /// A new PIN, typed twice, until both meet the rules and match.
  std::optional<card::SecretString> newPin(const PinFacts& pin);

  /// "6 to 16 characters", or empty when the card states no rule.
  std::string ruleText(const PinFacts& pin) const;
  /// "2 tries left", "locked ...", or empty when there is nothing honest to say.
  std::string stateText(const PinFacts& pin) const;
  /// What to say after the host refused a PIN (PIN_INCORRECT with or without tries left, PIN_POLICY).
  std::string retryText(const nlohmann::json& error, const PinFacts& pin) const;

 private:
  std::string t(const std::string& key, const nlohmann::json& params = nlohmann::json::object()) const {
    return catalogue_.text(key, language_, params);
  }
  /// The problem with what was typed, or empty.
  std::string problem(const card::SecretString& value, const PinFacts& pin, const std::string& label) const;

  const Catalogue& catalogue_;
  std::string language_;
  SecretInput input_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace certbridge::cli
