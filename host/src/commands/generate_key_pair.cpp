// generateKeyPair: key pairs made ON the card and one PKCS#10 request per key, signed by that key.

#include <algorithm>
#include <ctime>
#include <set>

#include <spdlog/spdlog.h>

#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/card/token_mechanisms.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/certificate_request.hpp"
#include "crypto/encoding.hpp"
#include "key_request_params.hpp"

namespace certbridge::host::commands {
namespace {

struct KeyRequest {
  KeyUsageParam usage;
  int keySize = 2048;
  std::size_t pinGroup = 0;
  std::string field;  ///< "params.keys[1]", for errors found against the card.
};

struct GenerateParams {
  std::vector<crypto::SubjectAttribute> subject;
  std::vector<KeyRequest> keys;
  std::optional<std::string> reader;
  SharedPins pins;
};

constexpr std::size_t kMaxKeys = 2;

std::vector<KeyRequest> keysParam(const ParamValidator& validator) {
  const nlohmann::json& array = validator.requiredArray("keys", 1, kMaxKeys);
  std::vector<KeyRequest> keys;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const ParamValidator entry(array[i], validator.element("keys", i), {"usage", "keySize", "pinGroup"});
    KeyRequest key;
    key.field = validator.element("keys", i);
    key.usage = keyUsageParam(entry);
    key.keySize = rsaKeySizeParam(entry);
    key.pinGroup = static_cast<std::size_t>(entry.optionalInteger("pinGroup", 0, kMaxPinGroupIndex).value_or(0));
    keys.push_back(std::move(key));
  }
  return keys;
}

// Checks every key against the card before any is made (and before the login), so a bad size or group
// never costs a PIN entry or leaves a partial set. The sizes are the profile's that the token itself says it
// makes (C_GetMechanismInfo): a profile may list more than a given card's chip can do.
void checkKeysAgainstCard(const CardOperation& operation, const std::vector<KeyRequest>& keys) {
  for (const auto& key : keys) {
    operation.pinRules(key.pinGroup, key.field + ".pinGroup");
    const card::TokenInfo& token = operation.token(key.pinGroup);
    const std::vector<int> sizes = card::keySizesTheTokenMakes(
        operation.profile().keySizes, card::rsaKeyGenerationRange(*operation.slot().module, token.slotId));
    if (std::find(sizes.begin(), sizes.end(), key.keySize) == sizes.end()) {
      std::string allowed;
      for (const int size : sizes) allowed += (allowed.empty() ? "" : ", ") + std::to_string(size);
      throw ProtocolError(ErrorCode::BadRequest,
                          {{"field", key.field + ".keySize"},
                           {"reason", sizes.empty() ? "this card makes no RSA keys"
                                                    : "this card makes RSA keys of " + allowed + " bits"},
                           {"keySizes", sizes}});
    }
  }
}

nlohmann::json generate(CommandContext& context, const GenerateParams& params) {
  CardOperation operation(context, params.reader);
  checkKeysAgainstCard(operation, params.keys);
  std::set<std::size_t> groups;
  for (const auto& key : params.keys) groups.insert(key.pinGroup);
  for (const std::size_t group : groups) operation.session(group, card::SessionMode::ReadWrite);
  for (const std::size_t group : groups) operation.login(group, *params.pins);

  // Keys made by this call, removed again if a later step fails: the card ends as it was, not with a key
  // nobody asked for a certificate for.
  std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> made;
  const auto rollBack = [&] {
    for (const auto& [group, id] : made) {
      try {
        card::deleteObjectsById(operation.session(group, card::SessionMode::ReadWrite), id);
      } catch (const std::exception& e) {
        spdlog::warn("generateKeyPair: could not remove a key made before the failure: {}", e.what());
      }
    }
  };
  try {
    const std::time_t now = std::time(nullptr);
    const auto total = params.keys.size();
    nlohmann::json requests = nlohmann::json::array();
    for (std::size_t i = 0; i < total; ++i) {
      const KeyRequest& key = params.keys[i];
      card::TokenSession& session = operation.session(key.pinGroup, card::SessionMode::ReadWrite);
      operation.checkpoint();
      operation.progress("generatingKey", {{"key", i + 1}, {"keys", total}});
      const card::KeyInfo info = card::generateRsaKeyPair(session, {key.keySize, keyLabel(key.usage, now)});
      made.emplace_back(key.pinGroup, info.id);
      operation.checkpoint();
      operation.progress("creatingRequest", {{"key", i + 1}, {"keys", total}});
      const card::PrivateKey privateKey = card::privateKey(session, info);
      std::string request = operation.signWith(privateKey, [&] {
        return crypto::createCertificateRequestPem(privateKey.get(), params.subject, key.usage.usage);
      });
      requests.push_back({{"usage", key.usage.name},
                          {"keySize", key.keySize},
                          {"pinGroup", key.pinGroup},
                          {"keyId", crypto::hexEncode(info.id)},
                          {"publicKey", crypto::base64Encode(info.publicKey)},
                          {"request", std::move(request)}});
    }
    operation.checkpoint();
    return {{"reader", operation.readerName()},
            {"token", operation.tokenJson(params.keys[0].pinGroup)},
            {"requests", std::move(requests)}};
  } catch (...) {
    rollBack();
    throw;
  }
}

}  // namespace

CommandRun prepareGenerateKeyPair(nlohmann::json& params) {
  auto parsed = std::make_shared<GenerateParams>();
  parsed->pins = takePins(params);
  const ParamValidator validator(params, {"subject", "keys", "reader"});
  parsed->subject = subjectParam(validator);
  parsed->keys = keysParam(validator);
  parsed->reader = readerParam(validator);
  return [parsed](CommandContext& context) { return generate(context, *parsed); };
}

}  // namespace certbridge::host::commands
