#pragma once
// Software keys and certificates made in the tests, standing in for the card's keys and the RA's CA.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

// The host's crypto headers live beside its sources (host/src), which the test target does not put on the
// include path; reach them relative to this directory.
#include "crypto/openssl_types.hpp"
#include "test_bytes.hpp"

namespace certbridge::host::crypto::test {

/// RSA-2048 keys, made once per test run (key generation is the slow part of these tests). index picks one
/// of a few distinct keys.
EVP_PKEY* sharedRsaKey(int index);

/// A fresh key: RSA of the given size, or an EC key on the named curve ("P-256", "P-384").
EvpPkeyPtr makeRsaKey(unsigned int bits);
EvpPkeyPtr makeEcKey(const char* curve);

struct CertificateSpec {
  std::string commonName{};    ///< UTF-8.
  std::string organization{};  ///< Optional, UTF-8.
  std::string keyUsage{};      ///< OpenSSL config syntax ("critical,digitalSignature"); empty: none.
  bool isCa = false;           ///< Adds basicConstraints CA:TRUE.
  long serialNumber = 1;
  std::time_t notBefore = 0;  ///< 0: now - 1 day.
  std::time_t notAfter = 0;   ///< 0: now + 365 days.
};

/// A certificate for subjectKey's public key, signed by issuerKey in the name of issuer; self-signed when
/// issuer is null (issuerKey must then be subjectKey).
X509Ptr makeCertificate(const CertificateSpec& spec, EVP_PKEY* subjectKey, X509* issuer, EVP_PKEY* issuerKey);

std::string toPem(X509* certificate);

/// The SubjectPublicKeyInfo DER of key.
std::vector<std::uint8_t> publicKeyInfoOf(EVP_PKEY* key);
std::vector<std::uint8_t> toDer(X509* certificate);

/// The NID of an algorithm identifier's OID.
int algorithmNid(const X509_ALGOR* algorithm);

}  // namespace certbridge::host::crypto::test
