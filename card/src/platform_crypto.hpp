#pragma once
// The little cryptography the card library needs of its platform: the PKCS#11 attributes of a certificate,
// random bytes and wiping secrets. OpenSSL on Linux and macOS (platform_crypto_openssl.cpp), BCrypt and
// crypt32 on Windows (platform_crypto_windows.cpp). Private to the card library.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace certbridge::card::detail {

/// What PKCS#11 stores beside a certificate, each as DER from the certificate itself.
struct CertificateFields {
  std::vector<std::uint8_t> subject;       ///< CKA_SUBJECT: the subject Name.
  std::vector<std::uint8_t> issuer;        ///< CKA_ISSUER: the issuer Name.
  std::vector<std::uint8_t> serialNumber;  ///< CKA_SERIAL_NUMBER: the serial number as a DER INTEGER.
  /// SHA-1 of the certificate's public key bits (RFC 5280 key identifier, method 1): a CA certificate's CKA_ID.
  std::vector<std::uint8_t> keyIdentifier;
};

/// The fields of a DER certificate (all of der must be the certificate). Throws CardError(InvalidArgument) if
/// it is not one.
CertificateFields certificateFields(std::span<const std::uint8_t> der);

/// Cryptographically random bytes from the platform's generator. Throws CardError(Pkcs11) if it fails.
std::vector<std::uint8_t> randomBytes(std::size_t count);

/// Overwrites size bytes at data with zeros in a way the compiler cannot drop (secrets before release).
void wipeSecret(void* data, std::size_t size) noexcept;

}  // namespace certbridge::card::detail
