#include <ctime>

#include "card_certificates.hpp"
#include "card_keys.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {

CommandRun prepareListCertificates(nlohmann::json& params) {
  const ParamValidator validator(params, {"reader"});
  auto reader = readerParam(validator);
  return [reader = std::move(reader)](CommandContext& context) -> nlohmann::json {
    CardOperation operation(context, reader);
    const auto certificates = readCardCertificates(operation, card::SessionMode::ReadOnly);
    const std::time_t now = std::time(nullptr);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& certificate : certificates) list.push_back(certificateJson(certificate, now));
    return {{"reader", operation.readerName()},
            {"token", operation.tokenJson(0)},
            {"certificates", std::move(list)},
            {"keysWithoutCertificate", cardKeysWithoutCertificate(operation, card::SessionMode::ReadOnly, now)}};
  };
}

}  // namespace certbridge::host::commands
