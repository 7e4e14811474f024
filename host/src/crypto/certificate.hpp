#pragma once
// X.509 certificates as the host reports and checks them: parsed once into the facts the certificate
// objects of the protocol show (commands.md, "Certificate objects").

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#ifdef _WIN32
struct _CERT_CONTEXT;  // <wincrypt.h>
#else
#include <openssl/types.h>
#endif

namespace certbridge::host::crypto {

/// The crypto library's own object for a parsed certificate: OpenSSL's X509, or crypt32's CERT_CONTEXT.
#ifdef _WIN32
using NativeCertificate = const _CERT_CONTEXT;
#else
using NativeCertificate = X509;
#endif

struct ParsedCertificate {
  /// Shared, never modified: copies of a ParsedCertificate (see parseCertificateDer) use the same object.
  std::shared_ptr<NativeCertificate> native;
  std::vector<std::uint8_t> der;
  std::string id;  ///< Lowercase hex SHA-256 of der: how the protocol names a certificate.
  /// RFC 2253 strings in UTF-8; non-ASCII characters are kept as they are ("CN=王小明"), not escaped.
  std::string subject, issuer;
  std::string commonName;       ///< UTF-8; the most specific CN when there are several; empty if none.
  std::string serialNumberHex;  ///< Uppercase hex, whole bytes, no leading zero bytes ("0A", "01F3").
  std::time_t notBefore = 0, notAfter = 0;
  /// From the key usage extension: digitalSignature or nonRepudiation / keyEncipherment or
  /// dataEncipherment. Both true when the certificate has no key usage extension (it restricts nothing).
  bool usableForSigning = true, usableForEncryption = true;
  bool isCa = false;  ///< basicConstraints CA:TRUE.
};

/// Accepts PEM ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----", one certificate, no PEM
/// headers) or base64 DER; surrounding whitespace and line breaks inside the base64 are fine. nullopt when
/// the text is not exactly one X.509 certificate (a second certificate or trailing bytes included).
std::optional<ParsedCertificate> parseCertificateText(std::string_view text);

/// nullopt when der is not exactly one DER X.509 certificate. Remembered per certificate content for the
/// process (OpenSSL 3 takes about 0.1 ms to parse one, and every card request lists the same few again).
/// Thread-safe.
std::optional<ParsedCertificate> parseCertificateDer(std::span<const std::uint8_t> der);

/// "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n", base64 lines of 64 characters.
std::string certificatePem(const ParsedCertificate& certificate);

/// notBefore <= now <= notAfter.
bool isValidAt(const ParsedCertificate& certificate, std::time_t now);

/// The certificate's SubjectPublicKeyInfo, DER, exactly as the certificate holds it.
std::vector<std::uint8_t> publicKeyDer(const ParsedCertificate& certificate);

/// Whether `certificate` was signed by `issuer`: its issuer name is issuer's subject and its signature
/// verifies with issuer's public key. Says nothing about validity periods or whether issuer is a CA.
bool isIssuedBy(const ParsedCertificate& certificate, const ParsedCertificate& issuer);

}  // namespace certbridge::host::crypto
