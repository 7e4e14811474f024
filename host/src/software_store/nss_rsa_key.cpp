// The adapter uses OpenSSL's RSA_METHOD, deprecated in OpenSSL 3 in favour of providers. A provider would
// be a few hundred lines of dispatch tables for the same two callbacks; libp11 hands card keys to the host
// the same way (DESIGN.md, "Card layer facts"), and OpenSSL 3 still routes such "foreign" keys through it.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "nss_rsa_key.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <limits>

#include "nss_store.hpp"

namespace certbridge::host::software_store {
namespace {

int keyIndex() {
  static const int index = RSA_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

SECKEYPrivateKey* nssKeyOf(const RSA* rsa) {
  return static_cast<SECKEYPrivateKey*>(RSA_get_ex_data(rsa, keyIndex()));
}

// RSA PKCS#1 v1.5 signature (CKM_RSA_PKCS: NSS adds the padding) over `input`, which is a DigestInfo.
// Returns the signature's length, or -1 with an OpenSSL error queued.
int nssSign(const unsigned char* input, std::size_t inputLength, unsigned char* signature, const RSA* rsa) {
  SECKEYPrivateKey* key = nssKeyOf(rsa);
  const int length = key != nullptr ? PK11_SignatureLen(key) : -1;
  if (length <= 0 || length > RSA_size(rsa)) {
    ERR_raise(ERR_LIB_RSA, ERR_R_PASSED_INVALID_ARGUMENT);
    return -1;
  }
  SECItem out{siBuffer, signature, static_cast<unsigned int>(length)};
  SECItem in = viewItem(input, inputLength);
  if (PK11_Sign(key, &out, &in) != SECSuccess) {
    ERR_raise_data(ERR_LIB_RSA, ERR_R_OPERATION_FAIL, "NSS PK11_Sign: %s", lastNssErrorName().c_str());
    return -1;
  }
  return static_cast<int>(out.len);
}

// RSA_sign's hook: wraps the digest in a DigestInfo (as RSA_sign itself would) and lets NSS sign it.
int signDigest(int type, const unsigned char* digest, unsigned int digestLength, unsigned char* signature,
               unsigned int* signatureLength, const RSA* rsa) {
  std::unique_ptr<X509_SIG, crypto::OpenSslDeleter<&X509_SIG_free>> digestInfo(X509_SIG_new());
  X509_ALGOR* algorithm = nullptr;
  ASN1_OCTET_STRING* value = nullptr;
  if (!digestInfo) return 0;
  X509_SIG_getm(digestInfo.get(), &algorithm, &value);
  const ASN1_OBJECT* oid = OBJ_nid2obj(type);
  if (oid == nullptr || X509_ALGOR_set0(algorithm, OBJ_dup(oid), V_ASN1_NULL, nullptr) != 1 ||
      ASN1_OCTET_STRING_set(value, digest, static_cast<int>(digestLength)) != 1) {
    return 0;
  }
  unsigned char* der = nullptr;
  const int derLength = i2d_X509_SIG(digestInfo.get(), &der);
  if (derLength <= 0) return 0;
  const int length = nssSign(der, static_cast<std::size_t>(derLength), signature, rsa);
  OPENSSL_free(der);
  if (length < 0) return 0;
  *signatureLength = static_cast<unsigned int>(length);
  return 1;
}

// RSA_private_encrypt's hook, for callers that pad themselves (only PKCS#1 v1.5 signing is supported).
int privateEncrypt(int inputLength, const unsigned char* input, unsigned char* output, RSA* rsa, int padding) {
  if (padding != RSA_PKCS1_PADDING || inputLength < 0) {
    ERR_raise(ERR_LIB_RSA, RSA_R_UNKNOWN_PADDING_TYPE);
    return -1;
  }
  return nssSign(input, static_cast<std::size_t>(inputLength), output, rsa);
}

// Decryption with store keys is not needed (no command decrypts); refuse rather than try the absent key.
int privateDecrypt(int, const unsigned char*, unsigned char*, RSA*, int) {
  ERR_raise(ERR_LIB_RSA, ERR_R_OPERATION_FAIL);
  return -1;
}

const RSA_METHOD* nssRsaMethod() {
  static RSA_METHOD* const method = [] {
    RSA_METHOD* made = RSA_meth_dup(RSA_PKCS1_OpenSSL());
    if (made == nullptr) return made;
    RSA_meth_set1_name(made, "CertBridge NSS key");
    // The private half lives in NSS: OpenSSL must not look for d, p, q.
    RSA_meth_set_flags(made, RSA_meth_get_flags(made) | RSA_FLAG_EXT_PKEY);
    RSA_meth_set_sign(made, &signDigest);
    RSA_meth_set_priv_enc(made, &privateEncrypt);
    RSA_meth_set_priv_dec(made, &privateDecrypt);
    return made;
  }();
  return method;
}

BIGNUM* bignum(const SECItem& item) {
  return BN_bin2bn(item.data, static_cast<int>(item.len), nullptr);
}

}  // namespace

NssRsaKey::NssRsaKey(PrivateKeyPtr key, const SECKEYPublicKey& publicKey) : key_(std::move(key)) {
  if (!key_ || SECKEY_GetPrivateKeyType(key_.get()) != rsaKey || publicKey.keyType != rsaKey) {
    throw crypto::CryptoError("the store's key is not an RSA key");
  }
  const RSA_METHOD* method = nssRsaMethod();
  if (method == nullptr || keyIndex() < 0) crypto::throwCryptoError("preparing the NSS key adapter");

  std::unique_ptr<RSA, crypto::OpenSslDeleter<&RSA_free>> rsa(RSA_new());
  BIGNUM* modulus = bignum(publicKey.u.rsa.modulus);
  BIGNUM* exponent = bignum(publicKey.u.rsa.publicExponent);
  if (!rsa || modulus == nullptr || exponent == nullptr || RSA_set0_key(rsa.get(), modulus, exponent, nullptr) != 1) {
    BN_free(modulus);
    BN_free(exponent);
    crypto::throwCryptoError("building the public half of the store's key");
  }
  if (RSA_set_method(rsa.get(), method) != 1 || RSA_set_ex_data(rsa.get(), keyIndex(), key_.get()) != 1) {
    crypto::throwCryptoError("attaching the store's key");
  }
  evp_.reset(EVP_PKEY_new());
  if (!evp_ || EVP_PKEY_assign_RSA(evp_.get(), rsa.get()) != 1) crypto::throwCryptoError("wrapping the store's key");
  rsa.release();  // owned by evp_ now
}

NssRsaKey::~NssRsaKey() {
  evp_.reset();  // before the NSS key it points to
}

}  // namespace certbridge::host::software_store
