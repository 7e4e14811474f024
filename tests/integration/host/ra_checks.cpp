#include "ra_checks.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <array>

#include "test_ca.hpp"
#include "test_files.hpp"
#include "testbed.hpp"

namespace certbridge::host::integration {

using nlohmann::json;

std::string certificateId(const std::string& pem) {
  CertPtr certificate = parseCertificatePem(pem);
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate.get(), &der);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(der, static_cast<std::size_t>(length), digest.data());
  OPENSSL_free(der);
  std::string hex;
  for (unsigned char byte : digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

bool opensslCmsVerify(const std::filesystem::path& signature, const std::filesystem::path& caFile,
                      const std::filesystem::path& content, std::string& output) {
  std::string command = "openssl cms -verify -binary -inform DER -in " + shellQuote(signature.string()) + " -CAfile " +
                        shellQuote(caFile.string()) + " -out /dev/null";
  if (!content.empty()) command += " -content " + shellQuote(content.string());
  return runCommand(command, output) == 0;
}

bool raVerifies(const json& result, const std::string& origin, const std::vector<std::uint8_t>& challenge) {
  CertPtr certificate = parseCertificatePem(result["certificate"]["certificate"]);
  std::vector<std::uint8_t> message(64);
  SHA256(reinterpret_cast<const unsigned char*>(origin.data()), origin.size(), message.data());
  SHA256(challenge.data(), challenge.size(), message.data() + 32);
  const auto signature = base64Decode(result["signature"]);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool verified =
      EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(certificate.get())) == 1 &&
      EVP_DigestVerify(context, signature.data(), signature.size(), message.data(), message.size()) == 1;
  EVP_MD_CTX_free(context);
  return verified;
}

}  // namespace certbridge::host::integration
