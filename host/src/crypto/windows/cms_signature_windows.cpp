// CMS SignedData on Windows. CryptMsg signs only with keys it opens itself, and a card key signs through
// C_Sign, so the SignedData is assembled here: the signed attributes and the outer structure with the DER
// writer, the SignerInfo by crypt32 (PKCS7_SIGNER_INFO). Same structure as the OpenSSL build: version 1,
// SHA-256, signed attributes content type, signing time and message digest, rsaEncryption. One difference
// crypt32 imposes: the SignerInfo's SHA-256 AlgorithmIdentifier carries NULL parameters where OpenSSL
// leaves them out; RFC 5754 section 2 requires verifiers to accept both.
#include <algorithm>
#include <climits>
#include <stdexcept>

#include "../cms_signature.hpp"
#include "../crypto_error.hpp"
#include "../der_writer.hpp"
#include "../encoding.hpp"
#include "bcrypt_support.hpp"

namespace certbridge::host::crypto {
namespace {

constexpr std::string_view kDataOid = "1.2.840.113549.1.7.1";
constexpr std::string_view kSignedDataOid = "1.2.840.113549.1.7.2";
constexpr std::string_view kContentTypeOid = "1.2.840.113549.1.9.3";
constexpr std::string_view kMessageDigestOid = "1.2.840.113549.1.9.4";
constexpr std::string_view kSigningTimeOid = "1.2.840.113549.1.9.5";
constexpr std::string_view kSha256Oid = "2.16.840.1.101.3.4.2.1";

// The certificates field, [0] IMPLICIT SET OF: the signer and each extra certificate once.
der::Bytes certificateSet(const ParsedCertificate& signer, std::span<const ParsedCertificate* const> extra) {
  std::vector<der::Bytes> certificates = {signer.der};
  for (const ParsedCertificate* certificate : extra) {
    if (certificate == nullptr) continue;
    if (std::find(certificates.begin(), certificates.end(), certificate->der) == certificates.end()) {
      certificates.push_back(certificate->der);
    }
  }
  der::Bytes set = der::setOf(std::move(certificates));
  set[0] = 0xa0;  // IMPLICIT [0]: same length and content, only the tag changes.
  return set;
}

}  // namespace

std::vector<std::uint8_t> cmsSign(SigningKey* key, const ParsedCertificate& signer,
                                  std::span<const ParsedCertificate* const> extraCertificates,
                                  std::span<const std::uint8_t> data, bool detached) {
  if (key == nullptr || !signer.native) throw std::invalid_argument("cmsSign needs a key and its certificate");
  if (data.size() > ULONG_MAX) throw std::invalid_argument("data too large to sign");
  if (key->publicKeyInfo() != publicKeyDer(signer)) throw CryptoError("the key is not the signer certificate's key");

  // The attribute values as the signer sees them: sorted into the DER SET OF, which is what is signed.
  const auto attribute = [](std::string_view oid, const der::Bytes& value) {
    return der::sequence({der::objectIdentifier(oid), der::setOf({value})});
  };
  const der::Bytes contentType = der::objectIdentifier(kDataOid);
  const der::Bytes signingTime = der::time(std::time(nullptr));
  const der::Bytes messageDigest = der::octetString(sha256(data));
  const der::Bytes signedAttributes =
      der::setOf({attribute(kContentTypeOid, contentType), attribute(kSigningTimeOid, signingTime),
                  attribute(kMessageDigestOid, messageDigest)});
  std::vector<std::uint8_t> signature = key->signDigestInfo(der::sha256DigestInfo(sha256(signedAttributes)));

  CRYPT_ATTR_BLOB values[] = {
      {static_cast<DWORD>(contentType.size()), const_cast<BYTE*>(contentType.data())},
      {static_cast<DWORD>(signingTime.size()), const_cast<BYTE*>(signingTime.data())},
      {static_cast<DWORD>(messageDigest.size()), const_cast<BYTE*>(messageDigest.data())},
  };
  CRYPT_ATTRIBUTE attributes[] = {
      {const_cast<LPSTR>(szOID_RSA_contentType), 1, &values[0]},
      {const_cast<LPSTR>(szOID_RSA_signingTime), 1, &values[1]},
      {const_cast<LPSTR>(szOID_RSA_messageDigest), 1, &values[2]},
  };
  const CERT_INFO& certificateInfo = *signer.native->pCertInfo;
  CMSG_SIGNER_INFO signerInfo{};
  signerInfo.dwVersion = 1;  // issuerAndSerialNumber
  signerInfo.Issuer = certificateInfo.Issuer;
  signerInfo.SerialNumber = certificateInfo.SerialNumber;
  signerInfo.HashAlgorithm.pszObjId = const_cast<LPSTR>(szOID_NIST_sha256);
  signerInfo.HashEncryptionAlgorithm.pszObjId = const_cast<LPSTR>(szOID_RSA_RSA);
  signerInfo.EncryptedHash = {static_cast<DWORD>(signature.size()), signature.data()};
  signerInfo.AuthAttrs = {static_cast<DWORD>(std::size(attributes)), attributes};
  const auto encodedSignerInfo =
      windows::encodeObject(PKCS7_SIGNER_INFO, &signerInfo, 0, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING);
  // The signature covers the attributes as sorted above; crypt32 must have written exactly those bytes.
  der::Bytes expectedAttributes = signedAttributes;
  expectedAttributes[0] = 0xa0;
  if (std::search(encodedSignerInfo.begin(), encodedSignerInfo.end(), expectedAttributes.begin(),
                  expectedAttributes.end()) == encodedSignerInfo.end()) {
    throw CryptoError("crypt32 encoded the signed attributes differently from what was signed");
  }

  const der::Bytes sha256Algorithm = der::sequence({der::objectIdentifier(kSha256Oid)});
  const der::Bytes content =
      detached ? der::sequence({der::objectIdentifier(kDataOid)})
               : der::sequence({der::objectIdentifier(kDataOid), der::contextConstructed(0, der::octetString(data))});
  const der::Bytes signedData =
      der::sequence({der::integer(1), der::setOf({sha256Algorithm}), content, certificateSet(signer, extraCertificates),
                     der::setOf({encodedSignerInfo})});
  return der::sequence({der::objectIdentifier(kSignedDataOid), der::contextConstructed(0, signedData)});
}

}  // namespace certbridge::host::crypto
