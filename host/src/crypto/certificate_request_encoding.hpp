#pragma once
// How a certificate request encodes its subject and key usage, shared by the OpenSSL and Windows builders
// so both produce the same DER.

#include <span>
#include <string>

#include "certificate_request.hpp"

namespace certbridge::host::crypto::detail {

struct SubjectAttributeEncoding {
  std::string oid;  ///< Dotted ("2.5.4.3").
  int stringTag;    ///< ASN.1 universal tag of the value: 12 UTF8String, 19 PrintableString, 22 IA5String.
};

/// The encoding of one attribute after checking it. Throws std::invalid_argument when the attribute fails
/// isKnownSubjectType or subjectValueProblem (the message names the type, never the value).
SubjectAttributeEncoding subjectAttributeEncoding(const SubjectAttribute& attribute);

/// The KeyUsage bit numbers (RFC 5280 section 4.2.1.3: 0 digitalSignature ... 3 dataEncipherment) of usage.
std::span<const int> keyUsageBits(KeyUsageKind usage) noexcept;

}  // namespace certbridge::host::crypto::detail
