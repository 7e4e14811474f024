#pragma once
// Card login for the authenticate command: the host signs a message bound to the page's origin, so a
// signature a malicious page obtains cannot be replayed to the real RA (commands.md, "authenticate").

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace certbridge::host::crypto {

/// The 64 bytes the host signs: SHA-256(origin as UTF-8) || SHA-256(challenge).
std::array<std::uint8_t, 64> authenticationMessage(std::string_view origin, std::span<const std::uint8_t> challenge);

/// sha256WithRSAEncryption (RSA PKCS#1 v1.5 over SHA-256) signature of message, via EVP_DigestSign so that a
/// hardware key signs on its token. Throws CryptoError, also when key is not an RSA key.
std::vector<std::uint8_t> signSha256(EVP_PKEY* key, std::span<const std::uint8_t> message);

/// What the RA does: whether signature is a sha256WithRSAEncryption signature by publicKey over
/// authenticationMessage(origin, challenge). False for anything else, including a non-RSA key.
bool verifyAuthentication(EVP_PKEY* publicKey, std::string_view origin, std::span<const std::uint8_t> challenge,
                          std::span<const std::uint8_t> signature);

}  // namespace certbridge::host::crypto
