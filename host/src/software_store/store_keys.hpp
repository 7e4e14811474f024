#pragma once
// Private keys in the user's NSS database: made there (generateSoftwareKey), found by a certificate's public
// key, brought in from and taken out to PKCS#12 files. A key made or imported here is a token object,
// private (login needed when the database has a password) and sensitive (NSS never reveals it in clear,
// except to the PKCS#12 export the user asked for, which encrypts it at once).

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/openssl_types.hpp"
#include "nss_store.hpp"
#include "nss_types.hpp"

namespace certbridge::host::software_store {

struct StoreKeyPair {
  PrivateKeyPtr privateKey;
  PublicKeyPtr publicKey;
  std::vector<std::uint8_t> id;                ///< CKA_ID (SHA-1 of the modulus, as NSS names keys).
  std::vector<std::uint8_t> publicKeyInfoDer;  ///< SubjectPublicKeyInfo.
};

/// Generates an RSA key pair (e = 65537) in the store, named nickname. STORE_ERROR when NSS fails.
StoreKeyPair generateRsaKeyPair(const NssStore& store, int bits, const std::string& nickname);

/// Removes a key pair this command made, for a roll back after a later step failed. Never throws (logs).
void deleteKeyPair(StoreKeyPair& pair) noexcept;

/// The private key of the certificate, or null when the store does not hold it.
PrivateKeyPtr findKeyForCertificate(CERTCertificate* certificate);

/// The key's CKA_ID, empty when NSS cannot tell.
std::vector<std::uint8_t> keyId(SECKEYPrivateKey* key);

/// The key in clear as an OpenSSL key, for a PKCS#12 file the user asked for (the caller encrypts it at
/// once and frees it; the clear PKCS#8 bytes in between are wiped). STORE_ERROR when NSS refuses.
crypto::EvpPkeyPtr exportPrivateKey(SECKEYPrivateKey* key);

/// Stores key (from a PKCS#12 file) as a sensitive, private token key named nickname; returns it.
/// STORE_ERROR when NSS refuses.
PrivateKeyPtr importPrivateKey(const NssStore& store, EVP_PKEY* key, const std::string& nickname);

/// Removes one private key (roll back of an import). Never throws (logs).
void deletePrivateKey(PrivateKeyPtr key) noexcept;

}  // namespace certbridge::host::software_store
