#pragma once
// CMS SignedData (RFC 5652) for signRenewal: the data the RA wants signed, signed with a key on the card.

#include <cstdint>
#include <span>
#include <vector>

#include "certificate.hpp"
#include "signing_key.hpp"

namespace certbridge::host::crypto {

/// CMS SignedData over data with SHA-256 and the key's own signature scheme (RSA PKCS#1 v1.5 for RSA keys),
/// with signed attributes content type, message digest and signing time. Carries the signer certificate and
/// extraCertificates (e.g. the CA chain, so a verifier needs only the root; each certificate is carried once,
/// null entries are skipped); the content is attached unless
/// detached. Binary: the data is signed byte for byte, never converted to MIME canonical line endings.
/// `key` may be a hardware key whose signing runs on a PKCS#11 token; it must be the key of `signer`.
/// Returns the DER ContentInfo. Throws CryptoError, and on Windows whatever the key's signDigestInfo throws.
std::vector<std::uint8_t> cmsSign(SigningKey* key, const ParsedCertificate& signer,
                                  std::span<const ParsedCertificate* const> extraCertificates,
                                  std::span<const std::uint8_t> data, bool detached);

}  // namespace certbridge::host::crypto
