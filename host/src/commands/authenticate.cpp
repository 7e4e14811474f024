// authenticate: card login. The signature covers the page's origin, so it is useless to any other site.

#include <ctime>

#include "card_certificates.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/authentication.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

constexpr std::size_t kMinChallengeBytes = 16;
constexpr std::size_t kMaxChallengeBytes = 1024;
constexpr StringRule kChallengeRule{24, (kMaxChallengeBytes + 2) / 3 * 4, Charset::Base64};

struct AuthenticateParams {
  std::vector<std::uint8_t> challenge;
  std::optional<std::string> certificate;
  std::optional<std::string> reader;
  SharedPins pins;
};

nlohmann::json authenticate(CommandContext& context, const AuthenticateParams& params) {
  CardOperation operation(context, params.reader);
  const Signer signer = openSigner(operation, params.certificate, *params.pins, SignerCertificates::ChosenOnly);
  // The origin is the one the browser reported for the page (checked against the allow-list), never a value
  // the page chose.
  const std::string& origin = context.request.origin;
  const auto message = crypto::authenticationMessage(origin, params.challenge);
  const auto signature = operation.signWith(signer.key, [&] { return crypto::signSha256(signer.key.get(), message); });
  operation.checkpoint();
  return {{"algorithm", "sha256WithRSAEncryption"},
          {"origin", origin},
          {"signature", crypto::base64Encode(signature)},
          {"certificate", certificateJson(*signer.chosen, signer.now)}};
}

}  // namespace

CommandRun prepareAuthenticate(nlohmann::json& params) {
  auto parsed = std::make_shared<AuthenticateParams>();
  parsed->pins = takePins(params);
  const ParamValidator validator(params, {"challenge", "certificate", "reader"});
  const auto challenge = crypto::base64Decode(validator.requiredString("challenge", kChallengeRule));
  if (!challenge || challenge->size() < kMinChallengeBytes || challenge->size() > kMaxChallengeBytes) {
    throw badRequest("params.challenge", "must be base64 of 16-1024 bytes");
  }
  parsed->challenge = *challenge;
  parsed->certificate = certificateIdParam(validator);
  parsed->reader = readerParam(validator);
  return [parsed](CommandContext& context) { return authenticate(context, *parsed); };
}

}  // namespace certbridge::host::commands
