// removeKeys: deletes key pairs that no certificate on the card belongs to, named one by one by the page and
// confirmed by the user in the CertBridge window. A key with a certificate is never removed here, and nothing
// is removed unless every named key qualifies.

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "card_keys.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

// A CKA_ID as listCertificates reports it: 1-64 bytes in hex.
constexpr StringRule kKeyIdRule{2, 128, Charset::Hex};
constexpr std::size_t kMaxKeys = 8;

struct RemoveKeysParams {
  std::vector<std::string> keyIds;  ///< lower-case hex
  std::optional<std::string> reader;
  SharedPins pins;
};

nlohmann::json removeKeys(CommandContext& context, const RemoveKeysParams& params) {
  CardOperation operation(context, params.reader);
  const std::time_t now = std::time(nullptr);
  // Everything is checked before anything goes: a key that has a certificate, or is not on the card, stops
  // the whole request.
  std::map<std::string, std::pair<std::size_t, nlohmann::json>> orphans;
  for (auto& key : cardKeysWithoutCertificate(operation, card::SessionMode::ReadWrite, now)) {
    const std::size_t group = key["pinGroup"].get<std::size_t>();
    std::string id = key["keyId"].get<std::string>();  // read before the key is moved into the map
    orphans.emplace(std::move(id), std::make_pair(group, std::move(key)));
  }
  std::set<std::size_t> groups;
  for (std::size_t i = 0; i < params.keyIds.size(); ++i) {
    const auto found = orphans.find(params.keyIds[i]);
    if (found == orphans.end()) {
      throw ProtocolError(ErrorCode::KeyNotFound, {{"keyId", params.keyIds[i]},
                                                   {"field", "params.keyIds[" + std::to_string(i) + "]"},
                                                   {"reason",
                                                    "no key without certificate has this id on the card (keys with a "
                                                    "certificate are never removed here)"}});
    }
    groups.insert(found->second.first);
  }
  for (const std::size_t group : groups) operation.login(group, *params.pins);
  operation.checkpoint();
  operation.progress("removingKeys", {{"keys", params.keyIds.size()}});
  nlohmann::json removed = nlohmann::json::array();
  for (const auto& id : params.keyIds) {
    auto& [group, key] = orphans.at(id);
    const auto bytes = crypto::hexDecode(id);
    const std::size_t objects = card::deleteObjectsById(operation.session(group, card::SessionMode::ReadWrite),
                                                        bytes.value_or(std::vector<std::uint8_t>{}));
    spdlog::info("removeKeys: removed key pair without certificate ({} objects)", objects);
    key["objects"] = objects;
    removed.push_back(key);
  }
  return {{"reader", operation.readerName()}, {"token", operation.tokenJson(0)}, {"removed", std::move(removed)}};
}

}  // namespace

CommandRun prepareRemoveKeys(nlohmann::json& params) {
  auto parsed = std::make_shared<RemoveKeysParams>();
  parsed->pins = takePins(params);
  const ParamValidator validator(params, {"keyIds", "reader"});
  validator.requiredArray("keyIds", 1, kMaxKeys);  // present, and 1-8 of them
  for (auto& id : validator.stringArray("keyIds", 1, kMaxKeys, kKeyIdRule)) {
    if (id.size() % 2 != 0) throw badRequest(validator.field("keyIds"), "key ids are whole bytes in hex");
    id = lowerAscii(std::move(id));
    if (std::find(parsed->keyIds.begin(), parsed->keyIds.end(), id) != parsed->keyIds.end()) {
      throw badRequest(validator.field("keyIds"), "a key id is named twice");
    }
    parsed->keyIds.push_back(std::move(id));
  }
  parsed->reader = readerParam(validator);
  return [parsed](CommandContext& context) { return removeKeys(context, *parsed); };
}

}  // namespace certbridge::host::commands
