#pragma once
// OpenSSL pieces the key and certificate code needs: owned pointers, DER conversions, random ids.
// Private to the card library.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace certbridge::card::detail {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

/// Parses a DER certificate (all of it). Throws CardError(InvalidArgument) if it is not one.
X509Ptr parseCertificate(std::span<const std::uint8_t> der);
/// A public key's SubjectPublicKeyInfo DER.
std::vector<std::uint8_t> publicKeyDer(const EVP_PKEY& key);
/// The SubjectPublicKeyInfo DER of a certificate's key.
std::vector<std::uint8_t> certificatePublicKey(X509& certificate);
/// Re-encodes a SubjectPublicKeyInfo, so keys compare equal whatever encoding they came in. Throws
/// CardError(InvalidArgument) if it is not a public key.
std::vector<std::uint8_t> normalizedPublicKey(std::span<const std::uint8_t> subjectPublicKeyInfo);
/// The SubjectPublicKeyInfo DER of an RSA public key given as big-endian modulus and exponent (PKCS#11's
/// CKA_MODULUS and CKA_PUBLIC_EXPONENT).
std::vector<std::uint8_t> rsaPublicKey(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent);
/// DER of the certificate's subject, issuer and serial number (PKCS#11's CKA_SUBJECT, CKA_ISSUER,
/// CKA_SERIAL_NUMBER).
std::vector<std::uint8_t> subjectDer(X509& certificate);
std::vector<std::uint8_t> issuerDer(X509& certificate);
std::vector<std::uint8_t> serialNumberDer(X509& certificate);
/// SHA-1 of the certificate's public key bits (RFC 5280 key identifier, method 1).
std::vector<std::uint8_t> keyIdentifier(X509& certificate);
/// Cryptographically random bytes (OpenSSL RAND_bytes). Throws CardError(Pkcs11) if the RNG fails.
std::vector<std::uint8_t> randomBytes(std::size_t count);

}  // namespace certbridge::card::detail
