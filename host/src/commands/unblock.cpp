// unblockRequest / unblockPin: a PIN reset authorized by the RA. The SO credential reaches the host encrypted
// to a one-time key made for the request, so neither the page nor the extension ever sees it in clear.

#include <chrono>
#include <utility>

#include <spdlog/spdlog.h>

#include "card_access.hpp"
#include "card_json.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/pin_operations.hpp"
#include "certbridge/card/pin_policy.hpp"
#include "certbridge/card/token_identity.hpp"
#include "certbridge/host/pin_state.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "commands.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kRequestIdBytes = 16;
constexpr StringRule kRequestIdRule{32, 32, Charset::Hex};
constexpr StringRule kPublicKeyRule{4, 512, Charset::Base64};
constexpr StringRule kIvRule{16, 16, Charset::Base64};          // 12 bytes
constexpr StringRule kTagRule{24, 24, Charset::Base64};         // 16 bytes
constexpr StringRule kCiphertextRule{4, 344, Charset::Base64};  // up to 256 bytes of SO credential

ProtocolError invalid(std::string_view reason) {
  return ProtocolError(ErrorCode::UnblockAuthorizationInvalid, {{"reason", reason}});
}

struct UnblockRequestParams {
  std::size_t pinGroup = 0;
  std::optional<std::string> reader;
};

struct UnblockPinParams {
  crypto::UnblockAuthorization authorization;
  std::shared_ptr<const card::SecretString> newPin;
};

// Refuses before any card work where the platform's crypto failed the unblock self-test: a key the host could
// not open correctly would only waste the RA's authorization and the user's time.
void requireUnblockCrypto() {
  try {
    crypto::requireUnblockCrypto();
  } catch (const crypto::UnblockSelfTestFailed& failure) {
    spdlog::error("unblock: {}", failure.what());
    throw ProtocolError(ErrorCode::UnblockUnavailable, {{"reason", "platformCryptoSelfTest"}});
  }
}

nlohmann::json unblockRequest(CommandContext& context, const UnblockRequestParams& params) {
  context.card->pendingUnblock.reset();  // a new request always replaces an older one
  requireUnblockCrypto();
  CardOperation operation(context, params.reader);
  const card::PinRules& rules = operation.pinRules(params.pinGroup);
  const card::TokenInfo& token = operation.token(params.pinGroup);
  const bool serialUnique = card::serialIdentifiesToken(token);
  // A blank or shared serial cannot tell this card from another of its model at unblockPin: its keys can.
  std::vector<std::vector<std::uint8_t>> objectIds;
  if (!serialUnique) objectIds = card::publicObjectIds(operation.session(params.pinGroup, card::SessionMode::ReadOnly));
  const std::string requestId = crypto::hexEncode(crypto::randomBytes(kRequestIdBytes));
  auto key = crypto::UnblockKey::generate();
  const auto lifetime = context.host.config.unblockLifetime;
  const nlohmann::json result = {
      {"reader", operation.readerName()},
      {"token",
       {{"label", token.label},
        {"serialNumber", token.serial},
        {"serialUnique", serialUnique},
        {"manufacturer", token.manufacturer},
        {"model", token.model}}},
      {"pinGroup", params.pinGroup},
      {"pinName", rules.name},
      {"pinState", pinStatusJson(userPinStatus(token, rules.maxTries))},
      {"requestId", requestId},
      {"hostPublicKey", crypto::base64Encode(key.publicKeyDer())},
      {"expiresAt",
       crypto::isoTime(std::time(nullptr) + std::chrono::duration_cast<std::chrono::seconds>(lifetime).count())},
  };
  context.card->pendingUnblock = PendingUnblock{std::move(key),         requestId,       context.request.origin,
                                                operation.readerName(), token.serial,    token,
                                                std::move(objectIds),   params.pinGroup, Clock::now() + lifetime};
  return result;
}

nlohmann::json unblockPin(CommandContext& context, const UnblockPinParams& params) {
  auto& pending = context.card->pendingUnblock;
  if (!pending || pending->origin != context.request.origin) throw invalid("noRequest");
  if (Clock::now() > pending->expires) {
    pending.reset();
    throw invalid("expired");
  }
  if (params.authorization.requestId != pending->requestId) {
    pending.reset();
    throw invalid("otherRequest");
  }
  CardOperation operation(context, pending->reader);
  const std::size_t pinGroup = pending->pinGroup;
  const card::PinRules& rules = operation.pinRules(pinGroup);
  const card::TokenInfo& token = operation.token(pinGroup);
  if (!card::sameTokenFacts(token, pending->token)) throw invalid("otherCard");
  if (!card::serialIdentifiesToken(token) &&
      card::publicObjectIds(operation.session(pinGroup, card::SessionMode::ReadWrite)) != pending->publicObjectIds) {
    throw invalid("otherCard");
  }
  // A new PIN the rules refuse costs nothing: the request stays usable for a better one.
  operation.withPinGroup(pinGroup, [&] { card::checkPinPolicy(*params.newPin, rules); });

  // From here the one-time key is used up, whatever happens.
  const PendingUnblock used = std::move(*pending);
  pending.reset();
  card::SecretString soPin;
  try {
    soPin = used.key.open(params.authorization, {used.requestId, used.tokenSerial, static_cast<int>(pinGroup)});
  } catch (const crypto::AuthorizationInvalid&) {
    spdlog::warn("request id={}: unblock authorization did not decrypt", context.request.id);
    throw invalid("forged");
  }
  card::TokenSession& session = operation.session(pinGroup, card::SessionMode::ReadWrite);
  operation.progress("unblocking", {{"pinGroup", pinGroup}, {"pinName", rules.name}});
  try {
    session.loginSecurityOfficer(soPin);
  } catch (const card::CardError& e) {
    if (e.kind() != card::ErrorKind::PinIncorrect && e.kind() != card::ErrorKind::PinLocked &&
        e.kind() != card::ErrorKind::PinPolicy) {
      throw;
    }
    spdlog::warn("request id={}: the card refused the authorization's SO credential ({})", context.request.id,
                 card::toString(e.kind()));
    // A locked SO login is no fault of the authorization: another one from the RA would be refused the
    // same way, so the user must hear that this card cannot be unblocked, not "start again".
    if (e.kind() == card::ErrorKind::PinLocked) {
      throw ProtocolError(ErrorCode::SoPinLocked, {{"pinGroup", pinGroup}, {"pinName", rules.name}});
    }
    throw invalid("credentialRejected");
  }
  soPin.clear();
  operation.withPinGroup(pinGroup, [&] { card::unblockPin(session, *params.newPin, rules); });
  session.logout();
  return {{"pinGroup", pinGroup},
          {"pinName", rules.name},
          {"pinState", pinStatusJson(userPinStatus(session.refreshToken(), rules.maxTries))}};
}

std::vector<std::uint8_t> decodedField(const ParamValidator& validator, std::string_view key, const StringRule& rule) {
  auto bytes = crypto::base64Decode(validator.requiredString(key, rule));
  if (!bytes) throw badRequest(validator.field(key), "must be base64");
  return std::move(*bytes);
}

}  // namespace

CommandRun prepareUnblockRequest(nlohmann::json& params) {
  const ParamValidator validator(params, {"pinGroup", "reader"});
  UnblockRequestParams parsed;
  parsed.pinGroup = static_cast<std::size_t>(validator.optionalInteger("pinGroup", 0, kMaxPinGroupIndex).value_or(0));
  parsed.reader = readerParam(validator);
  return [parsed](CommandContext& context) { return unblockRequest(context, parsed); };
}

CommandRun prepareUnblockPin(nlohmann::json& params) {
  auto parsed = std::make_shared<UnblockPinParams>();
  parsed->newPin = takeSecret(params, "newPin");
  const ParamValidator validator(params, {"authorization"});
  if (!parsed->newPin) throw badRequest("params.newPin", "missing");
  const ParamValidator authorization(validator.requiredObject("authorization"), "params.authorization",
                                     {"version", "requestId", "raPublicKey", "iv", "ciphertext", "tag"});
  auto& fields = parsed->authorization;
  fields.version = static_cast<int>(authorization.requiredInteger("version", 1, 1));
  fields.requestId = lowerAscii(authorization.requiredString("requestId", kRequestIdRule));
  fields.raPublicKey = decodedField(authorization, "raPublicKey", kPublicKeyRule);
  fields.iv = decodedField(authorization, "iv", kIvRule);
  fields.ciphertext = decodedField(authorization, "ciphertext", kCiphertextRule);
  fields.tag = decodedField(authorization, "tag", kTagRule);
  return [parsed](CommandContext& context) { return unblockPin(context, *parsed); };
}

}  // namespace certbridge::host::commands
