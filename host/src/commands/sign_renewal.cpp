// signRenewal: a CMS SignedData over the RA's renewal data, made with the key of a still-valid certificate.

#include <ctime>

#include "card_certificates.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "commands.hpp"
#include "crypto/cms_signature.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

// base64 of the larger (detached) limit; renewalDataParam checks the decoded size against the right one.
constexpr StringRule kDataRule{4, (protocol::kSignRenewalDetachedDataMaxBytes + 2) / 3 * 4, Charset::Base64};

std::string sizeText(std::size_t bytes) {
  return bytes % 1024 == 0 ? std::to_string(bytes / 1024) + " KiB" : std::to_string(bytes) + " bytes";
}

struct SignParams {
  std::vector<std::uint8_t> data;
  std::optional<std::string> certificate;
  bool detached = false;
  std::optional<std::string> reader;
  SharedPins pins;
};

nlohmann::json sign(CommandContext& context, const SignParams& params) {
  CardOperation operation(context, params.reader);
  const Signer signer = openSigner(operation, params.certificate, *params.pins);
  const CardCertificate& chosen = *signer.chosen;
  const auto chain = issuersOnCard(signer.certificates, chosen);
  const auto signature = operation.signWith(signer.key, [&] {
    return crypto::cmsSign(signer.key.get(), chosen.parsed, chain, params.data, params.detached);
  });
  operation.checkpoint();
  return {{"signature", crypto::base64Encode(signature)}, {"certificate", certificateJson(chosen, signer.now)}};
}

}  // namespace

std::vector<std::uint8_t> renewalDataParam(const ParamValidator& validator, bool detached) {
  const std::size_t limit =
      detached ? protocol::kSignRenewalDetachedDataMaxBytes : protocol::kSignRenewalAttachedDataMaxBytes;
  auto data = crypto::base64Decode(validator.requiredString("data", kDataRule));
  if (!data || data->empty() || data->size() > limit) {
    throw badRequest("params.data", std::string("must be base64 of 1 byte to ") + sizeText(limit) + " for " +
                                        (detached ? "a detached" : "an attached") + " signature");
  }
  return std::move(*data);
}

CommandRun prepareSignRenewal(nlohmann::json& params) {
  // "store": "software" signs with a key of the user's key store (sign_software_renewal.cpp).
  if (isSoftwareStoreRequest(params)) return prepareSoftwareSignRenewal(params);
  if (params.is_object()) params.erase("store");  // "card", the default
  auto parsed = std::make_shared<SignParams>();
  parsed->pins = takePins(params);
  const ParamValidator validator(params, {"data", "certificate", "detached", "reader"});
  parsed->detached = validator.optionalBool("detached").value_or(false);
  parsed->data = renewalDataParam(validator, parsed->detached);
  parsed->certificate = certificateIdParam(validator);
  parsed->reader = readerParam(validator);
  return [parsed](CommandContext& context) { return sign(context, *parsed); };
}

bool isSoftwareStoreRequest(const nlohmann::json& params) {
  if (!params.is_object()) return false;
  const auto it = params.find("store");
  return it != params.end() && !(it->is_string() && it->get_ref<const std::string&>() == "card");
}

}  // namespace certbridge::host::commands
