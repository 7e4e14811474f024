// The RA's encrypted SO PIN: opens for exactly the request, card and PIN group it was sealed for.

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/kdf.h>

#include <functional>

#include "crypto/encoding.hpp"
#include "crypto/unblock_authorization.hpp"
#include "crypto_test_support.hpp"

namespace certbridge::host::crypto {
namespace {

const UnblockContext kContext = {
    .requestId = "0123456789abcdef0123456789abcdef", .tokenSerial = "TW0012345678", .pinGroup = 1};
constexpr std::string_view kSoPin = "87654321";

std::string secretText(const card::SecretString& secret) {
  return std::string(secret.data(), secret.size());
}

std::vector<std::uint8_t> subjectPublicKeyInfo(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw std::runtime_error("i2d_PUBKEY");
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

// The RA side written again from commands.md alone, with other OpenSSL APIs than sealUnblockAuthorization
// (EVP_PKEY HKDF instead of EVP_KDF, the additional data spelled out), so that a mistake shared by seal and
// open cannot pass unnoticed.
UnblockAuthorization sealFromTheSpecification(std::span<const std::uint8_t> hostPublicKeyDer,
                                              const UnblockContext& context, std::string_view soPin) {
  const unsigned char* cursor = hostPublicKeyDer.data();
  const EvpPkeyPtr hostKey(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(hostPublicKeyDer.size())));
  const EvpPkeyPtr ephemeralKey = test::makeEcKey("P-256");
  const EvpPkeyCtxPtr ecdh(EVP_PKEY_CTX_new_from_pkey(nullptr, ephemeralKey.get(), nullptr));
  std::vector<std::uint8_t> secret(32);
  std::size_t secretLength = secret.size();
  if (!hostKey || EVP_PKEY_derive_init(ecdh.get()) != 1 || EVP_PKEY_derive_set_peer(ecdh.get(), hostKey.get()) != 1 ||
      EVP_PKEY_derive(ecdh.get(), secret.data(), &secretLength) != 1 || secretLength != 32) {
    throw std::runtime_error("test ECDH");
  }

  const std::vector<std::uint8_t> salt = *hexDecode(context.requestId);
  const std::string info = "CertBridge unblock v1";
  const EvpPkeyCtxPtr hkdf(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  std::vector<std::uint8_t> key(32);
  std::size_t keyLength = key.size();
  if (EVP_PKEY_derive_init(hkdf.get()) != 1 || EVP_PKEY_CTX_set_hkdf_md(hkdf.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(hkdf.get(), salt.data(), static_cast<int>(salt.size())) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(hkdf.get(), secret.data(), static_cast<int>(secret.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(hkdf.get(), reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(hkdf.get(), key.data(), &keyLength) != 1) {
    throw std::runtime_error("test HKDF");
  }

  UnblockAuthorization authorization{.version = 1,
                                     .requestId = context.requestId,
                                     .raPublicKey = subjectPublicKeyInfo(ephemeralKey.get()),
                                     .iv = randomBytes(12),
                                     .ciphertext = std::vector<std::uint8_t>(soPin.size()),
                                     .tag = std::vector<std::uint8_t>(16)};
  const std::string aad =
      "CertBridge unblock v1|" + context.requestId + "|" + context.tokenSerial + "|" + std::to_string(context.pinGroup);
  const EvpCipherCtxPtr cipher(EVP_CIPHER_CTX_new());
  int length = 0;
  if (EVP_EncryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, key.data(), authorization.iv.data()) != 1 ||
      EVP_EncryptUpdate(cipher.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(cipher.get(), authorization.ciphertext.data(), &length,
                        reinterpret_cast<const unsigned char*>(soPin.data()), static_cast<int>(soPin.size())) != 1 ||
      EVP_EncryptFinal_ex(cipher.get(), authorization.ciphertext.data() + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, 16, authorization.tag.data()) != 1) {
    throw std::runtime_error("test AES-GCM");
  }
  return authorization;
}

class CryptoUnblockAuthorization : public ::testing::Test {
 protected:
  UnblockKey key_ = UnblockKey::generate();
  UnblockAuthorization sealed_ = sealUnblockAuthorization(key_.publicKeyDer(), kContext, kSoPin);

  // Opening the changed authorization (or with the changed context) is refused, and leaves no OpenSSL errors.
  void expectRefused(const std::function<void(UnblockAuthorization&, UnblockContext&)>& change) {
    UnblockAuthorization authorization = sealed_;
    UnblockContext context = kContext;
    change(authorization, context);
    EXPECT_THROW(key_.open(authorization, context), AuthorizationInvalid);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
};

TEST_F(CryptoUnblockAuthorization, SealThenOpenGivesTheSoPin) {
  EXPECT_EQ(secretText(key_.open(sealed_, kContext)), kSoPin);
  // Opening does not use anything up: the one-time rule is the caller's (it drops the key).
  EXPECT_EQ(secretText(key_.open(sealed_, kContext)), kSoPin);

  const std::string unicodePin = "管理員 PIN ü 1234";
  EXPECT_EQ(secretText(key_.open(sealUnblockAuthorization(key_.publicKeyDer(), kContext, unicodePin), kContext)),
            unicodePin);
}

TEST_F(CryptoUnblockAuthorization, OpensWhatTheSpecificationDescribes) {
  EXPECT_EQ(secretText(key_.open(sealFromTheSpecification(key_.publicKeyDer(), kContext, kSoPin), kContext)), kSoPin);
  const UnblockContext groupZero = {.requestId = "ffeeddccbbaa99887766554433221100", .tokenSerial = "", .pinGroup = 0};
  EXPECT_EQ(secretText(key_.open(sealFromTheSpecification(key_.publicKeyDer(), groupZero, "x"), groupZero)), "x");
}

TEST_F(CryptoUnblockAuthorization, HasTheProtocolsSizesAndFreshRandomness) {
  EXPECT_EQ(sealed_.version, 1);
  EXPECT_EQ(sealed_.requestId, kContext.requestId);
  EXPECT_EQ(sealed_.iv.size(), 12u);
  EXPECT_EQ(sealed_.tag.size(), 16u);
  EXPECT_EQ(sealed_.ciphertext.size(), kSoPin.size());
  const auto again = sealUnblockAuthorization(key_.publicKeyDer(), kContext, kSoPin);
  EXPECT_NE(again.raPublicKey, sealed_.raPublicKey);
  EXPECT_NE(again.iv, sealed_.iv);
  EXPECT_NE(again.ciphertext, sealed_.ciphertext);
}

TEST_F(CryptoUnblockAuthorization, PublicKeyIsAFreshP256SubjectPublicKeyInfo) {
  const auto der = key_.publicKeyDer();
  const unsigned char* cursor = der.data();
  const EvpPkeyPtr publicKey(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  ASSERT_TRUE(publicKey);
  EXPECT_EQ(cursor, der.data() + der.size());
  char group[32] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(publicKey.get(), group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(der.size(), 91u);  // Uncompressed point: what Node's createPublicKey and WebCrypto read.
  EXPECT_NE(UnblockKey::generate().publicKeyDer(), der);
}

TEST_F(CryptoUnblockAuthorization, MovedKeyStillOpens) {
  UnblockKey moved = std::move(key_);
  EXPECT_EQ(secretText(moved.open(sealed_, kContext)), kSoPin);
}

TEST_F(CryptoUnblockAuthorization, RefusesTamperedCiphertextOrTag) {
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.ciphertext[0] ^= 0x01; });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.ciphertext.push_back(0); });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.tag[15] ^= 0x80; });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.iv[0] ^= 0x01; });
}

TEST_F(CryptoUnblockAuthorization, RefusesWrongSizes) {
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.iv.resize(11); });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.iv.resize(16); });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.tag.resize(12); });  // GCM allows short tags.
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.tag.clear(); });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.ciphertext.assign(2000, 0); });
}

TEST_F(CryptoUnblockAuthorization, RefusesAnotherRequestCardOrPinGroup) {
  expectRefused([](UnblockAuthorization&, UnblockContext& c) { c.requestId = "00000000000000000000000000000000"; });
  // Even when the authorization claims the other request id: the id is bound by HKDF salt and AAD.
  expectRefused([](UnblockAuthorization& a, UnblockContext& c) {
    a.requestId = c.requestId = "00000000000000000000000000000000";
  });
  expectRefused([](UnblockAuthorization& a, UnblockContext& c) {
    a.requestId = c.requestId = "0123456789ABCDEF0123456789ABCDEF";  // Same bytes, other text in the AAD.
  });
  expectRefused([](UnblockAuthorization&, UnblockContext& c) { c.tokenSerial = "TW0012345679"; });
  expectRefused([](UnblockAuthorization&, UnblockContext& c) { c.pinGroup = 0; });
  expectRefused([](UnblockAuthorization& a, UnblockContext& c) { a.requestId = c.requestId = "not hex"; });
}

TEST_F(CryptoUnblockAuthorization, RefusesOtherVersionsAndEmptyCredentials) {
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.version = 2; });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.version = 0; });
  const auto empty = sealUnblockAuthorization(key_.publicKeyDer(), kContext, "");
  EXPECT_TRUE(empty.ciphertext.empty());
  EXPECT_THROW(key_.open(empty, kContext), AuthorizationInvalid);
}

TEST_F(CryptoUnblockAuthorization, RefusesRaKeysThatAreNotValidP256Points) {
  const EvpPkeyPtr p384 = test::makeEcKey("P-384");
  const auto p384Der = subjectPublicKeyInfo(p384.get());
  expectRefused([&p384Der](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey = p384Der; });
  const auto rsaDer = subjectPublicKeyInfo(test::sharedRsaKey(1));
  expectRefused([&rsaDer](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey = rsaDer; });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey = randomBytes(91); });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey.clear(); });
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey.push_back(0); });
  // Last byte of y changed: still well-formed DER, but the point is not on the curve (invalid-curve attack).
  expectRefused([](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey.back() ^= 0x01; });
  // The host's own public key instead of the RA's: a valid point, but the tag does not match.
  expectRefused([this](UnblockAuthorization& a, UnblockContext&) { a.raPublicKey = key_.publicKeyDer(); });
}

TEST_F(CryptoUnblockAuthorization, RefusesAnAuthorizationSealedToAnotherKey) {
  const UnblockKey otherKey = UnblockKey::generate();
  const auto forOther = sealUnblockAuthorization(otherKey.publicKeyDer(), kContext, kSoPin);
  EXPECT_EQ(secretText(otherKey.open(forOther, kContext)), kSoPin);
  EXPECT_THROW(key_.open(forOther, kContext), AuthorizationInvalid);
}

TEST(CryptoUnblockSeal, RefusesBadHostKeysAndRequestIds) {
  const UnblockKey key = UnblockKey::generate();
  EXPECT_THROW(sealUnblockAuthorization(randomBytes(91), kContext, kSoPin), CryptoError);
  const EvpPkeyPtr p384 = test::makeEcKey("P-384");
  EXPECT_THROW(sealUnblockAuthorization(subjectPublicKeyInfo(p384.get()), kContext, kSoPin), CryptoError);
  UnblockContext shortId = kContext;
  shortId.requestId = "0123";
  EXPECT_THROW(sealUnblockAuthorization(key.publicKeyDer(), shortId, kSoPin), std::invalid_argument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace certbridge::host::crypto
