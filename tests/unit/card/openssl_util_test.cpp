// The RSA SubjectPublicKeyInfo the card library builds from a token's modulus and exponent must be byte for byte
// what OpenSSL (and so any CA) encodes, and the RSA numbers it reads straight from a certificate's or a
// SubjectPublicKeyInfo's DER must be the ones OpenSSL reads: keys are matched to certificates with them.

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include "certbridge/card/error.hpp"
#include "openssl_util.hpp"
#include "public_key_der.hpp"

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

template <typename T, typename Encode>
std::vector<std::uint8_t> der(T* object, Encode encode) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(encode(object, nullptr)));
  unsigned char* out = bytes.data();
  encode(object, &out);
  return bytes;
}

// A self-signed certificate for key: version 3 (with the [0] version field) or version 1 (without it).
std::vector<std::uint8_t> selfSigned(EVP_PKEY* key, bool version3) {
  detail::X509Ptr certificate(X509_new());
  X509_set_version(certificate.get(), version3 ? X509_VERSION_3 : X509_VERSION_1);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 4242);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("王小明"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_set_pubkey(certificate.get(), key);
  EXPECT_GT(X509_sign(certificate.get(), key, EVP_sha256()), 0);
  return der(certificate.get(), [](X509* x, unsigned char** out) { return i2d_X509(x, out); });
}

std::vector<std::uint8_t> keyInfo(EVP_PKEY* key) {
  return der(key, [](EVP_PKEY* k, unsigned char** out) { return i2d_PUBKEY(k, out); });
}

TEST(OpensslUtil, RsaPublicKeyMatchesOpensslsEncoding) {
  for (const unsigned bits : {1024u, 2048u, 3072u}) {
    detail::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
    ASSERT_TRUE(key);
    auto modulus = bigEndian(key.get(), OSSL_PKEY_PARAM_RSA_N);
    const auto exponent = bigEndian(key.get(), OSSL_PKEY_PARAM_RSA_E);
    EXPECT_EQ(detail::rsaPublicKey(modulus, exponent), keyInfo(key.get())) << bits;
    // Tokens may pad CKA_MODULUS with leading zero bytes: the same key.
    modulus.insert(modulus.begin(), {0, 0});
    EXPECT_EQ(detail::rsaPublicKey(modulus, exponent), keyInfo(key.get())) << bits;
  }
  EXPECT_THROW(detail::rsaPublicKey({}, std::vector<std::uint8_t>{1, 0, 1}), CardError);
}

TEST(PublicKeyDer, RsaNumbersAreOpensslsForCertificatesAndKeys) {
  for (const unsigned bits : {1024u, 2048u, 4096u}) {
    detail::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
    ASSERT_TRUE(key);
    const auto expected =
        detail::rsaNumbers(bigEndian(key.get(), OSSL_PKEY_PARAM_RSA_N), bigEndian(key.get(), OSSL_PKEY_PARAM_RSA_E));
    ASSERT_TRUE(expected);
    EXPECT_EQ(detail::certificateRsaNumbers(selfSigned(key.get(), true)), expected) << bits;
    EXPECT_EQ(detail::certificateRsaNumbers(selfSigned(key.get(), false)), expected) << bits << " version 1";
    EXPECT_EQ(detail::rsaNumbersOfPublicKey(keyInfo(key.get())), expected) << bits;
  }
}

TEST(PublicKeyDer, AnotherKeyTypeHasNoRsaNumbers) {
  detail::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_TRUE(key);
  EXPECT_EQ(detail::certificateRsaNumbers(selfSigned(key.get(), true)), std::nullopt);
  EXPECT_EQ(detail::rsaNumbersOfPublicKey(keyInfo(key.get())), std::nullopt);
}

TEST(PublicKeyDer, DamagedDerIsRefusedWithoutReadingPastItsEnd) {
  detail::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  const auto certificate = selfSigned(key.get(), true);
  const auto expectRefused = [](std::vector<std::uint8_t> bytes, const char* why) {
    try {
      detail::certificateRsaNumbers(bytes);
      ADD_FAILURE() << why << ": read as a certificate";
    } catch (const CardError& error) {
      EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument) << why;
    }
  };
  // Cut anywhere up to the end of the key (the walk stops there), the certificate is refused.
  for (std::size_t size = 0; size + 300 < certificate.size(); size += 7)
    expectRefused({certificate.begin(), certificate.begin() + static_cast<std::ptrdiff_t>(size)}, "truncated");
  auto trailing = certificate;
  trailing.push_back(0);
  expectRefused(trailing, "a byte after the certificate");
  auto indefinite = certificate;
  indefinite[1] = 0x80;
  expectRefused(indefinite, "an indefinite length");
  auto hugeLength = certificate;
  hugeLength[1] = 0x84;
  hugeLength[2] = 0xFF;
  expectRefused(hugeLength, "a length beyond the data");
  expectRefused(std::vector<std::uint8_t>(64, 0x30), "nested empty sequences");
  EXPECT_THROW(detail::rsaNumbersOfPublicKey(std::vector<std::uint8_t>{0x30, 0x00}), CardError);
}

}  // namespace
}  // namespace certbridge::card
