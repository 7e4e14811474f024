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

/// Parses a DER certificate (all of it). Throws CardError(InvalidArgument) if it is not one.
X509Ptr parseCertificate(std::span<const std::uint8_t> der);
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
