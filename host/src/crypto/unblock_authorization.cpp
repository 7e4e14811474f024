// The unblock authorization's checks and bindings that do not depend on the crypto library.
#include <stdexcept>

#include "encoding.hpp"
#include "unblock_steps.hpp"

namespace certbridge::host::crypto {

std::vector<std::uint8_t> detail::checkAuthorizationShape(const UnblockAuthorization& authorization,
                                                          const UnblockContext& context) {
  if (authorization.version != 1) throw AuthorizationInvalid("unsupported authorization version");
  if (authorization.requestId != context.requestId) {
    throw AuthorizationInvalid("the authorization is for another request");
  }
  auto salt = hexDecode(context.requestId);
  if (!salt || salt->size() != kRequestIdBytes) throw AuthorizationInvalid("the request id is not 32 hex digits");
  if (authorization.iv.size() != kUnblockIvSize) throw AuthorizationInvalid("the iv is not 12 bytes");
  if (authorization.tag.size() != kUnblockTagSize) throw AuthorizationInvalid("the tag is not 16 bytes");
  if (authorization.ciphertext.empty()) throw AuthorizationInvalid("the authorization holds no credential");
  if (authorization.ciphertext.size() > kMaxUnblockSecretSize) {
    throw AuthorizationInvalid("the credential is too long");
  }
  return std::move(*salt);
}

std::vector<std::uint8_t> detail::saltForSealing(const UnblockContext& context, std::string_view soPin) {
  auto salt = hexDecode(context.requestId);
  if (!salt || salt->size() != kRequestIdBytes) throw std::invalid_argument("the request id is not 32 hex digits");
  if (soPin.size() > kMaxUnblockSecretSize) throw std::invalid_argument("the SO PIN is too long");
  return std::move(*salt);
}

std::string detail::additionalData(const UnblockContext& context) {
  return std::string(kUnblockLabel) + "|" + context.requestId + "|" + context.tokenSerial + "|" +
         std::to_string(context.pinGroup);
}

}  // namespace certbridge::host::crypto
