// RSA keys on a token: generation with our own attribute template, listing, lookup by public key, and the
// private key as an EVP_PKEY through libp11.

#include <algorithm>
#include <array>
#include <bit>

#include "certbridge/card/error.hpp"
#include "certbridge/card/token_objects.hpp"
#include "openssl_util.hpp"
#include "pkcs11_call.hpp"
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

// The RSA public key (SubjectPublicKeyInfo) from an object's CKA_MODULUS and CKA_PUBLIC_EXPONENT, and its size
// in bits; empty if the object shows neither.
std::vector<std::uint8_t> rsaPublicKeyOf(const detail::ObjectAttributes& attributes, int& bits) {
  const auto& modulus = attributes.bytes(ck::kCkaModulus);
  const auto& exponent = attributes.bytes(ck::kCkaPublicExponent);
  if (!modulus || !exponent || modulus->empty() || exponent->empty()) return {};
  const auto first = std::find_if(modulus->begin(), modulus->end(), [](std::uint8_t b) { return b != 0; });
  const auto bytes = static_cast<int>(modulus->end() - first);
  bits = bytes == 0 ? 0 : (bytes - 1) * 8 + static_cast<int>(std::bit_width(static_cast<unsigned>(*first)));
  return detail::rsaPublicKey(*modulus, *exponent);
}

std::vector<std::uint8_t> rsaPublicKeyOf(TokenSession::Impl& s, ck::ObjectHandle object, int& bits) {
  return rsaPublicKeyOf(detail::readAttributes(s.f(), s.handle, object, {ck::kCkaModulus, ck::kCkaPublicExponent}),
                        bits);
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
  key.publicKey = rsaPublicKeyOf(attributes, key.bits);
  if (key.publicKey.empty() && !key.id.empty()) {
    // Some tokens do not show the modulus on the private key: the public key object of the pair does.
    for (const auto publicKey : objectsWithId(s, ck::kCkoPublicKey, key.id)) {
      key.publicKey = rsaPublicKeyOf(s, publicKey, key.bits);
      if (!key.publicKey.empty()) break;
    }
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

std::vector<PublicKeyObject> rsaPublicKeyObjects(TokenSession::Impl& s) {
  std::vector<PublicKeyObject> keys;
  for (const auto object :
       findObjects(s.f(), s.handle,
                   {ck::attribute(ck::kCkaClass, ck::kCkoPublicKey), ck::attribute(ck::kCkaKeyType, ck::kCkkRsa)})) {
    const auto attributes =
        readAttributes(s.f(), s.handle, object, {ck::kCkaModulus, ck::kCkaPublicExponent, ck::kCkaId});
    PublicKeyObject key;
    int bits = 0;
    key.publicKey = rsaPublicKeyOf(attributes, bits);
    key.id = attributes.bytes(ck::kCkaId).value_or(std::vector<std::uint8_t>{});
    if (!key.publicKey.empty()) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace detail

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
  const auto wanted = detail::normalizedPublicKey(subjectPublicKeyInfo);
  auto& s = session.impl();
  if (!likelyId.empty()) {
    for (const auto object : objectsWithId(s, ck::kCkoPrivateKey, likelyId)) {
      auto key = detail::keyInfo(s, object);
      if (key.publicKey == wanted) return key;
    }
  }
  for (auto& key : detail::rsaPrivateKeys(s))
    if (key.publicKey == wanted) return std::move(key);
  return std::nullopt;
}

std::optional<KeyInfo> findKeyForCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                             std::span<const std::uint8_t> likelyId) {
  const auto certificate = detail::parseCertificate(certificateDer);
  return findKeyByPublicKey(session, detail::certificatePublicKey(*certificate), likelyId);
}

PrivateKey privateKey(TokenSession& session, const KeyInfo& key) {
  auto& s = session.impl();
  s.requireUser("use a private key");
  PKCS11_SLOT* slot = s.moduleImpl().slotById(s.slotId);
  if (!slot || !slot->token) {
    throw CardError(ErrorKind::TokenNotFound, "Token \"" + s.token.label + "\" is not in the module's slot list");
  }
  // libp11 remembers keys it once listed, deleted ones too: the token says whether the key still exists.
  if (key.id.empty() || objectsWithId(s, ck::kCkoPrivateKey, key.id).empty())
    throw CardError(ErrorKind::KeyNotFound, "The key \"" + key.label + "\" is not on token \"" + s.token.label + "\"");
  // libp11 finds the key again by CKA_ID in its own (logged-in, since login is per process) sessions, and
  // binds the EVP_PKEY's RSA operations to the token.
  PKCS11_KEY* keys = nullptr;
  unsigned int count = 0;
  CERTBRIDGE_P11_CALL(PKCS11_enumerate_keys, (slot->token, &keys, &count));
  for (unsigned int i = 0; i < count; ++i) {
    PKCS11_KEY& candidate = keys[i];
    if (!candidate.isPrivate || candidate.id_len != key.id.size() ||
        !std::equal(key.id.begin(), key.id.end(), candidate.id))
      continue;
    EVP_PKEY* evp = CERTBRIDGE_P11_CALL(PKCS11_get_private_key, (&candidate));
    // The deleter keeps the module loaded for as long as OpenSSL may call into it through the key.
    return PrivateKey(evp, [module = s.module](evp_pkey_st* doomed) { EVP_PKEY_free(doomed); });
  }
  throw CardError(ErrorKind::KeyNotFound, "The key \"" + key.label + "\" is not on token \"" + s.token.label + "\"");
}

}  // namespace certbridge::card
