#pragma once
// An OpenSSL EVP_PKEY whose private operations run inside NSS. The store's keys are sensitive (NSS never
// hands out their bytes), yet the request and CMS code (crypto/certificate_request, crypto/cms_signature)
// takes an EVP_PKEY, as it does for card keys: this adapter gives it one, so both stores share that code.

#include "crypto/openssl_types.hpp"
#include "nss_types.hpp"

namespace certbridge::host::software_store {

/// An RSA private key of the store, usable by OpenSSL for PKCS#1 v1.5 signatures (X509_REQ_sign, CMS_sign).
/// Owns its NSS key; the EVP_PKEY must not outlive this object.
class NssRsaKey {
 public:
  /// Takes ownership of key; publicKey gives the modulus and exponent OpenSSL needs for the public half.
  /// Throws CryptoError / STORE_ERROR when the key is not RSA or OpenSSL cannot build the adapter.
  NssRsaKey(PrivateKeyPtr key, const SECKEYPublicKey& publicKey);
  ~NssRsaKey();
  NssRsaKey(const NssRsaKey&) = delete;
  NssRsaKey& operator=(const NssRsaKey&) = delete;

  EVP_PKEY* get() const noexcept { return evp_.get(); }
  SECKEYPrivateKey* nssKey() const noexcept { return key_.get(); }

 private:
  PrivateKeyPtr key_;
  crypto::EvpPkeyPtr evp_;
};

}  // namespace certbridge::host::software_store
