// changePin: a new PIN for one PIN group, typed in the extension's window or on the reader's pin pad.

#include "card_json.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/card/pin_operations.hpp"
#include "certbridge/host/pin_state.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {
namespace {

struct ChangePinParams {
  std::size_t pinGroup = 0;
  std::shared_ptr<const card::SecretString> pin;
  std::shared_ptr<const card::SecretString> newPin;
  std::optional<std::string> reader;
};

nlohmann::json changePin(CommandContext& context, const ChangePinParams& params) {
  CardOperation operation(context, params.reader);
  const card::PinRules& rules = operation.pinRules(params.pinGroup);
  if (!params.pin && !operation.token(params.pinGroup).protectedAuthPath) {
    throw badRequest("params.pin", "the current and the new " + rules.name + " are needed");
  }
  card::TokenSession& session = operation.session(params.pinGroup, card::SessionMode::ReadWrite);
  operation.progress("changingPin", {{"pinGroup", params.pinGroup}, {"pinName", rules.name}, {"pinPad", !params.pin}});
  operation.withPinGroup(params.pinGroup, [&] {
    if (params.pin) {
      card::changePin(session, *params.pin, *params.newPin, rules);
    } else {
      card::changePinOnPinPad(session, rules);
    }
  });
  // card::changePin re-read the token after C_SetPIN: its flags are fresh (another read is one more card call).
  const PinStatus status = userPinStatus(session.token(), rules.maxTries);
  return {{"pinGroup", params.pinGroup}, {"pinName", rules.name}, {"pinState", pinStatusJson(status)}};
}

}  // namespace

CommandRun prepareChangePin(nlohmann::json& params) {
  auto parsed = std::make_shared<ChangePinParams>();
  parsed->pin = takeSecret(params, "pin");
  parsed->newPin = takeSecret(params, "newPin");
  const ParamValidator validator(params, {"pinGroup", "reader"});
  if (static_cast<bool>(parsed->pin) != static_cast<bool>(parsed->newPin)) {
    throw badRequest(parsed->pin ? "params.newPin" : "params.pin",
                     "pin and newPin come together (or neither, on a pin pad)");
  }
  parsed->pinGroup = static_cast<std::size_t>(validator.optionalInteger("pinGroup", 0, kMaxPinGroupIndex).value_or(0));
  parsed->reader = readerParam(validator);
  return [parsed](CommandContext& context) { return changePin(context, *parsed); };
}

}  // namespace certbridge::host::commands
