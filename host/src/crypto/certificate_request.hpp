#pragma once
// PKCS#10 certificate requests for keys generated on the card (generateKeyPair in commands.md).

#include <span>
#include <string>
#include <string_view>

#include "signing_key.hpp"

namespace certbridge::host::crypto {

/// One relative distinguished name of the requested subject, e.g. {"CN", "王小明"}.
struct SubjectAttribute {
  std::string type;   ///< A name isKnownSubjectType accepts ("CN") or a dotted OID ("2.5.4.3").
  std::string value;  ///< UTF-8 text.
};

/// Which key usage bits the request asks for.
enum class KeyUsageKind {
  Signing,     ///< digitalSignature, nonRepudiation
  Encryption,  ///< keyEncipherment, dataEncipherment
  Dual,        ///< all four
};

/// Whether `type` is an accepted subject attribute type: C, ST, L, O, OU, CN, serialNumber, emailAddress,
/// GN, SN (surname), title, UID, DC (exact case) or a dotted OID (at most 64 characters, digits and dots,
/// at least two arcs, first arc 0-2, second arc below 40 under arcs 0 and 1, no leading zeros).
bool isKnownSubjectType(std::string_view type);

/// Checks a value for its type (a dotted OID of a named type counts as that type). Every value must be
/// non-empty UTF-8 without control characters; C is exactly two ASCII letters; serialNumber uses the
/// PrintableString characters (A-Z a-z 0-9 space ' ( ) + , - . / : = ?); emailAddress and DC are ASCII.
/// Returns "" when the value is fine, else a short English reason ("must be two letters").
std::string subjectValueProblem(std::string_view type, std::string_view value);

/// Builds and signs (sha256WithRSAEncryption for RSA keys) a PKCS#10 request: version 1, the subject in
/// the given order (first = most significant; UTF8String, but PrintableString for C and serialNumber and
/// IA5String for emailAddress and DC), the public key of `key`, and an extensionRequest with a critical
/// keyUsage for `usage`. `key` may be a hardware key whose signing runs on a PKCS#11 token. The finished
/// request's signature is verified before it is returned, as PEM ("-----BEGIN CERTIFICATE REQUEST-----").
/// Throws std::invalid_argument when subject is empty or an attribute fails isKnownSubjectType or
/// subjectValueProblem (callers validate first), CryptoError when the crypto library fails, and on Windows
/// whatever the key's signDigestInfo throws (CardError) when the token fails.
std::string createCertificateRequestPem(SigningKey* key, std::span<const SubjectAttribute> subject, KeyUsageKind usage);

}  // namespace certbridge::host::crypto
