#pragma once
// Helpers for the token integration tests: shell commands, OpenSSL keys and certificates made the way the
// RA's CA would make them, signatures, and pkcs11-tool's view of a key (an independent reading of the
// attributes the card library reports).

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace certbridge::card::testing {

using Bytes = std::vector<std::uint8_t>;

struct CommandResult {
  int status = -1;
  std::string output;  ///< stdout and stderr together.
};

/// Runs a shell command, capturing its output.
CommandResult runCommand(const std::string& command);
/// Single-quotes a path or value for the shell; throws on a quote (all ours are plain).
std::string shellQuote(const std::string& text);

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
using SoftwareKey = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

/// A new RSA 2048 key in memory (a CA's key, or a key that is not on the token).
SoftwareKey generateSoftwareKey();
/// The SubjectPublicKeyInfo DER of a key.
Bytes publicKeyOf(EVP_PKEY* key);

/// A test CA: its key and self-signed certificate.
struct TestCa {
  SoftwareKey key;
  Bytes certificate;
};
TestCa makeTestCa(const std::string& commonName = "CertBridge Test CA");

/// A certificate for subjectPublicKey (DER SubjectPublicKeyInfo), issued by ca, valid for a year.
Bytes issueCertificate(const TestCa& ca, const Bytes& subjectPublicKey, const std::string& commonName, long serial);
/// A self-signed certificate signed by key (which may be a token key from privateKey()).
Bytes selfSignedCertificate(EVP_PKEY* key, const std::string& commonName);
/// Whether certificate's signature verifies with issuerPublicKey.
bool certificateVerifies(const Bytes& certificate, const Bytes& issuerPublicKey);

/// SHA-256 RSA PKCS#1 v1.5 signature of data by key (a token key signs on the token).
Bytes sign(EVP_PKEY* key, const std::string& data);
/// Whether signature verifies over data with publicKey (DER SubjectPublicKeyInfo).
bool verify(const Bytes& publicKey, const std::string& data, const Bytes& signature);

/// One object as `pkcs11-tool --list-objects` prints it.
struct ListedObject {
  std::string kind;  ///< "Private Key Object; RSA", "Certificate Object; type = X.509 cert", ...
  std::string label;
  std::string id;                ///< Hex, lower case.
  std::set<std::string> usage;   ///< "sign", "decrypt", ...
  std::set<std::string> access;  ///< "sensitive", "always sensitive", "never extractable", "local", ...
};
/// The objects of the token in slotId, listed by pkcs11-tool after a user login. (By slot: pkcs11-tool's
/// --token-label also takes "CertBridge Card 2" for "CertBridge Card".)
std::vector<ListedObject> pkcs11ToolObjects(const std::string& module, unsigned long slotId, const std::string& pin);

/// Lower-case hex of bytes.
std::string hex(const Bytes& bytes);

}  // namespace certbridge::card::testing
