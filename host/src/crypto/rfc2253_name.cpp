#include "rfc2253_name.hpp"

#include <string_view>
#include <vector>

#include "der_reader.hpp"

namespace certbridge::host::crypto {
namespace {

struct ShortName {
  std::string_view oid;
  std::string_view name;
};

// The attribute types OpenSSL 3 knows by a short name (OBJ_nid2sn), for the names certificates use. An
// attribute type missing here is shown as OpenSSL shows a type it does not know: dotted OID and hex DER.
constexpr ShortName kShortNames[] = {
    {"2.5.4.3", "CN"},
    {"2.5.4.4", "SN"},
    {"2.5.4.5", "serialNumber"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.9", "street"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"2.5.4.12", "title"},
    {"2.5.4.13", "description"},
    {"2.5.4.14", "searchGuide"},
    {"2.5.4.15", "businessCategory"},
    {"2.5.4.16", "postalAddress"},
    {"2.5.4.17", "postalCode"},
    {"2.5.4.18", "postOfficeBox"},
    {"2.5.4.19", "physicalDeliveryOfficeName"},
    {"2.5.4.20", "telephoneNumber"},
    {"2.5.4.41", "name"},
    {"2.5.4.42", "GN"},
    {"2.5.4.43", "initials"},
    {"2.5.4.44", "generationQualifier"},
    {"2.5.4.45", "x500UniqueIdentifier"},
    {"2.5.4.46", "dnQualifier"},
    {"2.5.4.51", "houseIdentifier"},
    {"2.5.4.54", "dmdName"},
    {"2.5.4.65", "pseudonym"},
    {"2.5.4.72", "role"},
    {"2.5.4.97", "organizationIdentifier"},
    {"1.2.840.113549.1.9.1", "emailAddress"},
    {"1.2.840.113549.1.9.2", "unstructuredName"},
    {"1.2.840.113549.1.9.8", "unstructuredAddress"},
    {"0.9.2342.19200300.100.1.1", "UID"},
    {"0.9.2342.19200300.100.1.3", "mail"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"},
    {"1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"},
    {"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"},
};

constexpr std::string_view kCommonNameOid = "2.5.4.3";
constexpr char kUpperHex[] = "0123456789ABCDEF";

std::string_view shortName(std::string_view oid) noexcept {
  for (const auto& known : kShortNames) {
    if (known.oid == oid) return known.name;
  }
  return {};
}

struct Attribute {
  std::string oid;
  der::Element value;
  std::size_t rdn;  // Which RDN (SET) it belongs to.
};

void appendUtf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xc0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xe0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  }
}

// Decodes one UTF-8 sequence at text[i]; false when it is not valid UTF-8.
bool nextUtf8(std::span<const std::uint8_t> text, std::size_t& i, std::uint32_t& c) {
  const std::uint8_t lead = text[i];
  std::size_t length = 1;
  std::uint32_t minimum = 0;
  if (lead < 0x80) {
    c = lead;
  } else if ((lead & 0xe0) == 0xc0) {
    c = lead & 0x1fu, length = 2, minimum = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    c = lead & 0x0fu, length = 3, minimum = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    c = lead & 0x07u, length = 4, minimum = 0x10000;
  } else {
    return false;
  }
  if (i + length > text.size()) return false;
  for (std::size_t j = 1; j < length; ++j) {
    if ((text[i + j] & 0xc0) != 0x80) return false;
    c = (c << 6) | (text[i + j] & 0x3fu);
  }
  if (c < minimum || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
  i += length;
  return true;
}

// The characters of a text value, by its string type as OpenSSL reads them: UTF8String as UTF-8, BMPString
// as UCS-2, UniversalString as UCS-4, the one-byte types as Latin-1. nullopt for other types (dumped as hex
// instead) and for values that are not valid in their type.
enum class Decoded { Text, NotText, Invalid };
Decoded decodeText(const der::Element& value, std::vector<std::uint32_t>& characters) {
  const auto bytes = value.content;
  switch (value.tag) {
    case 0x0c:  // UTF8String
      for (std::size_t i = 0; i < bytes.size();) {
        std::uint32_t c = 0;
        if (!nextUtf8(bytes, i, c)) return Decoded::Invalid;
        characters.push_back(c);
      }
      return Decoded::Text;
    case 0x12:  // NumericString
    case 0x13:  // PrintableString
    case 0x14:  // T61String
    case 0x16:  // IA5String
    case 0x17:  // UTCTime
    case 0x18:  // GeneralizedTime
    case 0x1a:  // VisibleString
      for (const std::uint8_t byte : bytes) characters.push_back(byte);
      return Decoded::Text;
    case 0x1e:  // BMPString
      if (bytes.size() % 2 != 0) return Decoded::Invalid;
      for (std::size_t i = 0; i < bytes.size(); i += 2) {
        characters.push_back((std::uint32_t{bytes[i]} << 8) | bytes[i + 1]);
      }
      return Decoded::Text;
    case 0x1c:  // UniversalString
      if (bytes.size() % 4 != 0) return Decoded::Invalid;
      for (std::size_t i = 0; i < bytes.size(); i += 4) {
        const std::uint32_t c = (std::uint32_t{bytes[i]} << 24) | (std::uint32_t{bytes[i + 1]} << 16) |
                                (std::uint32_t{bytes[i + 2]} << 8) | bytes[i + 3];
        if (c > 0x10ffff) return Decoded::Invalid;
        characters.push_back(c);
      }
      return Decoded::Text;
    default:
      return Decoded::NotText;
  }
}

// UTF-8 of characters; surrogate code points, which UTF-8 cannot carry, are left out as OpenSSL leaves them.
std::string utf8Of(const std::vector<std::uint32_t>& characters) {
  std::string text;
  for (const std::uint32_t c : characters) {
    if (c < 0xd800 || c > 0xdfff) appendUtf8(text, c);
  }
  return text;
}

void appendHexDump(std::string& out, std::span<const std::uint8_t> encoding) {
  out += '#';
  for (const std::uint8_t byte : encoding) {
    out += kUpperHex[byte >> 4];
    out += kUpperHex[byte & 0x0f];
  }
}

// RFC 2253 section 2.4 escaping as OpenSSL does it: the specials , + " \ < > ; with a backslash, '#' as the
// first character and ' ' as the first or last one too (the last character counts as last only, so a
// lone '#' stays as it is), control characters as \XX; characters past ASCII as UTF-8.
void appendEscaped(std::string& out, const std::vector<std::uint32_t>& characters) {
  for (std::size_t i = 0; i < characters.size(); ++i) {
    const std::uint32_t c = characters[i];
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (c > 0x7f) {
      appendUtf8(out, c);
      continue;
    }
    const bool last = i + 1 == characters.size();
    const bool first = i == 0 && !last;
    const bool special = std::string_view(",+\"\\<>;").find(static_cast<char>(c)) != std::string_view::npos;
    if (special || (first && (c == '#' || c == ' ')) || (last && c == ' ')) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += '\\';
      out += kUpperHex[c >> 4];
      out += kUpperHex[c & 0x0f];
    } else {
      out += static_cast<char>(c);
    }
  }
}

std::optional<std::vector<Attribute>> readAttributes(std::span<const std::uint8_t> nameDer) {
  const auto name = der::readSingle(nameDer);
  if (!name || name->tag != 0x30) return std::nullopt;
  std::vector<Attribute> attributes;
  der::Reader rdns(name->content);
  for (std::size_t rdn = 0; !rdns.atEnd(); ++rdn) {
    const auto set = rdns.next();
    if (!set || set->tag != 0x31 || set->content.empty()) return std::nullopt;
    der::Reader entries(set->content);
    while (!entries.atEnd()) {
      const auto entry = entries.next();
      if (!entry || entry->tag != 0x30) return std::nullopt;
      der::Reader fields(entry->content);
      const auto type = fields.next();
      const auto value = fields.next();
      if (!type || type->tag != 0x06 || !value || !fields.atEnd()) return std::nullopt;
      auto oid = der::objectIdentifierText(type->content);
      if (!oid) return std::nullopt;
      attributes.push_back({std::move(*oid), *value, rdn});
    }
  }
  return attributes;
}

}  // namespace

std::optional<NameDescription> describeName(std::span<const std::uint8_t> nameDer) {
  const auto attributes = readAttributes(nameDer);
  if (!attributes) return std::nullopt;
  NameDescription description;
  // Most specific first: the reverse of the DER order, attribute by attribute as OpenSSL does.
  for (std::size_t index = attributes->size(); index-- > 0;) {
    const Attribute& attribute = (*attributes)[index];
    if (index + 1 < attributes->size()) {
      description.rfc2253 += (*attributes)[index + 1].rdn == attribute.rdn ? '+' : ',';
    }
    const std::string_view name = shortName(attribute.oid);
    description.rfc2253 += name.empty() ? std::string_view(attribute.oid) : name;
    description.rfc2253 += '=';
    std::vector<std::uint32_t> characters;
    const Decoded decoded = name.empty() ? Decoded::NotText : decodeText(attribute.value, characters);
    if (decoded == Decoded::Invalid) return std::nullopt;
    if (decoded == Decoded::NotText) {
      appendHexDump(description.rfc2253, attribute.value.encoding);
    } else {
      appendEscaped(description.rfc2253, characters);
    }
  }
  for (std::size_t index = attributes->size(); index-- > 0;) {
    if ((*attributes)[index].oid != kCommonNameOid) continue;
    std::vector<std::uint32_t> characters;
    if (decodeText((*attributes)[index].value, characters) == Decoded::Text)
      description.commonName = utf8Of(characters);
    break;
  }
  return description;
}

}  // namespace certbridge::host::crypto
