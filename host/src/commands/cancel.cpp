#include "certbridge/host/param_validator.hpp"
#include "certbridge/protocol.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {

CommandRun prepareCancel(nlohmann::json& params) {
  const ParamValidator validator(params, {"target"});
  std::string target = validator.requiredString("target", {1, protocol::kRequestIdMaxLength, Charset::RequestId});
  return [target = std::move(target)](CommandContext& context) -> nlohmann::json {
    // Only the origin that made a request may cancel it.
    const bool cancelled = context.worker != nullptr && context.worker->cancel(target, context.request.origin);
    return {{"cancelled", cancelled}};
  };
}

}  // namespace certbridge::host::commands
