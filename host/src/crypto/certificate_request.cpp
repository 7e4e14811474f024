// The platform-neutral half of certificate requests: which subjects are accepted, and how each attribute
// and key usage is encoded. certificate_request_openssl.cpp and windows/certificate_request_windows.cpp
// build and sign the request.
#include "certificate_request.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "certificate_request_encoding.hpp"

namespace certbridge::host::crypto {
namespace {

// The kinds of attribute whose values have rules of their own (subjectValueProblem) and string types.
enum class AttributeKind { Country, SerialNumber, EmailAddress, DomainComponent, Text };

struct NamedSubjectType {
  std::string_view name;
  std::string_view oid;
  AttributeKind kind;
};

// The names the protocol accepts with their OIDs (RFC 5280 appendix A, RFC 4519, PKCS#9), fixed here so that
// what is accepted never depends on a crypto library's name table.
constexpr NamedSubjectType kNamedSubjectTypes[] = {
    {"C", "2.5.4.6", AttributeKind::Country},
    {"ST", "2.5.4.8", AttributeKind::Text},
    {"L", "2.5.4.7", AttributeKind::Text},
    {"O", "2.5.4.10", AttributeKind::Text},
    {"OU", "2.5.4.11", AttributeKind::Text},
    {"CN", "2.5.4.3", AttributeKind::Text},
    {"serialNumber", "2.5.4.5", AttributeKind::SerialNumber},
    {"emailAddress", "1.2.840.113549.1.9.1", AttributeKind::EmailAddress},
    {"GN", "2.5.4.42", AttributeKind::Text},
    {"SN", "2.5.4.4", AttributeKind::Text},
    {"title", "2.5.4.12", AttributeKind::Text},
    {"UID", "0.9.2342.19200300.100.1.1", AttributeKind::Text},
    {"DC", "0.9.2342.19200300.100.1.25", AttributeKind::DomainComponent},
};

constexpr std::size_t kMaxOidLength = 64;

bool isDigit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool isAsciiLetter(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// The characters of the ASN.1 PrintableString type.
bool isPrintableStringCharacter(char c) noexcept {
  return isAsciiLetter(c) || isDigit(c) || std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
}

const NamedSubjectType* namedType(std::string_view type) noexcept {
  for (const auto& named : kNamedSubjectTypes) {
    if (named.name == type) return &named;
  }
  return nullptr;
}

// Arcs of digits without leading zeros; the first 0-2 and, under 0 and 1, a second below 40 (X.660), which
// is also what OpenSSL needs to encode the OID.
bool isDottedOid(std::string_view text) noexcept {
  if (text.empty() || text.size() > kMaxOidLength) return false;
  std::size_t arcs = 0;
  int firstArc = 0;
  while (true) {
    const std::size_t end = std::min(text.find('.'), text.size());
    const std::string_view arc = text.substr(0, end);
    if (arc.empty() || !std::all_of(arc.begin(), arc.end(), isDigit)) return false;
    if (arc.size() > 1 && arc.front() == '0') return false;
    if (arcs == 0) {
      if (arc.size() != 1 || arc.front() > '2') return false;
      firstArc = arc.front() - '0';
    } else if (arcs == 1 && firstArc < 2 && (arc.size() > 2 || (arc.size() == 2 && arc.front() >= '4'))) {
      return false;
    }
    ++arcs;
    if (end == text.size()) break;
    text.remove_prefix(end + 1);
  }
  return arcs >= 2;
}

// The dotted OID of a known type (a name or a dotted OID).
std::string subjectTypeOid(std::string_view type) {
  if (const NamedSubjectType* named = namedType(type)) return std::string(named->oid);
  return std::string(type);
}

// The kind of a known type: a dotted OID of a named type counts as that type.
AttributeKind subjectTypeKind(std::string_view type) noexcept {
  if (const NamedSubjectType* named = namedType(type)) return named->kind;
  for (const auto& named : kNamedSubjectTypes) {
    if (named.oid == type) return named.kind;
  }
  return AttributeKind::Text;
}

// What a UTF-8 lead byte says: the sequence's length, the code point bits it carries, and the smallest code
// point that needs this length (anything smaller is an overlong, forbidden form).
struct Utf8Lead {
  std::size_t length;
  std::uint32_t bits;
  std::uint32_t minimum;
};

std::optional<Utf8Lead> utf8Lead(std::uint8_t lead) noexcept {
  if (lead < 0x80) return Utf8Lead{1, lead, 0};
  if ((lead & 0xe0) == 0xc0) return Utf8Lead{2, lead & 0x1fu, 0x80};
  if ((lead & 0xf0) == 0xe0) return Utf8Lead{3, lead & 0x0fu, 0x800};
  if ((lead & 0xf8) == 0xf0) return Utf8Lead{4, lead & 0x07u, 0x10000};
  return std::nullopt;
}

// Decodes UTF-8 strictly (no overlong forms, surrogates or code points past U+10FFFF); calls onCodePoint
// for each character. False when the text is not valid UTF-8.
template <typename OnCodePoint>
bool forEachCodePoint(std::string_view text, OnCodePoint onCodePoint) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = utf8Lead(static_cast<std::uint8_t>(text[i]));
    if (!lead || i + lead->length > text.size()) return false;
    std::uint32_t codePoint = lead->bits;
    for (std::size_t j = 1; j < lead->length; ++j) {
      const auto continuation = static_cast<std::uint8_t>(text[i + j]);
      if ((continuation & 0xc0) != 0x80) return false;
      codePoint = (codePoint << 6) | (continuation & 0x3fu);
    }
    if (codePoint < lead->minimum || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      return false;
    }
    onCodePoint(codePoint);
    i += lead->length;
  }
  return true;
}

// Universal tags of the ASN.1 string types the request uses.
constexpr int kUtf8StringTag = 12;
constexpr int kPrintableStringTag = 19;
constexpr int kIa5StringTag = 22;

// ASN.1 string type each attribute is encoded as. UTF8String keeps any name (Chinese included) exactly;
// countryName and serialNumber are PrintableString and emailAddress and domainComponent IA5String by
// their definitions (RFC 5280 appendix A, RFC 4519), which CAs check.
int asn1StringTag(AttributeKind kind) noexcept {
  switch (kind) {
    case AttributeKind::Country:
    case AttributeKind::SerialNumber:
      return kPrintableStringTag;
    case AttributeKind::EmailAddress:
    case AttributeKind::DomainComponent:
      return kIa5StringTag;
    case AttributeKind::Text:
      break;
  }
  return kUtf8StringTag;
}

// Bit numbers of the KeyUsage BIT STRING (RFC 5280 section 4.2.1.3).
constexpr int kDigitalSignatureBit = 0;
constexpr int kNonRepudiationBit = 1;
constexpr int kKeyEnciphermentBit = 2;
constexpr int kDataEnciphermentBit = 3;

}  // namespace

bool isKnownSubjectType(std::string_view type) {
  return namedType(type) != nullptr || isDottedOid(type);
}

std::string subjectValueProblem(std::string_view type, std::string_view value) {
  if (!isKnownSubjectType(type)) return "is not a known attribute type";
  if (value.empty()) return "must not be empty";
  bool hasControl = false;
  const bool isUtf8 = forEachCodePoint(value, [&hasControl](std::uint32_t codePoint) {
    hasControl = hasControl || codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
  });
  if (!isUtf8) return "must be UTF-8 text";
  if (hasControl) return "must not contain control characters";

  switch (subjectTypeKind(type)) {
    case AttributeKind::Country:
      if (value.size() != 2 || !isAsciiLetter(value[0]) || !isAsciiLetter(value[1])) return "must be two letters";
      break;
    case AttributeKind::SerialNumber:
      if (!std::all_of(value.begin(), value.end(), isPrintableStringCharacter)) {
        return "must use only letters, digits, spaces and ' ( ) + , - . / : = ?";
      }
      break;
    case AttributeKind::EmailAddress:
    case AttributeKind::DomainComponent:
      if (!std::all_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        return "must be ASCII";
      }
      break;
    case AttributeKind::Text:
      break;
  }
  return {};
}

detail::SubjectAttributeEncoding detail::subjectAttributeEncoding(const SubjectAttribute& attribute) {
  if (!isKnownSubjectType(attribute.type)) throw std::invalid_argument("unknown subject attribute type");
  // The reason names the type only: values are personal data and do not belong in error messages.
  if (const std::string problem = subjectValueProblem(attribute.type, attribute.value); !problem.empty()) {
    throw std::invalid_argument("subject " + attribute.type + " " + problem);
  }
  return {subjectTypeOid(attribute.type), asn1StringTag(subjectTypeKind(attribute.type))};
}

std::span<const int> detail::keyUsageBits(KeyUsageKind usage) noexcept {
  static constexpr int kSigning[] = {kDigitalSignatureBit, kNonRepudiationBit};
  static constexpr int kEncryption[] = {kKeyEnciphermentBit, kDataEnciphermentBit};
  static constexpr int kDual[] = {kDigitalSignatureBit, kNonRepudiationBit, kKeyEnciphermentBit, kDataEnciphermentBit};
  switch (usage) {
    case KeyUsageKind::Signing:
      return kSigning;
    case KeyUsageKind::Encryption:
      return kEncryption;
    case KeyUsageKind::Dual:
      break;
  }
  return kDual;
}

}  // namespace certbridge::host::crypto
