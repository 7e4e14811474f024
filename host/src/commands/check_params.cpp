// checkParams: another command's parameters checked by that command's own rules, without running it. The
// extension asks before its consent window opens, so a request the host would refuse (a 5-byte challenge,
// C "Taiwan", an unreadable certificate) is refused at once: no window, no PIN typed for nothing. Host-only:
// the extension refuses it from a page. The rules stay in one place, the command's prepare step.

#include <string_view>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/param_validator.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {
namespace {

constexpr StringRule kCommandRule{1, 64, Charset::RequestId};
// A stand-in for each secret the window always supplies: valid for every secret rule (1-64 characters, base64
// for a PKCS#12 file, a new password's minimum), so the check reaches every other parameter. PINs and the key
// store's password are left out: the window adds them only when needed (a pin-pad reader asks for no PIN; the
// store's password only for `store: "software"` once the store says it has one), and a command without them
// is valid. The prepared command never runs.
constexpr std::string_view kSecretStandIn = "AAAAAAAA";
static_assert(kSecretStandIn.size() >= protocol::kNewPasswordMinLength);

}  // namespace

CommandRun prepareCheckParams(nlohmann::json& params) {
  const ParamValidator validator(params, {"command", "params"});
  const std::string command = validator.requiredString("command", kCommandRule);
  const CommandEntry* entry = findCommandEntry(command);
  const protocol::CommandInfo* info = protocol::findCommand(command);
  if (entry == nullptr || info == nullptr || info->hostOnly) {
    throw badRequest(validator.field("command"), "not a command whose parameters can be checked");
  }
  nlohmann::json target = validator.requiredObject("params");
  std::string_view secrets = info->userSecrets;
  while (!secrets.empty()) {
    const auto comma = secrets.find(',');
    const std::string_view secret = secrets.substr(0, comma);
    secrets = comma == std::string_view::npos ? std::string_view{} : secrets.substr(comma + 1);
    if (secret == "pins" || secret == "storePassword") continue;
    // A page's own secret never gets this far (the extension refuses it); the host refuses it here too.
    if (target.contains(secret)) throw badRequest("params." + std::string(secret), "a user secret: never checked");
    target[std::string(secret)] = kSecretStandIn;
  }
  entry->prepare(target);  // BAD_REQUEST naming the page's own field, as the command would
  return [](CommandContext&) -> nlohmann::json { return {{"valid", true}}; };
}

}  // namespace certbridge::host::commands
