// The certificate facts with OpenSSL (Linux, macOS).
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <chrono>
#include <climits>

#include "certificate_platform.hpp"
#include "encoding.hpp"
#include "openssl_types.hpp"

namespace certbridge::host::crypto {
namespace {

// RFC 2253 with non-ASCII characters left as UTF-8 ("CN=王小明") instead of "\E7\8E\8B...": the strings are
// shown to people, and JSON carries UTF-8 anyway. Control characters and RFC 2253 specials stay escaped.
constexpr unsigned long kRfc2253Utf8 = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;

std::string memoryBioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

std::optional<std::string> rfc2253Text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, kRfc2253Utf8) < 0) return std::nullopt;
  return memoryBioText(bio.get());
}

// The last commonName in DER order, which is the most specific one; empty when there is none or it cannot
// be converted to UTF-8 (the subject string still shows it).
std::string commonNameOf(const X509_NAME* name) {
  int last = -1;
  for (int index = -1; (index = X509_NAME_get_index_by_NID(name, NID_commonName, index)) >= 0;) last = index;
  if (last < 0) return {};
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
  if (length < 0) return {};
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return text;
}

// ASN.1 INTEGERs hold magnitude bytes; the sign is in the string type (negative serials are invalid but exist).
std::string serialNumberHexOf(const ASN1_INTEGER* serial) {
  const unsigned char* bytes = ASN1_STRING_get0_data(serial);
  std::size_t length = static_cast<std::size_t>(ASN1_STRING_length(serial));
  while (length > 1 && *bytes == 0) {
    ++bytes;
    --length;
  }
  std::string hex = length == 0 ? "00" : hexEncode(std::span<const std::uint8_t>(bytes, length));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" + hex : hex;
}

std::optional<std::time_t> toTimeT(const ASN1_TIME* time) {
  std::tm fields{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &fields) != 1) return std::nullopt;
  using namespace std::chrono;
  const sys_days date = year{fields.tm_year + 1900} / month{static_cast<unsigned>(fields.tm_mon + 1)} /
                        day{static_cast<unsigned>(fields.tm_mday)};
  return static_cast<std::time_t>(duration_cast<seconds>(date.time_since_epoch()).count()) + fields.tm_hour * 3600 +
         fields.tm_min * 60 + fields.tm_sec;
}

std::optional<ParsedCertificate> describe(X509Ptr x509) {
  // Computes (and caches) the extension facts; certificates whose extensions OpenSSL cannot decode are
  // rejected as verification would reject them, rather than shown with guessed key usages.
  const std::uint32_t extensionFlags = X509_get_extension_flags(x509.get());
  if ((extensionFlags & EXFLAG_INVALID) != 0) return std::nullopt;

  ParsedCertificate certificate;
  auto subject = rfc2253Text(X509_get_subject_name(x509.get()));
  auto issuer = rfc2253Text(X509_get_issuer_name(x509.get()));
  const auto notBefore = toTimeT(X509_get0_notBefore(x509.get()));
  const auto notAfter = toTimeT(X509_get0_notAfter(x509.get()));
  if (!subject || !issuer || !notBefore || !notAfter) return std::nullopt;

  certificate.subject = std::move(*subject);
  certificate.issuer = std::move(*issuer);
  certificate.commonName = commonNameOf(X509_get_subject_name(x509.get()));
  certificate.serialNumberHex = serialNumberHexOf(X509_get0_serialNumber(x509.get()));
  certificate.notBefore = *notBefore;
  certificate.notAfter = *notAfter;
  if ((extensionFlags & EXFLAG_KUSAGE) != 0) {
    const std::uint32_t keyUsage = X509_get_key_usage(x509.get());
    certificate.usableForSigning = (keyUsage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
    certificate.usableForEncryption = (keyUsage & (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT)) != 0;
  }
  certificate.isCa = (extensionFlags & EXFLAG_CA) != 0;
  certificate.native = std::move(x509);
  return certificate;
}

}  // namespace

std::optional<ParsedCertificate> detail::describeCertificateDer(std::span<const std::uint8_t> der) {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) return std::nullopt;
  const unsigned char* cursor = der.data();
  X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  std::optional<ParsedCertificate> certificate;
  if (x509 && cursor == der.data() + der.size()) certificate = describe(std::move(x509));
  // A rejected certificate is an answer, not an error: leave no queue entries to confuse a later CryptoError.
  if (!certificate) ERR_clear_error();
  return certificate;
}

std::vector<std::uint8_t> publicKeyDer(const ParsedCertificate& certificate) {
  const X509_PUBKEY* publicKey = X509_get_X509_PUBKEY(certificate.native.get());
  const int length = i2d_X509_PUBKEY(publicKey, nullptr);
  if (length <= 0) throwCryptoError("cannot encode the certificate's public key");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  if (i2d_X509_PUBKEY(publicKey, &cursor) != length) throwCryptoError("cannot encode the certificate's public key");
  return der;
}

bool isIssuedBy(const ParsedCertificate& certificate, const ParsedCertificate& issuer) {
  if (X509_NAME_cmp(X509_get_issuer_name(certificate.native.get()), X509_get_subject_name(issuer.native.get())) != 0) {
    return false;
  }
  EVP_PKEY* issuerKey = X509_get0_pubkey(issuer.native.get());
  const bool verified = issuerKey != nullptr && X509_verify(certificate.native.get(), issuerKey) == 1;
  if (!verified) ERR_clear_error();
  return verified;
}

}  // namespace certbridge::host::crypto
