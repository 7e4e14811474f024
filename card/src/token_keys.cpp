// RSA keys on a token: generation with our own attribute template, listing, lookup by public key, and the
// private key that signs on the token (an EVP_PKEY, token_rsa_key.cpp; an RsaSigner on Windows,
// token_rsa_signer.cpp).

#include <algorithm>
#include <array>
#include <bit>

#include "certbridge/card/error.hpp"
#include "certbridge/card/token_objects.hpp"
#include "pkcs11_call.hpp"
#include "platform_crypto.hpp"
#include "public_key_der.hpp"
#include "token_keys.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

namespace {

// 20 bytes, like a SHA-1 key identifier: unique in practice, and checked against the token anyway.
constexpr std::size_t kKeyIdLength = 20;
constexpr int kAttemptsForUniqueId = 3;
constexpr int kSmallestKeyBits = 1024;
constexpr int kLargestKeyBits = 16384;

std::vector<ck::ObjectHandle> objectsWithId(TokenSession::Impl& s, ck::Ulong objectClass,
                                            std::span<const std::uint8_t> id) {
  return detail::findObjects(s.f(), s.handle,
                             {ck::attribute(ck::kCkaClass, objectClass), ck::attribute(ck::kCkaId, id)});
}

bool idInUse(TokenSession::Impl& s, std::span<const std::uint8_t> id) {
  return !detail::findObjects(s.f(), s.handle, {ck::attribute(ck::kCkaId, id)}).empty();
}

// The RSA public key an object shows (CKA_MODULUS, CKA_PUBLIC_EXPONENT); nullopt if it shows neither.
std::optional<detail::RsaNumbers> rsaNumbersOf(const detail::ObjectAttributes& attributes) {
  const auto& modulus = attributes.bytes(ck::kCkaModulus);
  const auto& exponent = attributes.bytes(ck::kCkaPublicExponent);
  if (!modulus || !exponent) return std::nullopt;
  return detail::rsaNumbers(*modulus, *exponent);
}

int modulusBits(const detail::RsaNumbers& numbers) {
  const auto bytes = static_cast<int>(numbers.modulus.size());  // no leading zero byte, and never empty
  return (bytes - 1) * 8 + static_cast<int>(std::bit_width(static_cast<unsigned>(numbers.modulus.front())));
}

// The public key of a private key object, from the attributes read of it (CKA_MODULUS, CKA_PUBLIC_EXPONENT)
// and its CKA_ID: its own modulus and exponent, or, on tokens that do not show them on private keys, those of
// the public key object of the pair (same CKA_ID).
std::optional<detail::RsaNumbers> privateKeysNumbers(TokenSession::Impl& s, const detail::ObjectAttributes& attributes,
                                                     const std::optional<std::vector<std::uint8_t>>& id) {
  if (auto own = rsaNumbersOf(attributes)) return own;
  if (!id || id->empty()) return std::nullopt;
  for (const auto object : objectsWithId(s, ck::kCkoPublicKey, *id)) {
    if (auto pairs =
            rsaNumbersOf(detail::readAttributes(s.f(), s.handle, object, {ck::kCkaModulus, ck::kCkaPublicExponent})))
      return pairs;
  }
  return std::nullopt;
}

struct PrivateKeyObject {
  ck::ObjectHandle handle = 0;
  detail::RsaNumbers numbers;
};

// The private key object whose public key is wanted: among those with CKA_ID likelyId first, then among all
// RSA private keys. Reads only what the comparison needs (not the CKA_ID it was found by: every attribute of
// a private object is decrypted on software tokens).
std::optional<PrivateKeyObject> privateKeyObject(TokenSession::Impl& s, const detail::RsaNumbers& wanted,
                                                 std::span<const std::uint8_t> likelyId) {
  const auto matching = [&](ck::ObjectHandle object,
                            std::optional<std::vector<std::uint8_t>> id) -> std::optional<PrivateKeyObject> {
    std::vector<ck::AttributeType> types{ck::kCkaModulus, ck::kCkaPublicExponent};
    if (!id) types.push_back(ck::kCkaId);
    const auto attributes = detail::readAttributes(s.f(), s.handle, object, types);
    auto numbers = privateKeysNumbers(s, attributes, id ? id : attributes.bytes(ck::kCkaId));
    if (!numbers || *numbers != wanted) return std::nullopt;
    return PrivateKeyObject{object, std::move(*numbers)};
  };
  if (!likelyId.empty()) {
    const std::vector<std::uint8_t> id(likelyId.begin(), likelyId.end());
    for (const auto object : objectsWithId(s, ck::kCkoPrivateKey, likelyId))
      if (auto found = matching(object, id)) return found;
  }
  for (const auto object : detail::findObjects(
           s.f(), s.handle,
           {ck::attribute(ck::kCkaClass, ck::kCkoPrivateKey), ck::attribute(ck::kCkaKeyType, ck::kCkkRsa)}))
    if (auto found = matching(object, std::nullopt)) return found;
  return std::nullopt;
}

}  // namespace

namespace detail {

KeyInfo keyInfo(TokenSession::Impl& s, ck::ObjectHandle privateKey) {
  const auto attributes = readAttributes(
      s.f(), s.handle, privateKey,
      {ck::kCkaId, ck::kCkaLabel, ck::kCkaModulus, ck::kCkaPublicExponent, ck::kCkaToken, ck::kCkaPrivate,
       ck::kCkaSensitive, ck::kCkaExtractable, ck::kCkaAlwaysSensitive, ck::kCkaNeverExtractable});
  KeyInfo key;
  key.id = attributes.bytes(ck::kCkaId).value_or(std::vector<std::uint8_t>{});
  key.label = attributes.text(ck::kCkaLabel);
  if (const auto numbers = privateKeysNumbers(s, attributes, attributes.bytes(ck::kCkaId))) {
    key.publicKey = detail::rsaPublicKey(numbers->modulus, numbers->exponent);
    key.bits = modulusBits(*numbers);
  }
  const auto flag = [&](ck::AttributeType type) { return attributes.boolean(type).value_or(false); };
  key.protection.tokenObject = flag(ck::kCkaToken);
  key.protection.privateObject = flag(ck::kCkaPrivate);
  key.protection.sensitive = flag(ck::kCkaSensitive);
  key.protection.extractable = flag(ck::kCkaExtractable);
  key.protection.alwaysSensitive = flag(ck::kCkaAlwaysSensitive);
  key.protection.neverExtractable = flag(ck::kCkaNeverExtractable);
  return key;
}

std::vector<KeyInfo> rsaPrivateKeys(TokenSession::Impl& s) {
  std::vector<KeyInfo> keys;
  for (const auto object :
       findObjects(s.f(), s.handle,
                   {ck::attribute(ck::kCkaClass, ck::kCkoPrivateKey), ck::attribute(ck::kCkaKeyType, ck::kCkkRsa)}))
    keys.push_back(keyInfo(s, object));
  return keys;
}

std::vector<KeyNumbers> rsaKeyNumbers(TokenSession::Impl& s, ck::Ulong objectClass) {
  std::vector<KeyNumbers> keys;
  for (const auto object : findObjects(
           s.f(), s.handle, {ck::attribute(ck::kCkaClass, objectClass), ck::attribute(ck::kCkaKeyType, ck::kCkkRsa)})) {
    const auto attributes =
        readAttributes(s.f(), s.handle, object, {ck::kCkaModulus, ck::kCkaPublicExponent, ck::kCkaId, ck::kCkaLabel});
    auto numbers = objectClass == ck::kCkoPrivateKey ? privateKeysNumbers(s, attributes, attributes.bytes(ck::kCkaId))
                                                     : rsaNumbersOf(attributes);
    if (numbers)
      keys.push_back({attributes.bytes(ck::kCkaId).value_or(std::vector<std::uint8_t>{}), std::move(*numbers),
                      attributes.text(ck::kCkaLabel)});
  }
  return keys;
}

}  // namespace detail

namespace {

std::optional<KeyInfo> keyWithPublicKey(TokenSession::Impl& s, const std::optional<detail::RsaNumbers>& wanted,
                                        std::span<const std::uint8_t> likelyId) {
  if (!wanted) return std::nullopt;  // not an RSA key: none of ours has it
  const auto object = privateKeyObject(s, *wanted, likelyId);
  if (!object) return std::nullopt;
  return detail::keyInfo(s, object->handle);
}

}  // namespace

KeyInfo generateRsaKeyPair(TokenSession& session, const KeyGenerationOptions& options) {
  auto& s = session.impl();
  s.requireReadWrite("generate a key pair");
  s.requireUser("generate a key pair");
  if (options.bits < kSmallestKeyBits || options.bits > kLargestKeyBits || options.bits % 8 != 0) {
    throw CardError(ErrorKind::InvalidArgument,
                    "RSA key size " + std::to_string(options.bits) + " is not a multiple of 8 between 1024 and 16384");
  }
  std::vector<std::uint8_t> id;
  for (int attempt = 0; attempt < kAttemptsForUniqueId && (id.empty() || idInUse(s, id)); ++attempt)
    id = detail::randomBytes(kKeyIdLength);
  if (idInUse(s, id)) throw CardError(ErrorKind::Pkcs11, "Could not pick an unused CKA_ID for the new key");

  // libp11 0.4.12's PKCS11_generate_key leaves CKA_EXTRACTABLE to the token's default, which openCryptoki
  // sets to true: the template is ours, so every token gets the same, explicit protection.
  const ck::Ulong modulusBits = static_cast<ck::Ulong>(options.bits);
  const std::array<std::uint8_t, 3> publicExponent{0x01, 0x00, 0x01};  // 65537
  std::vector<ck::Attribute> publicTemplate{
      ck::attribute(ck::kCkaToken, ck::kTrue),
      ck::attribute(ck::kCkaPrivate, ck::kFalse),
      ck::attribute(ck::kCkaVerify, ck::kTrue),
      ck::attribute(ck::kCkaEncrypt, ck::kTrue),
      ck::attribute(ck::kCkaWrap, ck::kTrue),
      ck::attribute(ck::kCkaModulusBits, modulusBits),
      ck::attribute(ck::kCkaPublicExponent, publicExponent),
      ck::attribute(ck::kCkaId, id),
  };
  std::vector<ck::Attribute> privateTemplate{
      ck::attribute(ck::kCkaToken, ck::kTrue),
      ck::attribute(ck::kCkaPrivate, ck::kTrue),
      ck::attribute(ck::kCkaSensitive, ck::kTrue),
      ck::attribute(ck::kCkaExtractable, ck::kFalse),
      // Signing also for the encryption key: its certificate request is signed with it (proof of possession).
      ck::attribute(ck::kCkaSign, ck::kTrue),
      ck::attribute(ck::kCkaDecrypt, ck::kTrue),
      ck::attribute(ck::kCkaUnwrap, ck::kTrue),
      ck::attribute(ck::kCkaId, id),
  };
  if (!options.label.empty()) {
    publicTemplate.push_back(ck::attribute(ck::kCkaLabel, options.label));
    privateTemplate.push_back(ck::attribute(ck::kCkaLabel, options.label));
  }
  ck::Mechanism mechanism{ck::kCkmRsaPkcsKeyPairGen, nullptr, 0};
  ck::ObjectHandle publicKey = 0;
  ck::ObjectHandle privateKey = 0;
  CERTBRIDGE_CK_CALL(s.f(), C_GenerateKeyPair,
                     (s.handle, &mechanism, publicTemplate.data(), static_cast<ck::Ulong>(publicTemplate.size()),
                      privateTemplate.data(), static_cast<ck::Ulong>(privateTemplate.size()), &publicKey, &privateKey));

  KeyInfo key = detail::keyInfo(s, privateKey);
  if (!key.protection.sensitive || key.protection.extractable) {
    // A token that ignores the template must not keep a key the card holder believes is protected.
    s.f().C_DestroyObject(s.handle, privateKey);
    s.f().C_DestroyObject(s.handle, publicKey);
    const std::string why = "made the new private key extractable or not sensitive; it was deleted";
    throw CardError(ErrorKind::CardNotSupported, "Token \"" + s.token.label + "\" " + why);
  }
  return key;
}

std::vector<KeyInfo> listKeys(TokenSession& session) {
  return detail::rsaPrivateKeys(session.impl());
}

std::optional<KeyInfo> findKeyByPublicKey(TokenSession& session, std::span<const std::uint8_t> subjectPublicKeyInfo,
                                          std::span<const std::uint8_t> likelyId) {
  return keyWithPublicKey(session.impl(), detail::rsaNumbersOfPublicKey(subjectPublicKeyInfo), likelyId);
}

std::optional<KeyInfo> findKeyForCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                             std::span<const std::uint8_t> likelyId) {
  return keyWithPublicKey(session.impl(), detail::certificateRsaNumbers(certificateDer), likelyId);
}

PrivateKey privateKey(TokenSession& session, const KeyInfo& key) {
  auto& s = session.impl();
  s.requireUser("use a private key");
  // The token, not an earlier listing, says whether the key is still there.
  const auto wanted = key.publicKey.empty() ? std::nullopt : detail::rsaNumbersOfPublicKey(key.publicKey);
  const auto object = wanted ? privateKeyObject(s, *wanted, key.id) : std::nullopt;
  if (!object)
    throw CardError(ErrorKind::KeyNotFound, "The key \"" + key.label + "\" is not on token \"" + s.token.label + "\"");
  return detail::tokenRsaKey(s, object->handle, object->numbers);
}

PrivateKey privateKeyForCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                    std::span<const std::uint8_t> likelyId) {
  auto& s = session.impl();
  s.requireUser("use a private key");
  const auto wanted = detail::certificateRsaNumbers(certificateDer);
  const auto object = wanted ? privateKeyObject(s, *wanted, likelyId) : std::nullopt;
  if (!object) {
    throw CardError(ErrorKind::KeyNotFound,
                    "No key on token \"" + s.token.label + "\" has the public key of this certificate");
  }
  return detail::tokenRsaKey(s, object->handle, object->numbers);
}

}  // namespace certbridge::card
