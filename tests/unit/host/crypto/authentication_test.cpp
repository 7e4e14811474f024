// The authenticate command's signature, checked as the RA checks it.

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/authentication.hpp"
#include "crypto/encoding.hpp"
#include "crypto_test_support.hpp"

namespace certbridge::host::crypto {
namespace {

using test::bytesOf;
using test::sharedRsaKey;

const std::string kOrigin = "https://ra.example";
const std::vector<std::uint8_t> kChallenge = randomBytes(32);

TEST(CryptoAuthentication, MessageIsBothDigestsConcatenated) {
  const auto message = authenticationMessage(kOrigin, kChallenge);
  const auto originDigest = sha256(bytesOf(kOrigin));
  const auto challengeDigest = sha256(kChallenge);
  EXPECT_TRUE(std::equal(originDigest.begin(), originDigest.end(), message.begin()));
  EXPECT_TRUE(std::equal(challengeDigest.begin(), challengeDigest.end(), message.begin() + 32));
  // Known answer, from `printf '%s' https://ra.example | openssl dgst -sha256` and the digest of "abc".
  EXPECT_EQ(hexEncode(authenticationMessage("https://ra.example", bytesOf("abc"))),
            "be48c51c815d9fdc6b9b8ac54594094846766636b1e7ed935331402e939fbdf1"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoAuthentication, SignatureVerifiesForTheSameOriginAndChallengeOnly) {
  const auto message = authenticationMessage(kOrigin, kChallenge);
  const auto signature = signSha256(sharedRsaKey(1), message);
  EXPECT_EQ(signature.size(), 256u);
  EXPECT_TRUE(verifyAuthentication(test::publicKeyInfoOf(sharedRsaKey(1)), kOrigin, kChallenge, signature));

  EXPECT_FALSE(
      verifyAuthentication(test::publicKeyInfoOf(sharedRsaKey(1)), "https://evil.example", kChallenge, signature));
  auto otherChallenge = kChallenge;
  otherChallenge[0] ^= 0x01;
  EXPECT_FALSE(verifyAuthentication(test::publicKeyInfoOf(sharedRsaKey(1)), kOrigin, otherChallenge, signature));
  auto tampered = signature;
  tampered.back() ^= 0x01;
  EXPECT_FALSE(verifyAuthentication(test::publicKeyInfoOf(sharedRsaKey(1)), kOrigin, kChallenge, tampered));
  EXPECT_FALSE(verifyAuthentication(test::publicKeyInfoOf(sharedRsaKey(2)), kOrigin, kChallenge, signature));
  EXPECT_FALSE(verifyAuthentication(test::publicKeyInfoOf(sharedRsaKey(1)), kOrigin, kChallenge, {}));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CryptoAuthentication, SignatureIsPkcs1V15OverSha256) {
  // Deterministic (PKCS#1 v1.5, not PSS) and recoverable to the DigestInfo of SHA-256(message), which is what
  // `openssl dgst -sha256 -verify` checks.
  const auto message = authenticationMessage(kOrigin, kChallenge);
  const auto signature = signSha256(sharedRsaKey(1), message);
  EXPECT_EQ(signSha256(sharedRsaKey(1), message), signature);

  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, sharedRsaKey(1), nullptr));
  ASSERT_EQ(EVP_PKEY_verify_recover_init(context.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING), 1);
  std::vector<std::uint8_t> recovered(256);
  std::size_t length = recovered.size();
  ASSERT_EQ(EVP_PKEY_verify_recover(context.get(), recovered.data(), &length, signature.data(), signature.size()), 1);
  recovered.resize(length);
  // DigestInfo: SEQUENCE { AlgorithmIdentifier sha256, NULL }, OCTET STRING digest } (RFC 8017 section 9.2).
  const std::string sha256DigestInfoPrefix = "3031300d060960864801650304020105000420";
  const auto digest = sha256(message);
  EXPECT_EQ(hexEncode(recovered), sha256DigestInfoPrefix + hexEncode(digest));
}

TEST(CryptoAuthentication, RefusesNonRsaKeys) {
  const EvpPkeyPtr ecKey = test::makeEcKey("P-256");
  EXPECT_THROW(signSha256(ecKey.get(), bytesOf("message")), CryptoError);
  EXPECT_FALSE(
      verifyAuthentication(test::publicKeyInfoOf(ecKey.get()), kOrigin, kChallenge, std::vector<std::uint8_t>(64)));
  EXPECT_FALSE(verifyAuthentication({}, kOrigin, kChallenge, std::vector<std::uint8_t>(256)));
  // Not a public key at all, and a public key with trailing bytes.
  EXPECT_FALSE(verifyAuthentication(bytesOf("not a key"), kOrigin, kChallenge, std::vector<std::uint8_t>(256)));
  auto trailing = test::publicKeyInfoOf(sharedRsaKey(1));
  trailing.push_back(0);
  EXPECT_FALSE(verifyAuthentication(trailing, kOrigin, kChallenge, std::vector<std::uint8_t>(256)));
}

}  // namespace
}  // namespace certbridge::host::crypto
