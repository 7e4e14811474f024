#include "crypto_test_support.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <array>
#include <mutex>
#include <stdexcept>

namespace certbridge::host::crypto::test {
namespace {

using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<&X509_EXTENSION_free>>;

void addExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : certificate, certificate, nullptr, nullptr, 0);
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    throwCryptoError("test certificate extension " + value);
  }
}

void addNameEntry(X509_NAME* name, const char* type, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, type, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    throwCryptoError("test certificate name");
  }
}

}  // namespace

EVP_PKEY* sharedRsaKey(int index) {
  static std::array<EvpPkeyPtr, 4> keys;
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  EvpPkeyPtr& key = keys.at(static_cast<std::size_t>(index));
  if (!key) key = makeRsaKey(2048);
  return key.get();
}

EvpPkeyPtr makeRsaKey(unsigned int bits) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!key) throwCryptoError("test RSA key");
  return key;
}

EvpPkeyPtr makeEcKey(const char* curve) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  if (!key) throwCryptoError("test EC key");
  return key;
}

X509Ptr makeCertificate(const CertificateSpec& spec, EVP_PKEY* subjectKey, X509* issuer, EVP_PKEY* issuerKey) {
  X509Ptr certificate(X509_new());
  const std::time_t now = std::time(nullptr);
  const std::time_t notBefore = spec.notBefore != 0 ? spec.notBefore : now - 24 * 3600;
  const std::time_t notAfter = spec.notAfter != 0 ? spec.notAfter : now + 365 * 24 * 3600;
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), spec.serialNumber) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(certificate.get()), notBefore) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(certificate.get()), notAfter) == nullptr ||
      X509_set_pubkey(certificate.get(), subjectKey) != 1) {
    throwCryptoError("test certificate");
  }

  X509_NAME* subject = X509_get_subject_name(certificate.get());
  addNameEntry(subject, "C", "TW");
  if (!spec.organization.empty()) addNameEntry(subject, "O", spec.organization);
  addNameEntry(subject, "CN", spec.commonName);
  if (X509_set_issuer_name(certificate.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject) != 1) {
    throwCryptoError("test certificate issuer");
  }
  if (spec.isCa) addExtension(certificate.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
  if (!spec.keyUsage.empty()) addExtension(certificate.get(), issuer, NID_key_usage, spec.keyUsage);
  addExtension(certificate.get(), issuer, NID_subject_key_identifier, "hash");
  if (X509_sign(certificate.get(), issuerKey, EVP_sha256()) <= 0) throwCryptoError("test certificate signature");
  return certificate;
}

std::string toPem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) throwCryptoError("test PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::vector<std::uint8_t> publicKeyInfoOf(EVP_PKEY* key) {
  const int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) throwCryptoError("test public key DER");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  if (i2d_PUBKEY(key, &cursor) != length) throwCryptoError("test public key DER");
  return der;
}

std::vector<std::uint8_t> toDer(X509* certificate) {
  const int length = i2d_X509(certificate, nullptr);
  if (length <= 0) throwCryptoError("test DER");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  i2d_X509(certificate, &cursor);
  return der;
}

int algorithmNid(const X509_ALGOR* algorithm) {
  const ASN1_OBJECT* object = nullptr;
  X509_ALGOR_get0(&object, nullptr, nullptr, algorithm);
  return OBJ_obj2nid(object);
}

}  // namespace certbridge::host::crypto::test
