// The software-certificate commands of certbridge-host.exe under wine: keys in the user's CryptoAPI key
// containers, certificates in CurrentUser\MY, PKCS#12 through the platform. Every output is checked with
// OpenSSL as an RA would (openssl req -verify, openssl cms -verify), every change is looked at from a second
// host process, and what wine 8 refuses (PFXExportCertStoreEx is a stub) is asserted as the host's honest
// answer to it. Expected answers as the Linux suite's (tests/integration/host/software_store_test.cpp).

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ra_checks.hpp"
#include "test_ca.hpp"
#include "test_files.hpp"
#include "testbed.hpp"
#include "wine_host.hpp"

namespace certbridge::host::integration {
namespace {

const std::string kChineseName = "王小明";
// ASCII: wine 8's PFXImportCertStore (GnuTLS underneath) fails to decrypt a file whose password is not ASCII
// (measured with an OpenSSL-made file; Windows and the Linux suite take any Unicode password).
const std::string kFilePassword = "file-password-1";
const std::string kNewPassword = "new-password-2";

std::string sha1Thumbprint(const std::string& certificatePem) {
  std::string output;
  runCommand(
      "printf '%s' " + shellQuote(certificatePem) + " | openssl x509 -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :",
      output);
  return output.substr(0, output.find('\n'));
}

// NSS's CKA_ID of an RSA key, the keyId the protocol reports: SHA-1 of the modulus, hex.
std::string modulusSha1(EVP_PKEY* key) {
  BIGNUM* modulus = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &modulus) != 1) return "";
  std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(modulus)));
  BN_bn2bin(modulus, bytes.data());
  BN_free(modulus);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(bytes.data(), bytes.size(), digest);
  std::string hex;
  for (const unsigned char byte : digest) {
    static const char kDigits[] = "0123456789abcdef";
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

class WineSoftwareStore : public WineHost {
 protected:
  std::unique_ptr<HostProcess> startSoftwareHost() { return startHost(Card::NoPcscService); }

  struct Pkcs12 {
    std::string file;         ///< base64
    std::string certificate;  ///< PEM
  };

  // A key and a certificate the test CA issued for it, as a PKCS#12 file OpenSSL makes (with the CA
  // certificate), protected by kFilePassword.
  Pkcs12 opensslPkcs12(TestCa& ca, const std::string& commonName) {
    const auto key = scratch() / "p12-key.pem";
    const auto request = scratch() / "p12-request.pem";
    std::string output;
    EXPECT_EQ(runCommand("openssl req -new -newkey rsa:2048 -nodes -subj " + shellQuote("/CN=" + commonName) +
                             " -keyout " + shellQuote(key.string()) + " -out " + shellQuote(request.string()),
                         output),
              0)
        << output;
    const std::string certificatePem = ca.issue(readFile(request), 365);
    const auto certificate = writeFile(scratch() / "p12-certificate.pem", certificatePem);
    const auto caFile = scratch() / "p12-ca.pem";
    ca.writePem(caFile);
    const auto file = scratch() / "file.p12";
    EXPECT_EQ(runCommand("openssl pkcs12 -export -inkey " + shellQuote(key.string()) + " -in " +
                             shellQuote(certificate.string()) + " -certfile " + shellQuote(caFile.string()) +
                             " -passout " + shellQuote("pass:" + kFilePassword) + " -out " + shellQuote(file.string()),
                         output),
              0)
        << output;
    const std::string bytes = readFile(file);
    return {base64Encode(std::vector<std::uint8_t>(bytes.begin(), bytes.end())), certificatePem};
  }

  // signRenewal with the store's key of certificate id, verified by openssl cms -verify through caFile.
  void expectRenewalVerifies(HostProcess& host, const std::string& id, const std::filesystem::path& caFile) {
    const std::vector<std::uint8_t> data = {'r', 'e', 'n', 'e', 'w', 0, 1, 2, 0xff};
    const json renewal = ok(host, request("renew", "signRenewal",
                                          {{"store", "software"}, {"data", base64Encode(data)}, {"certificate", id}}));
    EXPECT_EQ(renewal["certificate"].value("id", ""), id) << renewal.dump(2);
    const auto signature = writeFile(scratch() / "renewal.p7s", base64Decode(renewal.value("signature", "")));
    std::string output;
    EXPECT_TRUE(opensslCmsVerify(signature, caFile, {}, output)) << output;
  }
};

TEST_F(WineSoftwareStore, KeysMadeInTheUsersStoreGiveRequestsAndCertificatesASecondProcessSignsWith) {
  TestCa ca("CertBridge Software Test CA");
  const auto caFile = scratch() / "software-ca.pem";
  ca.writePem(caFile);
  auto host = startSoftwareHost();

  // Apply: two keys made in the user's key containers, a request each, verified by OpenSSL.
  const Answer generated =
      call(*host, request("g", "generateSoftwareKey",
                          {{"subject", raSubject(kChineseName)},
                           {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}}})}}));
  ASSERT_TRUE(generated.ok()) << generated.message.dump(2);
  EXPECT_EQ(generated.progress.size(), 4U) << "generatingKey and creatingRequest per key";
  const json& requests = generated.result()["requests"];
  ASSERT_EQ(requests.size(), 2U);
  std::vector<std::string> issued;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::string pem = requests[i]["request"];
    const auto file = writeFile(scratch() / "software-request.pem", pem);
    std::string output;
    EXPECT_EQ(runCommand("openssl req -verify -noout -in " + shellQuote(file.string()), output), 0) << output;
    const RequestPtr csr = parseRequestPem(pem);
    int type = 0;
    EXPECT_EQ(nameEntry(X509_REQ_get_subject_name(csr.get()), "CN", &type), kChineseName);
    EXPECT_EQ(type, V_ASN1_UTF8STRING);
    const KeyPtr key(X509_REQ_get_pubkey(csr.get()));
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
    EXPECT_EQ(base64Encode(publicKeyDer(key.get())), requests[i]["publicKey"]);
    EXPECT_EQ(requests[i].value("keyId", ""), modulusSha1(key.get())) << "SHA-1 of the modulus, as on Linux";
    EXPECT_EQ(requestedKeyUsage(csr.get()),
              i == 0 ? (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION) : (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT));
    issued.push_back(ca.issue(pem, 365));
  }

  // Download: both certificates into CurrentUser\MY, linked to their keys; the CA certificate on request.
  const json installed = ok(*host, request("i", "installCertificates",
                                           {{"certificates", issued}, {"caCertificates", json::array({ca.pem()})}}));
  ASSERT_EQ(installed["certificates"].size(), 2U) << installed.dump(2);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 2; ++i) {
    const json& certificate = installed["certificates"][i];
    EXPECT_TRUE(certificate.value("installed", false)) << certificate.dump(2);
    EXPECT_TRUE(certificate.value("hasKey", false)) << certificate.dump(2);
    EXPECT_EQ(certificate.value("store", ""), "software");
    EXPECT_EQ(certificate.value("keyId", ""), requests[i].value("keyId", "-")) << "SHA-1 of the modulus, as on Linux";
    EXPECT_EQ(certificate.value("label", ""), kChineseName);
    ids.push_back(certificate.value("id", ""));
  }
  ASSERT_EQ(installed["caCertificates"].size(), 1U);
  EXPECT_TRUE(installed["caCertificates"][0].value("installed", false));
  EXPECT_FALSE(installed["caCertificates"][0].value("hasKey", true));

  // A certificate whose key the store does not hold: refused, and nothing of the request stored.
  const std::string stranger = ca.issueForNewKey("Nobody", 30);
  const Answer mismatch = call(*host, request("m", "installCertificates", {{"certificates", json::array({stranger})}}));
  EXPECT_EQ(mismatch.code(), "CERTIFICATE_KEY_MISMATCH") << mismatch.message.dump(2);
  host.reset();

  // What the next process reads: the registry on disk holds both certificates ...
  const std::string registry = userRegistry();
  for (const auto& certificate : issued) {
    EXPECT_NE(registry.find("SystemCertificates\\\\MY\\\\Certificates\\\\" + sha1Thumbprint(certificate)),
              std::string::npos)
        << "CurrentUser\\MY does not hold the installed certificate";
  }
  EXPECT_EQ(registry.find(sha1Thumbprint(stranger)), std::string::npos) << "the refused certificate was stored";

  // ... and a second host finds them with their keys, and renews with the signing key.
  auto next = startSoftwareHost();
  const json again = ok(*next, request("i2", "installCertificates", {{"certificates", issued}}));
  for (const auto& certificate : again["certificates"]) {
    EXPECT_FALSE(certificate.value("installed", true)) << certificate.dump(2);
    EXPECT_TRUE(certificate.value("hasKey", false)) << certificate.dump(2);
  }
  expectRenewalVerifies(*next, ids[0], caFile);

  // Export: wine's PFXExportCertStoreEx is a stub that fails; the host says exactly that, and makes no file.
  const Answer exported = call(
      *next, request("e", "exportPkcs12", {{"certificates", json::array({ids[0]})}, {"newPassword", kNewPassword}}));
  EXPECT_EQ(exported.code(), "OS_STORE_NOT_SUPPORTED") << exported.message.dump(2);
  EXPECT_EQ(exported.error().value("reason", ""), "platformRefusedPkcs12Export") << exported.message.dump(2);
  next.reset();
  EXPECT_EQ(hostLog().find(kNewPassword), std::string::npos) << "the log holds a password";
}

TEST_F(WineSoftwareStore, Pkcs12FileMadeByOpenSslIsImportedAndItsKeySignsInTheNextProcess) {
  TestCa ca("CertBridge Import Test CA");
  const auto caFile = scratch() / "import-ca.pem";
  ca.writePem(caFile);
  const Pkcs12 pkcs12 = opensslPkcs12(ca, "Imported Person");
  const std::string& file = pkcs12.file;
  auto host = startSoftwareHost();

  // Not PKCS#12, and a wrong password: the documented errors, and nothing stored.
  const Answer garbage = call(*host, request("x", "importPkcs12", {{"file", "AAECAwQFBgcICQ=="}, {"password", "x"}}));
  EXPECT_EQ(garbage.code(), "PKCS12_FILE_INVALID") << garbage.message.dump(2);
  const Answer wrong = call(*host, request("w", "importPkcs12", {{"file", file}, {"password", "wrong-password"}}));
  EXPECT_EQ(wrong.code(), "PKCS12_PASSWORD_INCORRECT") << wrong.message.dump(2);
  const Answer wrongChange =
      call(*host, request("wc", "changePkcs12Password",
                          {{"file", file}, {"password", "wrong-password"}, {"newPassword", kNewPassword}}));
  EXPECT_EQ(wrongChange.code(), "PKCS12_PASSWORD_INCORRECT") << wrongChange.message.dump(2);

  // Reading the file (the refused change above included) left no key behind, though wine keeps one.
  const Answer noKey =
      call(*host, request("k", "installCertificates", {{"certificates", json::array({pkcs12.certificate})}}));
  EXPECT_EQ(noKey.code(), "CERTIFICATE_KEY_MISMATCH") << noKey.message.dump(2);

  // The right password: key and certificate, linked. Wine 8's PFXImportCertStore hands over only the key's
  // certificate, so the file's CA certificate asked for is not there to import (Windows returns it).
  const json imported =
      ok(*host,
         request("i", "importPkcs12", {{"file", file}, {"password", kFilePassword}, {"includeCaCertificates", true}}));
  EXPECT_TRUE(imported.value("keyImported", false)) << imported.dump(2);
  EXPECT_TRUE(imported["certificate"].value("installed", false));
  EXPECT_TRUE(imported["certificate"].value("hasKey", false));
  EXPECT_EQ(imported["certificate"].value("subject", ""), "CN=Imported Person");
  EXPECT_EQ(imported["caCertificates"], json::array()) << "wine returned the CA certificate now: " << imported.dump(2);
  const std::string id = imported["certificate"].value("id", "");

  // Importing it again changes nothing.
  const json again = ok(*host, request("i2", "importPkcs12", {{"file", file}, {"password", kFilePassword}}));
  EXPECT_FALSE(again.value("keyImported", true)) << again.dump(2);
  EXPECT_FALSE(again["certificate"].value("installed", true));
  host.reset();

  // The next process signs a renewal with the imported key; the RA verifies it.
  auto next = startSoftwareHost();
  expectRenewalVerifies(*next, id, caFile);

  // Writing a PKCS#12 file needs PFXExportCertStoreEx, a stub under wine: both commands say so, honestly.
  const Answer changed =
      call(*next, request("c", "changePkcs12Password",
                          {{"file", file}, {"password", kFilePassword}, {"newPassword", kNewPassword}}));
  EXPECT_EQ(changed.code(), "OS_STORE_NOT_SUPPORTED") << changed.message.dump(2);
  EXPECT_EQ(changed.error().value("reason", ""), "platformRefusedPkcs12Export");
  const Answer exported =
      call(*next, request("e", "exportPkcs12", {{"certificates", json::array({id})}, {"newPassword", kNewPassword}}));
  EXPECT_EQ(exported.code(), "OS_STORE_NOT_SUPPORTED") << exported.message.dump(2);
  next.reset();

  const std::string log = hostLog();
  // Wine kept the key of a file the host only read (PKCS12_NO_PERSIST_KEY): the host noticed and removed it.
  EXPECT_NE(log.find("the platform kept a key of a file it was only to read"), std::string::npos) << log;
  for (const std::string& secret : {kFilePassword, kNewPassword, std::string("wrong-password")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds a password";
  }
}

}  // namespace
}  // namespace certbridge::host::integration
