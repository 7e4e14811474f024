#include "certbridge/build_info.hpp"
#include "certbridge/host/param_validator.hpp"
#include "certbridge/protocol.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {

CommandRun prepareStatus(nlohmann::json& params) {
  ParamValidator validator(params, {});
  return [](CommandContext&) -> nlohmann::json {
    return {{"host", {{"version", build::kVersion}, {"protocol", protocol::kProtocolVersion}}}};
  };
}

}  // namespace certbridge::host::commands
