// signRenewal with "store": "software": the renewal's CMS SignedData made with the key of a still-valid
// certificate in the user's key store, by the same rules as on the card (sign_renewal.cpp).

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/cms_signature.hpp"
#include "crypto/encoding.hpp"
#include "secret_params.hpp"
#include "software_params.hpp"

namespace certbridge::host::commands {
namespace {

constexpr StringRule kStoreRule{1, 16, Charset::Printable};
constexpr StringRule kCertificateIdRule{64, 64, Charset::Hex};

struct SoftwareSignParams {
  std::vector<std::uint8_t> data;
  std::optional<std::string> certificate;
  bool detached = false;
  std::shared_ptr<const Secrets> secrets;
};

nlohmann::json sign(CommandContext& context, const SoftwareSignParams& params) {
  const auto store = openUserStore(*params.secrets);
  const std::time_t now = std::time(nullptr);
  const auto certificates = store->certificates();
  const auto& chosen = software_store::chooseSigningCertificate(certificates, params.certificate, now);
  const auto key = store->keyFor(chosen);
  checkCancelled(context);
  context.responder.sendProgress(context.request.id, "signing", nlohmann::json::object());
  const auto chain = software_store::issuersInStore(certificates, chosen.parsed);
  const auto signature = crypto::cmsSign(key->signingKey(), chosen.parsed, chain, params.data, params.detached);
  checkCancelled(context);
  return {{"signature", crypto::base64Encode(signature)},
          {"certificate", software_store::storeCertificateJson(chosen, now)}};
}

}  // namespace

CommandRun prepareSoftwareSignRenewal(nlohmann::json& params) {
  auto parsed = std::make_shared<SoftwareSignParams>();
  parsed->secrets = std::make_shared<const Secrets>(params, std::initializer_list<std::string_view>{"storePassword"});
  // PINs are the card's; taken (and wiped) so that a mixed-up request cannot leave one in the JSON.
  if (!takePins(params)->pins.empty()) throw badRequest("params.pins", "is for keys on a card, not the software store");
  const ParamValidator validator(params, {"store", "data", "certificate", "detached"});
  if (validator.requiredString("store", kStoreRule) != "software") {
    throw badRequest("params.store", "must be card or software");
  }
  parsed->detached = validator.optionalBool("detached").value_or(false);
  parsed->data = renewalDataParam(validator, parsed->detached);
  if (auto id = validator.optionalString("certificate", kCertificateIdRule)) {
    for (char& c : *id) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    parsed->certificate = std::move(*id);
  }
  return [parsed](CommandContext& context) { return sign(context, *parsed); };
}

}  // namespace certbridge::host::commands
