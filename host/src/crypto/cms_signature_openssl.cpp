// CMS SignedData with OpenSSL (Linux, macOS).
#include "cms_signature.hpp"

#include <openssl/cms.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <vector>

#include "openssl_types.hpp"

namespace certbridge::host::crypto {
namespace {

// SMIMECapabilities is an e-mail attribute listing ciphers the sender can decrypt; it says nothing about a
// signed renewal request, so it is left out (CMS_NOSMIMECAP). Signing time, content type and message digest
// are added by CMS_final whatever the flags.
constexpr unsigned int kSignerFlags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;

// Adds each certificate once: OpenSSL 3.0 fails CMS_add1_cert for a certificate already present (the signer
// passed in extraCertificates too, or one certificate passed twice), where a duplicate is harmless.
void addCertificates(CMS_ContentInfo* cms, X509* signer, std::span<const ParsedCertificate* const> certificates) {
  std::vector<X509*> present = {signer};
  for (const ParsedCertificate* parsed : certificates) {
    X509* certificate = parsed != nullptr ? parsed->native.get() : nullptr;
    if (certificate == nullptr) continue;
    const bool isPresent = std::any_of(present.begin(), present.end(),
                                       [certificate](X509* other) { return X509_cmp(other, certificate) == 0; });
    if (isPresent) continue;
    if (CMS_add1_cert(cms, certificate) != 1) throwCryptoError("cannot add a certificate to the signature");
    present.push_back(certificate);
  }
}

}  // namespace

std::vector<std::uint8_t> cmsSign(SigningKey* key, const ParsedCertificate& signerCertificate,
                                  std::span<const ParsedCertificate* const> extraCertificates,
                                  std::span<const std::uint8_t> data, bool detached) {
  X509* signer = signerCertificate.native.get();
  if (key == nullptr || signer == nullptr) throw std::invalid_argument("cmsSign needs a key and its certificate");
  if (data.size() > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("data too large to sign");

  // With CMS_PARTIAL, CMS_sign only makes an empty SignedData. The signer is added by CMS_add1_signer, which
  // takes the digest (CMS_sign would use the default), and the (possibly hardware) key signs in CMS_final.
  const unsigned int flags = CMS_BINARY | CMS_PARTIAL | (detached ? CMS_DETACHED : 0u);
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) throwCryptoError("cannot create the CMS structure");
  if (CMS_add1_signer(cms.get(), signer, key, EVP_sha256(), kSignerFlags) == nullptr) {
    throwCryptoError("cannot add the signer to the signature");
  }
  addCertificates(cms.get(), signer, extraCertificates);

  // A memory BIO needs a non-null buffer even for no bytes.
  static const std::uint8_t kNoData = 0;
  BioPtr content(BIO_new_mem_buf(data.empty() ? &kNoData : data.data(), static_cast<int>(data.size())));
  if (!content) throwCryptoError("cannot read the data to sign");
  // Digests the content, adds the signed attributes and makes the key sign them.
  if (CMS_final(cms.get(), content.get(), nullptr, CMS_BINARY) != 1) throwCryptoError("signing the data failed");

  const int length = i2d_CMS_ContentInfo(cms.get(), nullptr);
  if (length <= 0) throwCryptoError("cannot encode the signature");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  if (i2d_CMS_ContentInfo(cms.get(), &cursor) != length) throwCryptoError("cannot encode the signature");
  return der;
}

}  // namespace certbridge::host::crypto
