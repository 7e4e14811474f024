#pragma once
// A certificate authority for the tests, made with OpenSSL: it checks each PKCS#10 request the host made and
// issues certificates from it, as the RA's CA would. Independent of the host's code.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace certbridge::host::integration {

struct OpenSslFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(X509_REQ* p) const noexcept { X509_REQ_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using CertPtr = std::unique_ptr<X509, OpenSslFree>;
using RequestPtr = std::unique_ptr<X509_REQ, OpenSslFree>;

/// Parses one PEM certificate / request; throws std::runtime_error if it is not one.
CertPtr parseCertificatePem(const std::string& pem);
RequestPtr parseRequestPem(const std::string& pem);
std::string toPem(X509* certificate);
/// A name entry's value bytes (UTF-8 as stored) and ASN.1 string type, by short name ("CN").
std::string nameEntry(X509_NAME* name, const char* shortName, int* asn1Type = nullptr);
/// SubjectPublicKeyInfo DER of a request's / certificate's key.
std::vector<std::uint8_t> publicKeyDer(EVP_PKEY* key);
/// The key usage bits a request asks for (X509v3 KU_* flags), 0 when it asks none.
std::uint32_t requestedKeyUsage(X509_REQ* request);

class TestCa {
 public:
  explicit TestCa(const std::string& commonName);

  X509* certificate() const { return certificate_.get(); }
  std::string pem() const { return toPem(certificate_.get()); }
  /// Writes the CA certificate to a PEM file (for `openssl ... -CAfile`).
  void writePem(const std::filesystem::path& file) const;

  /// Issues a certificate for the request (whose signature must verify, else std::runtime_error) with the
  /// request's subject and key, valid from now-1h for validDays days, the key usage the request asks for, and
  /// a fresh serial. A negative validDays gives an already expired certificate.
  std::string issue(const std::string& requestPem, int validDays);
  /// Issues a certificate for a key that is not on any card (for CERTIFICATE_KEY_MISMATCH).
  std::string issueForNewKey(const std::string& commonName, int validDays);

 private:
  std::string sign(X509_NAME* subject, EVP_PKEY* publicKey, std::uint32_t keyUsage, int validDays);

  KeyPtr key_;
  CertPtr certificate_;
  long nextSerial_ = 1000;
};

}  // namespace certbridge::host::integration
