#pragma once
// Card login for the authenticate command: the host signs a message bound to the page's origin, so a
// signature a malicious page obtains cannot be replayed to the real RA (commands.md, "authenticate").

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "signing_key.hpp"

namespace certbridge::host::crypto {

/// The 64 bytes the host signs: SHA-256(origin as UTF-8) || SHA-256(challenge).
std::array<std::uint8_t, 64> authenticationMessage(std::string_view origin, std::span<const std::uint8_t> challenge);

/// sha256WithRSAEncryption (RSA PKCS#1 v1.5 over SHA-256) signature of message, made where the key lives
/// (EVP_DigestSign, or the signer's signDigestInfo on Windows) so that a hardware key signs on its token.
/// Throws CryptoError, also when key is not an RSA key; on Windows whatever signDigestInfo throws.
std::vector<std::uint8_t> signSha256(SigningKey* key, std::span<const std::uint8_t> message);

/// What the RA does: whether signature is a sha256WithRSAEncryption signature by the key of publicKeyInfo (a
/// SubjectPublicKeyInfo, DER) over authenticationMessage(origin, challenge). False for anything else,
/// including a non-RSA key or bytes that are not a public key.
bool verifyAuthentication(std::span<const std::uint8_t> publicKeyInfo, std::string_view origin,
                          std::span<const std::uint8_t> challenge, std::span<const std::uint8_t> signature);

}  // namespace certbridge::host::crypto
