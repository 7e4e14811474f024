// Certificate requests on Windows. crypt32 has no encoder for a CertificationRequestInfo
// (X509_CERT_REQUEST_TO_BE_SIGNED is missing from wine and the structure holds no raw attribute values),
// so it is written with the DER writer, in the same form as the OpenSSL build; crypt32 wraps it with the
// signature (X509_CERT), and BCrypt checks the signature before the request is returned.
#include <stdexcept>

#include "../certificate_request.hpp"
#include "../certificate_request_encoding.hpp"
#include "../crypto_error.hpp"
#include "../der_writer.hpp"
#include "../encoding.hpp"
#include "bcrypt_support.hpp"

namespace certbridge::host::crypto {
namespace {

constexpr std::string_view kExtensionRequestOid = "1.2.840.113549.1.9.14";  // PKCS#9
constexpr std::string_view kKeyUsageOid = "2.5.29.15";

// One attribute per RDN, in the given order (the first is the most significant).
der::Bytes subjectName(std::span<const SubjectAttribute> subject) {
  der::Bytes rdns;
  for (const SubjectAttribute& attribute : subject) {
    const detail::SubjectAttributeEncoding encoding = detail::subjectAttributeEncoding(attribute);
    const der::Bytes rdn =
        der::setOf({der::sequence({der::objectIdentifier(encoding.oid),
                                   der::string(static_cast<std::uint8_t>(encoding.stringTag), attribute.value)})});
    rdns.insert(rdns.end(), rdn.begin(), rdn.end());
  }
  return der::tlv(der::kSequenceTag, rdns);
}

// [0] IMPLICIT SET OF Attribute with one extensionRequest holding a critical keyUsage (critical, as RFC
// 5280 recommends: a CA that copies it makes a certificate whose key cannot be used for anything else).
der::Bytes requestAttributes(KeyUsageKind usage) {
  const der::Bytes keyUsage = der::sequence({der::objectIdentifier(kKeyUsageOid), der::boolean(true),
                                             der::octetString(der::namedBits(detail::keyUsageBits(usage)))});
  const der::Bytes extensionRequest =
      der::sequence({der::objectIdentifier(kExtensionRequestOid), der::setOf({der::sequence({keyUsage})})});
  return der::contextConstructed(0, extensionRequest);
}

}  // namespace

std::string createCertificateRequestPem(SigningKey* key, std::span<const SubjectAttribute> subject,
                                        KeyUsageKind usage) {
  if (key == nullptr) throw std::invalid_argument("no key for the certificate request");
  if (subject.empty()) throw std::invalid_argument("the certificate request needs a subject");

  const der::Bytes name = subjectName(subject);
  const std::vector<std::uint8_t> publicKeyInfo = key->publicKeyInfo();
  const der::Bytes info = der::sequence({der::integer(0), name, publicKeyInfo, requestAttributes(usage)});
  const auto digest = sha256(info);
  std::vector<std::uint8_t> signature = key->signDigestInfo(der::sha256DigestInfo(digest));

  // A token that signs with another key than the one whose public key we read (or garbles the signature)
  // must not produce a request the CA rejects later, or worse, certifies for the wrong key.
  const windows::KeyHandle publicKey = windows::importPublicKeyInfo(publicKeyInfo);
  if (!publicKey) throw CryptoError("the key's public key cannot be imported");
  if (!windows::verifyRsaSha256(publicKey.get(), digest, signature)) {
    throw CryptoError("the signature on the certificate request does not verify");
  }

  static const std::uint8_t kNullParameters[] = {0x05, 0x00};
  CERT_SIGNED_CONTENT_INFO signedRequest{};
  signedRequest.ToBeSigned = {static_cast<DWORD>(info.size()), const_cast<BYTE*>(info.data())};
  signedRequest.SignatureAlgorithm.pszObjId = const_cast<LPSTR>(szOID_RSA_SHA256RSA);
  signedRequest.SignatureAlgorithm.Parameters = {sizeof kNullParameters, const_cast<BYTE*>(kNullParameters)};
  signedRequest.Signature = {static_cast<DWORD>(signature.size()), signature.data(), 0};
  // The signature is big-endian already (PKCS#1), not in CryptoAPI's little-endian order.
  const auto request = windows::encodeObject(X509_CERT, &signedRequest, CRYPT_ENCODE_NO_SIGNATURE_BYTE_REVERSAL_FLAG);
  return pemEncode("CERTIFICATE REQUEST", request);
}

}  // namespace certbridge::host::crypto
