#pragma once
// A private RSA key that signs where it lives (on a card through C_Sign, or in the operating system's key
// store), for the platforms where the host does not use OpenSSL (Windows: BCrypt/NCrypt and crypt32). On
// Linux and macOS a card key is an OpenSSL EVP_PKEY instead (token_objects.hpp, PrivateKey).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace certbridge::card {

/// An RSA private key that never leaves its store; only signatures come out.
class RsaSigner {
 public:
  virtual ~RsaSigner() = default;

  /// SubjectPublicKeyInfo (DER) of the key's public half: what a certificate or a PKCS#10 request holds.
  virtual std::vector<std::uint8_t> publicKeyInfo() const = 0;

  /// The modulus size in bytes, which is the length of every signature.
  virtual std::size_t modulusBytes() const = 0;

  /// RSASSA-PKCS1-v1_5 signature over digestInfo, a DER DigestInfo (the hash with its algorithm
  /// identifier, RFC 8017 section 9.2). The key's store adds the padding. Throws CardError when the store
  /// refuses (card pulled, session closed, not logged in).
  virtual std::vector<std::uint8_t> signDigestInfo(std::span<const std::uint8_t> digestInfo) = 0;
};

}  // namespace certbridge::card
