// The unblock authorization with BCrypt (Windows): ECDH P-256, HKDF-SHA256 (BCryptDeriveKey) and
// AES-256-GCM, each step used only after the known-answer self-test passed (unblock_self_test.cpp).
#include <stdexcept>

#include "../crypto_error.hpp"
#include "../encoding.hpp"
#include "../unblock_authorization.hpp"
#include "../unblock_steps.hpp"
#include "unblock_primitives.hpp"

namespace certbridge::host::crypto {

void requireUnblockCrypto() {
  windows::requireUnblockSelfTest();
}

struct UnblockKey::State {
  windows::KeyHandle key;
};

void UnblockKey::StateDeleter::operator()(State* state) const noexcept {
  delete state;  // BCryptDestroyKey wipes the private key.
}

UnblockKey UnblockKey::generate() {
  windows::requireUnblockSelfTest();
  return UnblockKey(std::unique_ptr<State, StateDeleter>(new State{windows::generateP256Key()}));
}

std::vector<std::uint8_t> UnblockKey::publicKeyDer() const {
  if (!state_) throw std::logic_error("UnblockKey used after it was moved from");
  return windows::p256PublicKeyInfo(state_->key.get());
}

card::SecretString UnblockKey::open(const UnblockAuthorization& authorization, const UnblockContext& context) const {
  if (!state_) throw std::logic_error("UnblockKey used after it was moved from");
  windows::requireUnblockSelfTest();
  const auto salt = detail::checkAuthorizationShape(authorization, context);
  const windows::KeyHandle raKey = windows::importP256PublicKeyInfo(authorization.raPublicKey);
  if (!raKey) throw AuthorizationInvalid("the RA key is not a P-256 public key");

  windows::WipedBuffer key(detail::kUnblockKeySize);
  if (!windows::deriveAgreedKey(state_->key.get(), raKey.get(), salt, detail::kUnblockLabel, key)) {
    throw AuthorizationInvalid("key agreement with the RA key failed");
  }
  windows::WipedBuffer plaintext(authorization.ciphertext.size());
  if (!windows::gcmDecrypt(key, authorization.iv, detail::additionalData(context), authorization.ciphertext,
                           authorization.tag, plaintext)) {
    throw AuthorizationInvalid("the authorization does not authenticate");  // Forged, or another card or group.
  }
  return card::SecretString::takeFrom(std::span<char>(reinterpret_cast<char*>(plaintext.data()), plaintext.size()));
}

UnblockAuthorization sealUnblockAuthorization(std::span<const std::uint8_t> hostPublicKeyDer,
                                              const UnblockContext& context, std::string_view soPin) {
  const auto salt = detail::saltForSealing(context, soPin);
  windows::requireUnblockSelfTest();
  const windows::KeyHandle hostKey = windows::importP256PublicKeyInfo(hostPublicKeyDer);
  if (!hostKey) throw CryptoError("the host key is not a P-256 public key");

  const windows::KeyHandle ephemeralKey = windows::generateP256Key();
  windows::WipedBuffer key(detail::kUnblockKeySize);
  if (!windows::deriveAgreedKey(ephemeralKey.get(), hostKey.get(), salt, detail::kUnblockLabel, key)) {
    throw CryptoError("ECDH failed");
  }
  UnblockAuthorization authorization;
  authorization.version = 1;
  authorization.requestId = context.requestId;
  authorization.raPublicKey = windows::p256PublicKeyInfo(ephemeralKey.get());
  authorization.iv = randomBytes(detail::kUnblockIvSize);
  windows::gcmEncrypt(key, authorization.iv, detail::additionalData(context),
                      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(soPin.data()), soPin.size()),
                      authorization.ciphertext, authorization.tag);
  return authorization;
}

}  // namespace certbridge::host::crypto
