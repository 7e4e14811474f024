// generateSoftwareKey: key pairs made in the user's key store (Linux: the NSS database) and one PKCS#10
// request per key, signed by that key; the software-certificate edition of generateKeyPair.

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/certificate_request.hpp"
#include "crypto/encoding.hpp"
#include "key_request_params.hpp"
#include "software_params.hpp"

namespace certbridge::host::commands {
namespace {

struct SoftwareKeyRequest {
  KeyUsageParam usage;
  int keySize = 2048;
};

struct GenerateSoftwareParams {
  std::vector<crypto::SubjectAttribute> subject;
  std::vector<SoftwareKeyRequest> keys;
  std::shared_ptr<const Secrets> secrets;
};

constexpr std::size_t kMaxKeys = 2;

std::vector<SoftwareKeyRequest> keysParam(const ParamValidator& validator) {
  const nlohmann::json& array = validator.requiredArray("keys", 1, kMaxKeys);
  std::vector<SoftwareKeyRequest> keys;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const ParamValidator entry(array[i], validator.element("keys", i), {"usage", "keySize"});
    SoftwareKeyRequest key;
    key.usage = keyUsageParam(entry);
    key.keySize = rsaKeySizeParam(entry);
    keys.push_back(std::move(key));
  }
  return keys;
}

nlohmann::json generate(CommandContext& context, const GenerateSoftwareParams& params) {
  const auto store = openUserStore(*params.secrets);
  // Keys made by this call, removed again if a later step fails: the store ends as it was, not with a key
  // nobody asked a certificate for.
  std::vector<software_store::NewKeyPair> made;
  try {
    const std::time_t now = std::time(nullptr);
    const auto total = params.keys.size();
    nlohmann::json requests = nlohmann::json::array();
    for (std::size_t i = 0; i < total; ++i) {
      const SoftwareKeyRequest& key = params.keys[i];
      checkCancelled(context);
      context.responder.sendProgress(context.request.id, "generatingKey", {{"key", i + 1}, {"keys", total}});
      made.push_back(store->generateRsaKeyPair(key.keySize, keyLabel(key.usage, now)));
      const software_store::NewKeyPair& pair = made.back();
      checkCancelled(context);
      context.responder.sendProgress(context.request.id, "creatingRequest", {{"key", i + 1}, {"keys", total}});
      std::string request =
          crypto::createCertificateRequestPem(pair.key->signingKey(), params.subject, key.usage.usage);
      requests.push_back({{"usage", key.usage.name},
                          {"keySize", key.keySize},
                          {"keyId", crypto::hexEncode(pair.id)},
                          {"publicKey", crypto::base64Encode(pair.publicKeyInfoDer)},
                          {"request", std::move(request)}});
    }
    checkCancelled(context);
    return {{"store", "software"}, {"requests", std::move(requests)}};
  } catch (...) {
    for (auto& pair : made) pair.remove();
    throw;
  }
}

}  // namespace

CommandRun prepareGenerateSoftwareKey(nlohmann::json& params) {
  auto parsed = std::make_shared<GenerateSoftwareParams>();
  parsed->secrets = std::make_shared<const Secrets>(params, std::initializer_list<std::string_view>{"storePassword"});
  const ParamValidator validator(params, {"subject", "keys"});
  parsed->subject = subjectParam(validator);
  parsed->keys = keysParam(validator);
  return [parsed](CommandContext& context) { return generate(context, *parsed); };
}

}  // namespace certbridge::host::commands
