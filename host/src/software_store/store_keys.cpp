#include "store_keys.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <keyhi.h>
#include <pkcs11t.h>
#include <secasn1.h>
#include <secmodt.h>

#include <spdlog/spdlog.h>

#include "crypto/encoding.hpp"

namespace certbridge::host::software_store {
namespace {

constexpr unsigned long kRsaPublicExponent = 65537;

std::vector<std::uint8_t> bytesOf(const SECItem* item) {
  if (item == nullptr || item->data == nullptr) return {};
  return {item->data, item->data + item->len};
}

SECItem nicknameItem(const std::string& nickname) {
  return SECItem{siUTF8String, reinterpret_cast<unsigned char*>(const_cast<char*>(nickname.data())),
                 static_cast<unsigned int>(nickname.size())};
}

using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, crypto::OpenSslDeleter<&PKCS8_PRIV_KEY_INFO_free>>;

}  // namespace

StoreKeyPair generateRsaKeyPair(const NssStore& store, int bits, const std::string& nickname) {
  PK11RSAGenParams parameters{bits, kRsaPublicExponent};
  SECKEYPublicKey* publicKey = nullptr;
  StoreKeyPair pair;
  // TOKEN: kept in the database; SENSITIVE: never revealed in clear; PRIVATE: behind the database password.
  pair.privateKey.reset(PK11_GenerateKeyPairWithFlags(store.slot(), CKM_RSA_PKCS_KEY_PAIR_GEN, &parameters, &publicKey,
                                                      PK11_ATTR_TOKEN | PK11_ATTR_SENSITIVE | PK11_ATTR_PRIVATE,
                                                      nullptr));
  pair.publicKey.reset(publicKey);
  if (!pair.privateKey || !pair.publicKey) throwStoreError("generating an RSA key pair");
  try {
    if (PK11_SetPrivateKeyNickname(pair.privateKey.get(), nickname.c_str()) != SECSuccess) {
      throwStoreError("naming the new key");
    }
    pair.id = keyId(pair.privateKey.get());
    const SecItemPtr info(SECKEY_EncodeDERSubjectPublicKeyInfo(pair.publicKey.get()));
    if (!info || pair.id.empty()) throwStoreError("reading the new key's public key");
    pair.publicKeyInfoDer = bytesOf(info.get());
  } catch (...) {
    deleteKeyPair(pair);
    throw;
  }
  return pair;
}

void deleteKeyPair(StoreKeyPair& pair) noexcept {
  // Both calls free the object they delete.
  if (pair.privateKey && PK11_DeleteTokenPrivateKey(pair.privateKey.release(), PR_TRUE) != SECSuccess) {
    spdlog::warn("software store: could not remove a key made before a failure: {}", lastNssErrorName());
  }
  if (pair.publicKey && PK11_DeleteTokenPublicKey(pair.publicKey.release()) != SECSuccess) {
    spdlog::warn("software store: could not remove a public key made before a failure: {}", lastNssErrorName());
  }
}

PrivateKeyPtr findKeyForCertificate(CERTCertificate* certificate) {
  return PrivateKeyPtr(PK11_FindKeyByAnyCert(certificate, nullptr));
}

std::vector<std::uint8_t> keyId(SECKEYPrivateKey* key) {
  const SecItemPtr id(PK11_GetLowLevelKeyIDForPrivateKey(key));
  return bytesOf(id.get());
}

crypto::EvpPkeyPtr exportPrivateKey(SECKEYPrivateKey* key) {
  // NSS hands out a sensitive key only encrypted (PK11_ExportDERPrivateKeyInfo fails with SEC_ERROR_IO):
  // it is exported under PBES2/AES-256 with a one-time random password and decrypted by OpenSSL at once.
  // Neither the password nor the clear PKCS#8 bytes outlive this function (both wiped).
  const auto random = crypto::randomBytes(32);
  std::string password = crypto::hexEncode(random);
  SECItem passwordItem = viewItem(reinterpret_cast<const unsigned char*>(password.data()), password.size());
  const SlotPtr slot(PK11_GetInternalSlot());
  SECKEYEncryptedPrivateKeyInfo* encrypted = PK11_ExportEncryptedPrivKeyInfoV2(
      slot.get(), SEC_OID_AES_256_CBC, SEC_OID_AES_256_CBC, SEC_OID_HMAC_SHA256, &passwordItem, key, 1, nullptr);
  if (encrypted == nullptr) {
    OPENSSL_cleanse(password.data(), password.size());
    throwStoreError("exporting the private key");
  }
  // The template through NSS's accessor function, not the exported data symbol: NSS is bound lazily
  // (cmake/lazy_libraries.cmake), which works for functions only.
  const SecItemPtr der(SEC_ASN1EncodeItem(nullptr, nullptr, encrypted,
                                          NSS_Get_SECKEY_EncryptedPrivateKeyInfoTemplate(nullptr, PR_FALSE)));
  SECKEY_DestroyEncryptedPrivateKeyInfo(encrypted, PR_TRUE);
  if (!der) {
    OPENSSL_cleanse(password.data(), password.size());
    throwStoreError("encoding the exported private key");
  }
  const unsigned char* cursor = der->data;
  const std::unique_ptr<X509_SIG, crypto::OpenSslDeleter<&X509_SIG_free>> sealed(
      d2i_X509_SIG(nullptr, &cursor, static_cast<long>(der->len)));
  const Pkcs8Ptr info(sealed ? PKCS8_decrypt(sealed.get(), password.data(), static_cast<int>(password.size()))
                             : nullptr);
  OPENSSL_cleanse(password.data(), password.size());
  crypto::EvpPkeyPtr exported(info ? EVP_PKCS82PKEY(info.get()) : nullptr);
  if (!exported) crypto::throwCryptoError("reading the exported private key");
  return exported;
}

PrivateKeyPtr importPrivateKey(const NssStore& store, EVP_PKEY* key, const std::string& nickname) {
  const Pkcs8Ptr info(EVP_PKEY2PKCS8(key));
  unsigned char* der = nullptr;
  const int derLength = info ? i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der) : -1;
  if (derLength <= 0) crypto::throwCryptoError("encoding the private key for the store");
  // The modulus names the key (CKA_ID), as for keys made here, so certificates find it by public key.
  BIGNUM* modulusNumber = nullptr;
  std::vector<unsigned char> modulus;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &modulusNumber) == 1) {
    modulus.resize(static_cast<std::size_t>(BN_num_bytes(modulusNumber)));
    BN_bn2bin(modulusNumber, modulus.data());
  }
  BN_free(modulusNumber);

  SECItem derItem = viewItem(der, static_cast<std::size_t>(derLength));
  SECItem nickname_ = nicknameItem(nickname);
  SECItem publicValue = viewItem(modulus.data(), modulus.size());
  SECKEYPrivateKey* imported = nullptr;
  const SECStatus status = PK11_ImportDERPrivateKeyInfoAndReturnKey(
      store.slot(), &derItem, &nickname_, modulus.empty() ? nullptr : &publicValue, PR_TRUE /* token */,
      PR_TRUE /* private, sensitive */, KU_ALL, &imported, nullptr);
  OPENSSL_clear_free(der, static_cast<std::size_t>(derLength));
  PrivateKeyPtr result(imported);
  if (status != SECSuccess || !result) throwStoreError("importing the private key");
  return result;
}

void deletePrivateKey(PrivateKeyPtr key) noexcept {
  if (key && PK11_DeleteTokenPrivateKey(key.release(), PR_TRUE) != SECSuccess) {
    spdlog::warn("software store: could not remove a key imported before a failure: {}", lastNssErrorName());
  }
}

}  // namespace certbridge::host::software_store
