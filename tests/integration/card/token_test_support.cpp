// OpenSSL and pkcs11-tool helpers for the token integration tests.

#include "token_test_support.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace certbridge::card::testing {

namespace {

struct X509Free {
  void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
struct MdContextFree {
  void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextFree>;

[[noreturn]] void fail(const std::string& what) {
  std::string reasons;
  while (const unsigned long error = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(error, text.data(), text.size());
    reasons += std::string("; ") + text.data();
  }
  throw std::runtime_error("OpenSSL: " + what + reasons);
}

X509Ptr parse(const Bytes& der) {
  const unsigned char* in = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  if (!certificate) fail("not a certificate");
  return certificate;
}

SoftwareKey parsePublicKey(const Bytes& der) {
  const unsigned char* in = der.data();
  SoftwareKey key(d2i_PUBKEY(nullptr, &in, static_cast<long>(der.size())));
  if (!key) fail("not a public key");
  return key;
}

Bytes encode(X509* certificate) {
  const int size = i2d_X509(certificate, nullptr);
  if (size <= 0) fail("i2d_X509");
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  i2d_X509(certificate, &out);
  return der;
}

void addExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension || !X509_add_ext(certificate, extension, -1)) fail("extension");
  X509_EXTENSION_free(extension);
}

// A certificate skeleton: serial, one year of validity, subject CN and O, the subject's public key.
X509Ptr newCertificate(EVP_PKEY* subjectKey, const std::string& commonName, long serial) {
  X509Ptr certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 365L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("TW"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("CertBridge Test"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                             -1, 0);
  if (!X509_set_pubkey(certificate.get(), subjectKey)) fail("X509_set_pubkey");
  return certificate;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  const auto end = text.find_last_not_of(" \t\r");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

std::set<std::string> commaList(const std::string& text) {
  std::set<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!trim(item).empty()) items.insert(trim(item));
  }
  return items;
}

}  // namespace

CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 512> chunk{};
  while (const auto read = std::fread(chunk.data(), 1, chunk.size(), pipe)) result.output.append(chunk.data(), read);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string shellQuote(const std::string& text) {
  if (text.find('\'') != std::string::npos) throw std::runtime_error("unexpected quote in " + text);
  return "'" + text + "'";
}

SoftwareKey generateSoftwareKey() {
  SoftwareKey key(EVP_RSA_gen(2048));
  if (!key) fail("EVP_RSA_gen");
  return key;
}

Bytes publicKeyOf(EVP_PKEY* key) {
  const int size = i2d_PUBKEY(key, nullptr);
  if (size <= 0) fail("i2d_PUBKEY");
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  i2d_PUBKEY(key, &out);
  return der;
}

TestCa makeTestCa(const std::string& commonName) {
  TestCa ca;
  ca.key = generateSoftwareKey();
  auto certificate = newCertificate(ca.key.get(), commonName, 1);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate.get()));
  addExtension(certificate.get(), certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(certificate.get(), certificate.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(certificate.get(), certificate.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(certificate.get(), ca.key.get(), EVP_sha256()) <= 0) fail("X509_sign (CA)");
  ca.certificate = encode(certificate.get());
  return ca;
}

Bytes issueCertificate(const TestCa& ca, const Bytes& subjectPublicKey, const std::string& commonName, long serial) {
  const auto caCertificate = parse(ca.certificate);
  const auto subjectKey = parsePublicKey(subjectPublicKey);
  auto certificate = newCertificate(subjectKey.get(), commonName, serial);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(caCertificate.get()));
  addExtension(certificate.get(), caCertificate.get(), NID_basic_constraints, "critical,CA:FALSE");
  addExtension(certificate.get(), caCertificate.get(), NID_key_usage, "critical,digitalSignature,nonRepudiation");
  if (X509_sign(certificate.get(), ca.key.get(), EVP_sha256()) <= 0) fail("X509_sign");
  return encode(certificate.get());
}

Bytes selfSignedCertificate(EVP_PKEY* key, const std::string& commonName) {
  auto certificate = newCertificate(key, commonName, 7);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate.get()));
  if (X509_sign(certificate.get(), key, EVP_sha256()) <= 0) fail("X509_sign with the key");
  return encode(certificate.get());
}

bool certificateVerifies(const Bytes& certificate, const Bytes& issuerPublicKey) {
  const auto parsed = parse(certificate);
  const auto key = parsePublicKey(issuerPublicKey);
  const bool ok = X509_verify(parsed.get(), key.get()) == 1;
  ERR_clear_error();
  return ok;
}

Bytes sign(EVP_PKEY* key, const std::string& data) {
  MdContext context(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1)
    fail("EVP_DigestSign (size)");
  Bytes signature(size);
  if (EVP_DigestSign(context.get(), signature.data(), &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    fail("EVP_DigestSign");
  signature.resize(size);
  return signature;
}

bool verify(const Bytes& publicKey, const std::string& data, const Bytes& signature) {
  const auto key = parsePublicKey(publicKey);
  MdContext context(EVP_MD_CTX_new());
  const bool ok = context && EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                  EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                                   reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::vector<ListedObject> pkcs11ToolObjects(const std::string& module, unsigned long slotId, const std::string& pin) {
  const auto result = runCommand("pkcs11-tool --module " + shellQuote(module) + " --slot " + std::to_string(slotId) +
                                 " --list-objects --login --pin " + shellQuote(pin));
  if (result.status != 0) throw std::runtime_error("pkcs11-tool failed:\n" + result.output);
  std::vector<ListedObject> objects;
  std::istringstream in(result.output);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" Object;") != std::string::npos && line.front() != ' ') {
      objects.push_back({trim(line), {}, {}, {}, {}});
      continue;
    }
    if (objects.empty()) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto key = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (key == "label") objects.back().label = value;
    if (key == "ID") objects.back().id = value;
    if (key == "Usage") objects.back().usage = commaList(value);
    if (key == "Access") objects.back().access = commaList(value);
  }
  return objects;
}

std::string hex(const Bytes& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const auto byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0x0F];
  }
  return text;
}

}  // namespace certbridge::card::testing
