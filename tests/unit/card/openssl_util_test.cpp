// The RSA SubjectPublicKeyInfo the card library builds from a token's modulus and exponent must be byte for byte
// what OpenSSL (and so any CA) encodes: keys are matched to certificates by comparing these bytes.

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include "certbridge/card/error.hpp"
#include "openssl_util.hpp"

namespace certbridge::card {
namespace {

std::vector<std::uint8_t> bigEndian(const EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &number), 1);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(BN_num_bytes(number)));
  BN_bn2bin(number, bytes.data());
  BN_free(number);
  return bytes;
}

TEST(OpensslUtil, RsaPublicKeyMatchesOpensslsEncoding) {
  for (const unsigned bits : {1024u, 2048u, 3072u}) {
    detail::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
    ASSERT_TRUE(key);
    auto modulus = bigEndian(key.get(), OSSL_PKEY_PARAM_RSA_N);
    const auto exponent = bigEndian(key.get(), OSSL_PKEY_PARAM_RSA_E);
    EXPECT_EQ(detail::rsaPublicKey(modulus, exponent), detail::publicKeyDer(*key)) << bits;
    // Tokens may pad CKA_MODULUS with leading zero bytes: the same key.
    modulus.insert(modulus.begin(), {0, 0});
    EXPECT_EQ(detail::rsaPublicKey(modulus, exponent), detail::publicKeyDer(*key)) << bits;
  }
  EXPECT_THROW(detail::rsaPublicKey({}, std::vector<std::uint8_t>{1, 0, 1}), CardError);
}

}  // namespace
}  // namespace certbridge::card
