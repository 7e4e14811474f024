#pragma once
// OpenSSL pieces the key and certificate code needs: owned pointers, DER conversions, random ids.
// Private to the card library.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
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

/// An RSA public key as its two numbers, big-endian without leading zero bytes, so that one key compares
/// equal however a token (CKA_MODULUS, CKA_PUBLIC_EXPONENT) or a certificate encodes it. Keys are matched to
/// certificates this way: no DER encoding by OpenSSL is involved, which OpenSSL 3 makes slow (see
/// public_key_der.hpp).
struct RsaNumbers {
  std::vector<std::uint8_t> modulus;
  std::vector<std::uint8_t> exponent;
  bool operator==(const RsaNumbers&) const = default;
};

/// Parses a DER certificate (all of it). Throws CardError(InvalidArgument) if it is not one.
X509Ptr parseCertificate(std::span<const std::uint8_t> der);
/// A public key's SubjectPublicKeyInfo DER.
std::vector<std::uint8_t> publicKeyDer(const EVP_PKEY& key);
/// RsaNumbers from big-endian bytes (leading zero bytes dropped); nullopt when either number is zero or empty.
std::optional<RsaNumbers> rsaNumbers(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent);
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
