#pragma once
// Key pairs without a certificate: what a key generation leaves when the certificate never came (a host
// killed after key 1 of 2, an application the RA never answered). Real cards hold few keys, so the user must
// see them and be able to remove them; a key whose certificate is still to come must never go silently.

#include <cstdint>
#include <string>
#include <vector>

#include "certbridge/card/token_objects.hpp"
#include "certbridge/card/token_session.hpp"

namespace certbridge::card {

/// An RSA key pair on the token that no certificate object on the token belongs to (compared by public key).
struct KeyWithoutCertificate {
  std::vector<std::uint8_t> id;         ///< CKA_ID of the pair.
  std::string label;                    ///< As key generation named it ("Signing key 2026-11-21"), or the token's.
  int bits = 0;                         ///< Modulus size.
  std::vector<std::uint8_t> publicKey;  ///< SubjectPublicKeyInfo, DER.
};

/// The key pairs no certificate on the token belongs to, found by their public key objects (visible without
/// a login; key generation always leaves one beside the private key). In the token's object order.
std::vector<KeyWithoutCertificate> keysWithoutCertificate(TokenSession& session);

/// A token's listing: its certificates (as listCertificates gives them) and its key pairs without a certificate
/// (as keysWithoutCertificate), each object read once. On a card every read is an APDU exchange.
struct TokenListing {
  std::vector<CertificateInfo> certificates;
  std::vector<KeyWithoutCertificate> keysWithoutCertificate;
};
TokenListing listCertificatesAndKeys(TokenSession& session);

}  // namespace certbridge::card
