// Certificate requests with OpenSSL (Linux, macOS).
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <climits>
#include <memory>
#include <stdexcept>

#include "certificate_request.hpp"
#include "certificate_request_encoding.hpp"
#include "openssl_types.hpp"

namespace certbridge::host::crypto {
namespace {

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
  const detail::SubjectAttributeEncoding encoding = detail::subjectAttributeEncoding(attribute);
  Asn1ObjectPtr object(OBJ_txt2obj(encoding.oid.c_str(), 1));
  if (!object) throwCryptoError("cannot encode subject attribute type " + attribute.type);
  if (attribute.value.size() > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("subject too long");
  // A plain string type (not an MBSTRING_* one) stores the bytes as they are, with exactly that type; the
  // values were checked above, so no conversion or OpenSSL length table must step in.
  if (X509_NAME_add_entry_by_OBJ(name, object.get(), encoding.stringTag,
                                 reinterpret_cast<const unsigned char*>(attribute.value.data()),
                                 static_cast<int>(attribute.value.size()), -1, 0) != 1) {
    throwCryptoError("cannot add subject attribute " + attribute.type);
  }
}

void addKeyUsageRequest(X509_REQ* request, KeyUsageKind usage) {
  Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) throwCryptoError("cannot allocate the key usage");
  for (const int bit : detail::keyUsageBits(usage)) {
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

std::string createCertificateRequestPem(SigningKey* key, std::span<const SubjectAttribute> subject,
                                        KeyUsageKind usage) {
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
