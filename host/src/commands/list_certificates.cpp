#include <ctime>

#include "card_certificates.hpp"
#include "card_keys.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/card/orphan_keys.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {

CommandRun prepareListCertificates(nlohmann::json& params) {
  const ParamValidator validator(params, {"reader"});
  auto reader = readerParam(validator);
  return [reader = std::move(reader)](CommandContext& context) -> nlohmann::json {
    CardOperation operation(context, reader);
    const std::time_t now = std::time(nullptr);
    // Certificates and keys without one from a single pass over each token: every object is read once.
    std::vector<CardCertificate> certificates;
    nlohmann::json keys = nlohmann::json::array();
    for (const std::size_t group : operation.tokenPinGroups()) {
      auto listing = card::listCertificatesAndKeys(operation.session(group, card::SessionMode::ReadOnly));
      appendCardCertificates(certificates, std::move(listing.certificates), group);
      for (const auto& key : listing.keysWithoutCertificate) {
        nlohmann::json entry = keyWithoutCertificateJson(key, now);
        entry["pinGroup"] = group;
        keys.push_back(std::move(entry));
      }
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& certificate : certificates) list.push_back(certificateJson(certificate, now));
    return {{"reader", operation.readerName()},
            {"token", operation.tokenJson(0)},
            {"certificates", std::move(list)},
            {"keysWithoutCertificate", std::move(keys)}};
  };
}

}  // namespace certbridge::host::commands
