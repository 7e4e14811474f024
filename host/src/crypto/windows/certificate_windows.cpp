// The certificate facts with crypt32 (Windows). The subject and issuer strings come from the DER names
// (rfc2253_name.cpp), since CertNameToStr writes another RFC 2253 dialect than the OpenSSL build.
#include <algorithm>
#include <cctype>
#include <climits>
#include <string>

#include "../certificate_platform.hpp"
#include "../crypto_error.hpp"
#include "../der_reader.hpp"
#include "../encoding.hpp"
#include "../rfc2253_name.hpp"
#include "bcrypt_support.hpp"

namespace certbridge::host::crypto {
namespace {

using CertificatePtr = std::unique_ptr<const CERT_CONTEXT, windows::CertificateFreer>;

std::span<const std::uint8_t> bytesOf(const CRYPT_INTEGER_BLOB& blob) noexcept {
  return {blob.pbData, blob.cbData};
}

// FILETIME counts 100 ns since 1601-01-01.
std::time_t toTimeT(const FILETIME& time) noexcept {
  constexpr std::int64_t kUnixEpoch = 116444736000000000;
  const auto ticks = static_cast<std::int64_t>((std::uint64_t{time.dwHighDateTime} << 32) | time.dwLowDateTime);
  const std::int64_t sinceEpoch = ticks - kUnixEpoch;
  // Floor division, so times before 1970 are not rounded up.
  return static_cast<std::time_t>(sinceEpoch >= 0 ? sinceEpoch / 10000000 : -((-sinceEpoch + 9999999) / 10000000));
}

// crypt32 holds the serial little-endian. Shown as OpenSSL does: big-endian magnitude without leading zero
// bytes, uppercase, "-" before a negative (invalid, but existing) serial.
std::string serialNumberHexOf(const CRYPT_INTEGER_BLOB& serial) {
  std::vector<std::uint8_t> bytes(serial.pbData, serial.pbData + serial.cbData);
  std::reverse(bytes.begin(), bytes.end());
  const bool negative = !bytes.empty() && (bytes.front() & 0x80) != 0;
  if (negative) {  // Two's complement to magnitude.
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(~byte);
    for (auto it = bytes.rbegin(); it != bytes.rend() && ++*it == 0; ++it) {
    }
  }
  std::size_t start = 0;
  while (start + 1 < bytes.size() && bytes[start] == 0) ++start;
  std::string hex = start >= bytes.size() ? "00" : hexEncode(std::span(bytes).subspan(start));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return negative ? "-" + hex : hex;
}

// The SubjectPublicKeyInfo as the certificate holds it: the seventh field of TBSCertificate (after the
// optional [0] version, serial, signature, issuer, validity, subject). crypt32 would re-encode it.
std::optional<std::vector<std::uint8_t>> subjectPublicKeyInfoOf(std::span<const std::uint8_t> certificateDer) {
  const auto certificate = der::readSingle(certificateDer);
  if (!certificate || certificate->tag != 0x30) return std::nullopt;
  der::Reader outer(certificate->content);
  const auto tbs = outer.next();
  if (!tbs || tbs->tag != 0x30) return std::nullopt;
  der::Reader fields(tbs->content);
  auto field = fields.next();
  if (field && field->tag == 0xa0) field = fields.next();  // version
  for (int skipped = 0; field && skipped < 5; ++skipped) field = fields.next();
  if (!field || field->tag != 0x30) return std::nullopt;
  return std::vector<std::uint8_t>(field->encoding.begin(), field->encoding.end());
}

// Key usage and basic constraints as OpenSSL reads them; false when an extension is present but does not
// decode (OpenSSL marks such certificates invalid, and so are they here).
bool readExtensions(const CERT_INFO& info, ParsedCertificate& certificate) {
  if (const CERT_EXTENSION* keyUsage = CertFindExtension(szOID_KEY_USAGE, info.cExtension, info.rgExtension)) {
    const auto bits = windows::decodeObject<CRYPT_BIT_BLOB>(X509_KEY_USAGE, bytesOf(keyUsage->Value));
    if (!bits) return false;
    const std::uint8_t first = bits->cbData > 0 ? bits->pbData[0] : 0;
    certificate.usableForSigning = (first & (CERT_DIGITAL_SIGNATURE_KEY_USAGE | CERT_NON_REPUDIATION_KEY_USAGE)) != 0;
    certificate.usableForEncryption =
        (first & (CERT_KEY_ENCIPHERMENT_KEY_USAGE | CERT_DATA_ENCIPHERMENT_KEY_USAGE)) != 0;
  }
  if (const CERT_EXTENSION* basic = CertFindExtension(szOID_BASIC_CONSTRAINTS2, info.cExtension, info.rgExtension)) {
    const auto constraints =
        windows::decodeObject<CERT_BASIC_CONSTRAINTS2_INFO>(X509_BASIC_CONSTRAINTS2, bytesOf(basic->Value));
    if (!constraints) return false;
    certificate.isCa = constraints->fCA != FALSE;
  }
  return true;
}

}  // namespace

std::optional<ParsedCertificate> detail::describeCertificateDer(std::span<const std::uint8_t> der) {
  // Exactly one DER element: crypt32 would accept trailing bytes after the certificate.
  if (der.size() > ULONG_MAX || !der::readSingle(der)) return std::nullopt;
  CertificatePtr context(CertCreateCertificateContext(X509_ASN_ENCODING, der.data(), static_cast<DWORD>(der.size())));
  if (!context) return std::nullopt;
  const CERT_INFO& info = *context->pCertInfo;
  const auto subject = describeName(bytesOf(info.Subject));
  const auto issuer = describeName(bytesOf(info.Issuer));
  if (!subject || !issuer || !subjectPublicKeyInfoOf(der)) return std::nullopt;

  ParsedCertificate certificate;
  certificate.subject = subject->rfc2253;
  certificate.issuer = issuer->rfc2253;
  certificate.commonName = subject->commonName;
  certificate.serialNumberHex = serialNumberHexOf(info.SerialNumber);
  certificate.notBefore = toTimeT(info.NotBefore);
  certificate.notAfter = toTimeT(info.NotAfter);
  if (!readExtensions(info, certificate)) return std::nullopt;
  certificate.native = std::shared_ptr<NativeCertificate>(context.release(), windows::CertificateFreer{});
  return certificate;
}

std::vector<std::uint8_t> publicKeyDer(const ParsedCertificate& certificate) {
  auto der = subjectPublicKeyInfoOf(certificate.der);
  if (!der) throw CryptoError("cannot read the certificate's public key");
  return std::move(*der);
}

bool isIssuedBy(const ParsedCertificate& certificate, const ParsedCertificate& issuer) {
  if (!certificate.native || !issuer.native) return false;
  // Byte for byte. OpenSSL's X509_NAME_cmp compares canonical forms instead (case and spaces folded, string
  // types unified), so an issuer name that differs from the CA's subject only in those is matched on Linux
  // and not here; CAs copy their subject into the issuer field byte for byte.
  if (!CertCompareCertificateName(X509_ASN_ENCODING, &certificate.native->pCertInfo->Issuer,
                                  &issuer.native->pCertInfo->Subject)) {
    return false;
  }
  return CryptVerifyCertificateSignatureEx(
             0, X509_ASN_ENCODING, CRYPT_VERIFY_CERT_SIGN_SUBJECT_CERT,
             const_cast<void*>(static_cast<const void*>(certificate.native.get())), CRYPT_VERIFY_CERT_SIGN_ISSUER_CERT,
             const_cast<void*>(static_cast<const void*>(issuer.native.get())), 0, nullptr) != FALSE;
}

}  // namespace certbridge::host::crypto
