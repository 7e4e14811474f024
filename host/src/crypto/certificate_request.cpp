#include "certificate_request.hpp"

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>

#include "openssl_types.hpp"

namespace certbridge::host::crypto {
namespace {

struct NamedSubjectType {
  std::string_view name;
  int nid;
};

// The names the protocol accepts, mapped to OpenSSL's NIDs (not looked up by OpenSSL's own short names, so
// that what is accepted never depends on the OpenSSL version's name table).
constexpr NamedSubjectType kNamedSubjectTypes[] = {
    {"C", NID_countryName},
    {"ST", NID_stateOrProvinceName},
    {"L", NID_localityName},
    {"O", NID_organizationName},
    {"OU", NID_organizationalUnitName},
    {"CN", NID_commonName},
    {"serialNumber", NID_serialNumber},
    {"emailAddress", NID_pkcs9_emailAddress},
    {"GN", NID_givenName},
    {"SN", NID_surname},
    {"title", NID_title},
    {"UID", NID_userId},
    {"DC", NID_domainComponent},
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

std::optional<int> namedTypeNid(std::string_view type) noexcept {
  for (const auto& named : kNamedSubjectTypes) {
    if (named.name == type) return named.nid;
  }
  return std::nullopt;
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

// The NID of a named type or of a dotted OID OpenSSL knows; NID_undef for other OIDs.
int subjectTypeNid(std::string_view type) {
  if (const auto nid = namedTypeNid(type)) return *nid;
  return OBJ_txt2nid(std::string(type).c_str());
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

// ASN.1 string type each attribute is encoded as. UTF8String keeps any name (Chinese included) exactly;
// countryName and serialNumber are PrintableString and emailAddress and domainComponent IA5String by
// their definitions (RFC 5280 appendix A, RFC 4519), which CAs check.
int asn1StringType(int nid) noexcept {
  switch (nid) {
    case NID_countryName:
    case NID_serialNumber:
      return V_ASN1_PRINTABLESTRING;
    case NID_pkcs9_emailAddress:
    case NID_domainComponent:
      return V_ASN1_IA5STRING;
    default:
      return V_ASN1_UTF8STRING;
  }
}

// Bit numbers of the KeyUsage BIT STRING (RFC 5280 section 4.2.1.3).
constexpr int kDigitalSignatureBit = 0;
constexpr int kNonRepudiationBit = 1;
constexpr int kKeyEnciphermentBit = 2;
constexpr int kDataEnciphermentBit = 3;

std::span<const int> keyUsageBits(KeyUsageKind usage) noexcept {
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

using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpenSslDeleter<&ASN1_OBJECT_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OpenSslDeleter<&ASN1_BIT_STRING_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<&X509_EXTENSION_free>>;

struct ExtensionStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * extensions) const noexcept {
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
};
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;

void addSubjectAttribute(X509_NAME* name, const SubjectAttribute& attribute) {
  if (!isKnownSubjectType(attribute.type)) throw std::invalid_argument("unknown subject attribute type");
  // The reason names the type only: values are personal data and do not belong in error messages.
  if (const std::string problem = subjectValueProblem(attribute.type, attribute.value); !problem.empty()) {
    throw std::invalid_argument("subject " + attribute.type + " " + problem);
  }
  const int nid = subjectTypeNid(attribute.type);
  Asn1ObjectPtr object(nid != NID_undef ? OBJ_nid2obj(nid) : OBJ_txt2obj(attribute.type.c_str(), 1));
  if (!object) throwCryptoError("cannot encode subject attribute type " + attribute.type);
  if (attribute.value.size() > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("subject too long");
  // A plain string type (not an MBSTRING_* one) stores the bytes as they are, with exactly that type; the
  // values were checked above, so no conversion or OpenSSL length table must step in.
  if (X509_NAME_add_entry_by_OBJ(name, object.get(), asn1StringType(nid),
                                 reinterpret_cast<const unsigned char*>(attribute.value.data()),
                                 static_cast<int>(attribute.value.size()), -1, 0) != 1) {
    throwCryptoError("cannot add subject attribute " + attribute.type);
  }
}

void addKeyUsageRequest(X509_REQ* request, KeyUsageKind usage) {
  Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) throwCryptoError("cannot allocate the key usage");
  for (const int bit : keyUsageBits(usage)) {
    if (ASN1_BIT_STRING_set_bit(bits.get(), bit, 1) != 1) throwCryptoError("cannot set a key usage bit");
  }
  // Critical, as RFC 5280 recommends: a CA that copies the extension makes a certificate whose key cannot be
  // used for anything else.
  X509ExtensionPtr keyUsage(X509V3_EXT_i2d(NID_key_usage, 1, bits.get()));
  ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
  if (!keyUsage || !extensions || sk_X509_EXTENSION_push(extensions.get(), keyUsage.get()) <= 0) {
    throwCryptoError("cannot build the key usage extension");
  }
  keyUsage.release();  // Owned by the stack now.
  if (X509_REQ_add_extensions(request, extensions.get()) != 1) throwCryptoError("cannot add the extension request");
}

std::string requestPem(X509_REQ* request) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), request) != 1) throwCryptoError("cannot write the request as PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) throwCryptoError("cannot write the request as PEM");
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

bool isKnownSubjectType(std::string_view type) {
  return namedTypeNid(type).has_value() || isDottedOid(type);
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

  switch (subjectTypeNid(type)) {
    case NID_countryName:
      if (value.size() != 2 || !isAsciiLetter(value[0]) || !isAsciiLetter(value[1])) return "must be two letters";
      break;
    case NID_serialNumber:
      if (!std::all_of(value.begin(), value.end(), isPrintableStringCharacter)) {
        return "must use only letters, digits, spaces and ' ( ) + , - . / : = ?";
      }
      break;
    case NID_pkcs9_emailAddress:
    case NID_domainComponent:
      if (!std::all_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        return "must be ASCII";
      }
      break;
    default:
      break;
  }
  return {};
}

std::string createCertificateRequestPem(EVP_PKEY* key, std::span<const SubjectAttribute> subject, KeyUsageKind usage) {
  if (key == nullptr) throw std::invalid_argument("no key for the certificate request");
  if (subject.empty()) throw std::invalid_argument("the certificate request needs a subject");

  X509ReqPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    throwCryptoError("cannot create the certificate request");
  }
  // Appended one RDN each, in order: the first attribute is the first (most significant) RDN in DER.
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  for (const SubjectAttribute& attribute : subject) addSubjectAttribute(name, attribute);
  if (X509_REQ_set_pubkey(request.get(), key) != 1) throwCryptoError("cannot set the request's public key");
  addKeyUsageRequest(request.get(), usage);

  // X509_REQ_sign goes through EVP_DigestSign, so a PKCS#11 key signs on the token.
  if (X509_REQ_sign(request.get(), key, EVP_sha256()) <= 0) throwCryptoError("the key could not sign the request");
  // A token that signs with another key than the one whose public key we read (or garbles the signature)
  // must not produce a request the CA rejects later, or worse, certifies for the wrong key.
  if (X509_REQ_verify(request.get(), X509_REQ_get0_pubkey(request.get())) != 1) {
    throwCryptoError("the signature on the certificate request does not verify");
  }
  return requestPem(request.get());
}

}  // namespace certbridge::host::crypto
