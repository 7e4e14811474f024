#include "test_ca.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <stdexcept>

namespace certbridge::host::integration {
namespace {

struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr long kSecondsPerDay = 24 * 60 * 60;

KeyPtr newRsaKey() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  if (!key) throw std::runtime_error("RSA key generation failed");
  return key;
}

void addExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) throw std::runtime_error(std::string("extension failed: ") + value);
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

std::string keyUsageText(std::uint32_t bits) {
  std::string text = "critical";
  if (bits & KU_DIGITAL_SIGNATURE) text += ",digitalSignature";
  if (bits & KU_NON_REPUDIATION) text += ",nonRepudiation";
  if (bits & KU_KEY_ENCIPHERMENT) text += ",keyEncipherment";
  if (bits & KU_DATA_ENCIPHERMENT) text += ",dataEncipherment";
  if (bits & KU_KEY_CERT_SIGN) text += ",keyCertSign";
  if (bits & KU_CRL_SIGN) text += ",cRLSign";
  return text;
}

}  // namespace

CertPtr parseCertificatePem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) throw std::runtime_error("not a PEM certificate");
  return certificate;
}

RequestPtr parseRequestPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  RequestPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) throw std::runtime_error("not a PEM certificate request");
  return request;
}

std::string toPem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string nameEntry(X509_NAME* name, const char* shortName, int* asn1Type) {
  const int index = X509_NAME_get_index_by_NID(name, OBJ_sn2nid(shortName), -1);
  if (index < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  if (asn1Type != nullptr) *asn1Type = ASN1_STRING_type(value);
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

std::vector<std::uint8_t> publicKeyDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw std::runtime_error("i2d_PUBKEY failed");
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

std::uint32_t requestedKeyUsage(X509_REQ* request) {
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request);
  if (extensions == nullptr) return 0;
  std::uint32_t bits = 0;
  auto* usage = static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(extensions, NID_key_usage, nullptr, nullptr));
  if (usage != nullptr) {
    for (int bit = 0; bit < 9; ++bit) {
      if (ASN1_BIT_STRING_get_bit(usage, bit)) bits |= (bit < 8 ? (0x80u >> bit) : 0x8000u);
    }
    ASN1_BIT_STRING_free(usage);
  }
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  return bits;
}

TestCa::TestCa(const std::string& commonName) : key_(newRsaKey()) {
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("TW"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("CertBridge Test"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                             -1, 0);
  certificate_.reset(X509_new());
  X509* cert = certificate_.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_set_subject_name(cert, name);
  X509_set_issuer_name(cert, name);
  X509_NAME_free(name);
  X509_gmtime_adj(X509_getm_notBefore(cert), -kSecondsPerDay);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3650 * kSecondsPerDay);
  X509_set_pubkey(cert, key_.get());
  addExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  addExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(cert, cert, NID_subject_key_identifier, "hash");
  if (X509_sign(cert, key_.get(), EVP_sha256()) <= 0) throw std::runtime_error("CA self-signature failed");
}

void TestCa::writePem(const std::filesystem::path& file) const {
  std::ofstream(file) << pem();
}

std::string TestCa::sign(X509_NAME* subject, EVP_PKEY* publicKey, std::uint32_t keyUsage, int validDays) {
  CertPtr certificate(X509_new());
  X509* cert = certificate.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), nextSerial_++);
  X509_set_subject_name(cert, subject);
  X509_set_issuer_name(cert, X509_get_subject_name(certificate_.get()));
  if (validDays >= 0) {
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), validDays * kSecondsPerDay);
  } else {
    X509_gmtime_adj(X509_getm_notBefore(cert), (validDays - 30) * kSecondsPerDay);
    X509_gmtime_adj(X509_getm_notAfter(cert), validDays * kSecondsPerDay);
  }
  X509_set_pubkey(cert, publicKey);
  addExtension(cert, certificate_.get(), NID_basic_constraints, "critical,CA:FALSE");
  if (keyUsage != 0) addExtension(cert, certificate_.get(), NID_key_usage, keyUsageText(keyUsage).c_str());
  addExtension(cert, certificate_.get(), NID_authority_key_identifier, "keyid");
  if (X509_sign(cert, key_.get(), EVP_sha256()) <= 0) throw std::runtime_error("issuing failed");
  return toPem(cert);
}

std::string TestCa::issue(const std::string& requestPem, int validDays) {
  RequestPtr request = parseRequestPem(requestPem);
  KeyPtr publicKey(X509_REQ_get_pubkey(request.get()));
  if (!publicKey || X509_REQ_verify(request.get(), publicKey.get()) != 1) {
    throw std::runtime_error("the request's signature does not verify");
  }
  return sign(X509_REQ_get_subject_name(request.get()), publicKey.get(), requestedKeyUsage(request.get()), validDays);
}

std::string TestCa::issueForNewKey(const std::string& commonName, int validDays) {
  KeyPtr key = newRsaKey();
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                             -1, 0);
  std::string pem = sign(name, key.get(), KU_DIGITAL_SIGNATURE, validDays);
  X509_NAME_free(name);
  return pem;
}

}  // namespace certbridge::host::integration
