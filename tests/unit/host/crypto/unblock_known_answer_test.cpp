// The unblock known-answer vectors (crypto/unblock_known_answer.hpp), which the Windows build checks BCrypt
// against before any unblock, recomputed with OpenSSL and with this build's own request binding
// (detail::additionalData, the HKDF label): a vector that no longer matches the scheme would make every
// Windows unblock refuse, and this test fails first.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "crypto/encoding.hpp"
#include "crypto/openssl_types.hpp"
#include "crypto/unblock_authorization.hpp"
#include "crypto/unblock_known_answer.hpp"
#include "crypto/unblock_steps.hpp"

namespace certbridge::host::crypto {
namespace {

namespace kat = detail::unblock_known_answer;
using Bytes = std::vector<std::uint8_t>;

template <typename Array>
Bytes bytes(const Array& array) {
  return Bytes(std::begin(array), std::end(array));
}

EvpPkeyPtr hostKey() {
  using ParamBuildPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<&OSSL_PARAM_BLD_free>>;
  using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<&OSSL_PARAM_free>>;
  using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_free>>;
  Bytes point = {0x04};
  point.insert(point.end(), std::begin(kat::kHostX), std::end(kat::kHostX));
  point.insert(point.end(), std::begin(kat::kHostY), std::end(kat::kHostY));
  const BignumPtr scalar(BN_bin2bn(kat::kHostPrivate, sizeof kat::kHostPrivate, nullptr));
  const ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!scalar || !build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    throw std::runtime_error("test key parameters");
  }
  const ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
  const EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    throw std::runtime_error("test key");
  }
  return EvpPkeyPtr(key);
}

TEST(CryptoUnblockKnownAnswer, VectorsAreWhatOpenSslAndThisBuildsBindingCompute) {
  const EvpPkeyPtr host = hostKey();
  unsigned char* encoded = nullptr;
  const int encodedLength = i2d_PUBKEY(host.get(), &encoded);
  ASSERT_GT(encodedLength, 0);
  EXPECT_EQ(Bytes(encoded, encoded + encodedLength), bytes(kat::kHostPublicKeyInfo));
  OPENSSL_free(encoded);

  const unsigned char* cursor = kat::kRaPublicKeyInfo;
  const EvpPkeyPtr ra(d2i_PUBKEY(nullptr, &cursor, sizeof kat::kRaPublicKeyInfo));
  ASSERT_TRUE(ra);
  const EvpPkeyCtxPtr ecdh(EVP_PKEY_CTX_new_from_pkey(nullptr, host.get(), nullptr));
  Bytes secret(32);
  std::size_t secretLength = secret.size();
  ASSERT_EQ(EVP_PKEY_derive_init(ecdh.get()), 1);
  ASSERT_EQ(EVP_PKEY_derive_set_peer(ecdh.get(), ra.get()), 1);
  ASSERT_EQ(EVP_PKEY_derive(ecdh.get(), secret.data(), &secretLength), 1);
  EXPECT_EQ(secret, bytes(kat::kSharedSecret));

  const auto salt = hexDecode(kat::kRequestId);
  ASSERT_TRUE(salt.has_value());
  const EvpPkeyCtxPtr hkdf(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  Bytes key(32);
  std::size_t keyLength = key.size();
  ASSERT_EQ(EVP_PKEY_derive_init(hkdf.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_hkdf_md(hkdf.get(), EVP_sha256()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set1_hkdf_salt(hkdf.get(), salt->data(), static_cast<int>(salt->size())), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set1_hkdf_key(hkdf.get(), secret.data(), static_cast<int>(secret.size())), 1);
  ASSERT_EQ(
      EVP_PKEY_CTX_add1_hkdf_info(hkdf.get(), reinterpret_cast<const unsigned char*>(detail::kUnblockLabel.data()),
                                  static_cast<int>(detail::kUnblockLabel.size())),
      1);
  ASSERT_EQ(EVP_PKEY_derive(hkdf.get(), key.data(), &keyLength), 1);
  EXPECT_EQ(key, bytes(kat::kDerivedKey));

  const UnblockContext context{std::string(kat::kRequestId), std::string(kat::kTokenSerial), kat::kPinGroup};
  const std::string aad = detail::additionalData(context);
  const EvpCipherCtxPtr gcm(EVP_CIPHER_CTX_new());
  std::string plaintext(sizeof kat::kCiphertext, '\0');
  int length = 0;
  int finalLength = 0;
  ASSERT_EQ(EVP_DecryptInit_ex(gcm.get(), EVP_aes_256_gcm(), nullptr, key.data(), kat::kIv), 1);
  ASSERT_EQ(EVP_DecryptUpdate(gcm.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())),
            1);
  ASSERT_EQ(EVP_DecryptUpdate(gcm.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &length, kat::kCiphertext,
                              sizeof kat::kCiphertext),
            1);
  ASSERT_EQ(
      EVP_CIPHER_CTX_ctrl(gcm.get(), EVP_CTRL_GCM_SET_TAG, sizeof kat::kTag, const_cast<std::uint8_t*>(kat::kTag)), 1);
  EXPECT_EQ(EVP_DecryptFinal_ex(gcm.get(), nullptr, &finalLength), 1) << "the tag does not match this build's AAD";
  EXPECT_EQ(plaintext, kat::kSoPin);
}

TEST(CryptoUnblockKnownAnswer, OpenSslNeedsNoSelfTest) {
  EXPECT_NO_THROW(requireUnblockCrypto());
}

}  // namespace
}  // namespace certbridge::host::crypto
