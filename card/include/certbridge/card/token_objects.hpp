#pragma once
// Keys and certificates on a token: RSA key generation on the card, finding a key by its public key (the
// RA's key-to-certificate link comes from the card itself, so any computer finds it), the private key (an
// OpenSSL EVP_PKEY; on Windows, where the host does not use OpenSSL, an RsaSigner), and certificates stored
// beside their keys. OpenSSL's headers stay out: EVP_PKEY is OpenSSL's struct evp_pkey_st, declared here only by
// name.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "certbridge/card/error.hpp"
#include "certbridge/card/token_session.hpp"

#if defined(_WIN32)
#include "certbridge/card/rsa_signer.hpp"
#else
struct evp_pkey_st;  // OpenSSL's EVP_PKEY.
#endif

namespace certbridge::card {

/// A private key on the token. The key stays there: signing runs there (C_Sign with CKM_RSA_PKCS), and only
/// while the session that gave the key is open and logged in. Holding it keeps the PKCS#11 module loaded.
/// On Linux and macOS: OpenSSL's EVP_PKEY, usable with X509_REQ_sign, X509_sign, CMS_sign, EVP_DigestSign.
/// On Windows: an RsaSigner, whose signDigestInfo signs a DigestInfo (and throws the token's CardError).
#if defined(_WIN32)
using PrivateKey = std::shared_ptr<RsaSigner>;
#else
using PrivateKey = std::shared_ptr<evp_pkey_st>;
#endif

/// How the token protects a key, as it reports it (false when it does not say).
struct KeyProtection {
  bool tokenObject = false;       ///< CKA_TOKEN: stored on the card, not only for the session.
  bool privateObject = false;     ///< CKA_PRIVATE: visible only after login.
  bool sensitive = false;         ///< CKA_SENSITIVE: never leaves the card in clear.
  bool extractable = false;       ///< CKA_EXTRACTABLE: could leave the card wrapped.
  bool alwaysSensitive = false;   ///< CKA_ALWAYS_SENSITIVE.
  bool neverExtractable = false;  ///< CKA_NEVER_EXTRACTABLE.
};

/// An RSA private key on the token.
struct KeyInfo {
  std::vector<std::uint8_t> id;  ///< CKA_ID, shared by the key pair and its certificates.
  std::string label;
  std::vector<std::uint8_t> publicKey;  ///< SubjectPublicKeyInfo, DER (what a certificate holds).
  int bits = 0;
  KeyProtection protection;
};

/// An X.509 certificate object on the token.
struct CertificateInfo {
  std::vector<std::uint8_t> der;
  std::vector<std::uint8_t> id;  ///< CKA_ID.
  std::string label;
  /// A key with the certificate's public key is on the token. Private keys are only visible after a user
  /// login; without one, the public key object that key generation leaves beside the private key stands in.
  bool keyOnToken = false;
  std::vector<std::uint8_t> keyId;  ///< That key's CKA_ID, when keyOnToken.
};

/// What to generate. The host checks bits against the card profile's keySizes.
struct KeyGenerationOptions {
  int bits = 2048;
  std::string label;  ///< CKA_LABEL of both halves, e.g. "Signing key 2025-06-01".
};

/// Generates an RSA key pair (public exponent 65537) on the token, in one C_GenerateKeyPair call, so the
/// pair either exists entirely or not at all. The private key is CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not
/// CKA_EXTRACTABLE, for signing and decryption; the public key is a public token object. CKA_ID is 20 random
/// bytes, unique on the token. If the token reports the new private key as extractable or not sensitive
/// anyway, the pair is deleted and CardNotSupported thrown. Needs a ReadWrite session with the user logged in
/// (InvalidArgument otherwise). Takes seconds to a minute on real cards: report progress around it.
KeyInfo generateRsaKeyPair(TokenSession& session, const KeyGenerationOptions& options);

/// The RSA private keys on the token (visible after a user login), with their public keys.
std::vector<KeyInfo> listKeys(TokenSession& session);

/// The private key whose public key is subjectPublicKeyInfo (DER), compared as keys, not by label or id.
/// nullopt when none. InvalidArgument if the DER is not a public key. likelyId (a CKA_ID the caller already
/// knows, e.g. from CertificateInfo::keyId) is looked at first: one search instead of reading every key, which
/// counts on software tokens that read each object from disk. The keys are compared either way.
std::optional<KeyInfo> findKeyByPublicKey(TokenSession& session, std::span<const std::uint8_t> subjectPublicKeyInfo,
                                          std::span<const std::uint8_t> likelyId = {});

/// The private key that belongs to a certificate (by the certificate's public key); nullopt when the key is
/// not on the token. InvalidArgument if the DER is not an X.509 certificate. likelyId: as for findKeyByPublicKey.
std::optional<KeyInfo> findKeyForCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                             std::span<const std::uint8_t> likelyId = {});

/// The private key, to sign with. Needs the user logged in; KeyNotFound if the key is gone.
PrivateKey privateKey(TokenSession& session, const KeyInfo& key);

/// Why the last signature made with key failed, when the token refused it (CardRemoved for a card pulled
/// meanwhile, Pkcs11 with the CKR code, ...) or the key's session was already closed (InvalidArgument): OpenSSL
/// itself only reports that signing failed (RsaSigner::signDigestInfo throws the same error, and keeps it here).
/// nullopt when the last signature worked, failed before reaching the token, or the failure was taken already; also for
/// keys that are not card keys.
std::optional<CardError> takeSigningFailure(const PrivateKey& key);

/// The private key of a certificate (the key with the certificate's public key), in one
/// lookup that reads only what the comparison needs: what signing with a certificate wants. likelyId: as
/// for findKeyByPublicKey. Needs the user logged in; KeyNotFound when the key is not on the token,
/// InvalidArgument if the DER is not an X.509 certificate.
PrivateKey privateKeyForCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                    std::span<const std::uint8_t> likelyId = {});

/// The X.509 certificates on the token, each with whether its key is there.
std::vector<CertificateInfo> listCertificates(TokenSession& session);

/// Stores a certificate beside its key: CKA_ID of the key that has the certificate's public key, the given
/// label, CKA_SUBJECT / CKA_ISSUER / CKA_SERIAL_NUMBER from the certificate. Idempotent: a certificate
/// already on the token (same DER) is returned as it is, never stored twice. Throws KeyNotFound when no key
/// on the token has the certificate's public key. Uses only PKCS#11 v2.20 certificate attributes, which
/// every token accepts (libp11's PKCS11_store_certificate adds attributes openCryptoki 3.8 rejects). Needs a
/// ReadWrite session with the user logged in.
CertificateInfo storeCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                 const std::string& label);

/// Stores a CA certificate (no key of its own on the token). CKA_ID is the SHA-1 of its public key (RFC 5280
/// key identifier, method 1). Idempotent as storeCertificate. Needs a ReadWrite session.
CertificateInfo storeCaCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                   const std::string& label);

/// Deletes the private key, public key and certificates whose CKA_ID is id. Returns how many objects went.
/// Never called by the library itself: only when the caller explicitly wants those objects gone. Needs a
/// ReadWrite session with the user logged in; InvalidArgument for an empty id.
std::size_t deleteObjectsById(TokenSession& session, std::span<const std::uint8_t> id);

/// Deletes the certificate objects holding exactly this certificate. Returns how many went. Needs a
/// ReadWrite session (and, on most tokens, the user logged in).
std::size_t deleteCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer);

}  // namespace certbridge::card
