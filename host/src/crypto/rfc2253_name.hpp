#pragma once
// Distinguished names as the protocol shows them, from the DER Name itself: the RFC 2253 text exactly as
// the OpenSSL build writes it (X509_NAME_print_ex with XN_FLAG_RFC2253 minus ASN1_STRFLGS_ESC_MSB, see
// certificate_openssl.cpp), so the Windows build, where crypt32's CertNameToStr quotes differently, shows
// the same strings.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace certbridge::host::crypto {

struct NameDescription {
  /// Most specific RDN first, "," between RDNs and "+" inside one; short attribute names (CN, O, C,
  /// emailAddress...), dotted OIDs with "#" and the hex DER value for other attribute types; RFC 2253
  /// specials and control characters escaped; non-ASCII characters as UTF-8.
  std::string rfc2253;
  /// UTF-8 value of the last commonName in DER order (the most specific); empty when there is none or its
  /// string type is not a text type.
  std::string commonName;
};

/// nullopt when nameDer is not exactly one DER Name, or a text value is not valid in its string type (OpenSSL
/// refuses to print such a name too).
std::optional<NameDescription> describeName(std::span<const std::uint8_t> nameDer);

}  // namespace certbridge::host::crypto
