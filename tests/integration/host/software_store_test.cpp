// Software certificates through the real host against real NSS databases: a key made in the store gives a
// request OpenSSL verifies; the CA's certificate is installed next to it; the PKCS#12 export is checked
// with `openssl pkcs12 -info`; the file is imported on another "computer" (another HOME), whose imported
// key signs a renewal `openssl cms -verify` accepts; a password change, wrong passwords and a database
// with a password. The databases are inspected with certutil, never through the host.

#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>

#include "memory_scan.hpp"
#include "software_store_fixture.hpp"
#include "test_ca.hpp"
#include "testbed.hpp"

namespace certbridge::host::integration {
namespace {

const std::string kChineseName = "王小明";
const std::string kExportPassword = "匯出密碼-export-1";
const std::string kNewPassword = "new-password-2";

json subject(const std::string& commonName) {
  return json::array({{{"type", "C"}, {"value", "TW"}},
                      {{"type", "O"}, {"value", "Finance"}},
                      {{"type", "OU"}, {"value", "70759028-RA-ForTest"}},
                      {{"type", "CN"}, {"value", commonName}}});
}

std::vector<std::uint8_t> randomData(std::size_t size) {
  std::vector<std::uint8_t> data(size);
  if (RAND_bytes(data.data(), static_cast<int>(data.size())) != 1) throw std::runtime_error("RAND_bytes");
  return data;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t found = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++found;
  return found;
}

class SoftwareCertificates : public SoftwareStoreTest {
 protected:
  // Two keys made in home "a", their requests checked, certificates issued by ca and installed.
  std::vector<std::string> applyAndInstall(HostProcess& host, TestCa& ca) {
    const Answer answer =
        call(host, softwareRequest("gen", "generateSoftwareKey",
                                   {{"subject", subject(kChineseName)},
                                    {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}}})}}));
    EXPECT_TRUE(answer.ok()) << answer.message.dump(2);
    if (!answer.ok()) return {};
    const json& requests = answer.result()["requests"];
    EXPECT_EQ(requests.size(), 2U);
    EXPECT_EQ(answer.progress.size(), 4U) << "generatingKey and creatingRequest per key";
    std::vector<std::string> issued;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const std::string pem = requests[i]["request"];
      const auto requestFile = writeFile(file("request-" + std::to_string(i) + ".pem"), pem);
      std::string output;
      EXPECT_EQ(runCommand("openssl req -verify -noout -in " + shellQuote(requestFile.string()), output), 0) << output;
      const RequestPtr request = parseRequestPem(pem);
      int type = 0;
      EXPECT_EQ(nameEntry(X509_REQ_get_subject_name(request.get()), "CN", &type), kChineseName) << "UTF-8 round trip";
      EXPECT_EQ(type, V_ASN1_UTF8STRING);
      const KeyPtr key(X509_REQ_get_pubkey(request.get()));
      EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
      EXPECT_EQ(base64Encode(publicKeyDer(key.get())), requests[i]["publicKey"]);
      EXPECT_EQ(requestedKeyUsage(request.get()),
                i == 0 ? (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION) : (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT));
      issued.push_back(ca.issue(pem, 365));
    }
    std::string keys;
    EXPECT_EQ(certutil("a", "-K", keys), 0) << keys;
    EXPECT_EQ(count(keys, "rsa"), 2U) << "two keys in the user's NSS database:\n" << keys;

    const json installed = ok(host, softwareRequest("install", "installCertificates", {{"certificates", issued}}));
    EXPECT_EQ(installed["certificates"].size(), 2U);
    for (const auto& certificate : installed["certificates"]) {
      EXPECT_TRUE(certificate["installed"]);
      EXPECT_TRUE(certificate["hasKey"]);
      EXPECT_EQ(certificate["store"], "software");
    }
    return issued;
  }
};

TEST_F(SoftwareCertificates, KeyRequestInstallExportImportRenewAndChangePassword) {
  TestCa ca("CertBridge Software Test CA");
  const auto caFile = file("ca.pem");
  ca.writePem(caFile);
  auto hostA = startHost("a");
  const auto issued = applyAndInstall(*hostA, ca);
  ASSERT_EQ(issued.size(), 2U);

  // The certificates sit next to their keys: certutil shows user trust flags (u) for each.
  std::string listing;
  ASSERT_EQ(certutil("a", "-L", listing), 0) << listing;
  EXPECT_EQ(count(listing, "u,u,u"), 2U) << listing;
  EXPECT_EQ(listing.find("CertBridge Software Test CA"), std::string::npos) << "no CA certificate unless asked";

  // Idempotent: installing again changes nothing and says so.
  const json again = ok(*hostA, softwareRequest("install-2", "installCertificates", {{"certificates", issued}}));
  for (const auto& certificate : again["certificates"]) EXPECT_FALSE(certificate["installed"]);
  std::string listingAgain;
  certutil("a", "-L", listingAgain);
  EXPECT_EQ(listingAgain, listing);

  // The CA certificate, on request.
  const json withCa =
      ok(*hostA,
         softwareRequest("install-ca", "installCertificates",
                         {{"certificates", json::array({issued[0]})}, {"caCertificates", json::array({ca.pem()})}}));
  ASSERT_EQ(withCa["caCertificates"].size(), 1U);
  EXPECT_TRUE(withCa["caCertificates"][0]["installed"]);
  certutil("a", "-L", listing);
  EXPECT_NE(listing.find("CertBridge Software Test CA"), std::string::npos) << listing;

  // Export: one file per certificate, modern algorithms, the new password opens it.
  const json exported = ok(*hostA, softwareRequest("export", "exportPkcs12", {{"newPassword", kExportPassword}}));
  ASSERT_EQ(exported["files"].size(), 2U);
  std::string signingFileBase64;
  std::string encryptionFileBase64;
  for (std::size_t i = 0; i < 2; ++i) {
    const json& entry = exported["files"][i];
    const std::string name = entry["fileName"];
    EXPECT_EQ(name.substr(name.size() - 4), ".p12");
    EXPECT_EQ(name.rfind(kChineseName, 0), 0U) << name;
    const auto p12 = writeFile(file("export-" + std::to_string(i) + ".p12"), base64Decode(entry["pkcs12"]));
    std::string info;
    ASSERT_EQ(runCommand("openssl pkcs12 -info -noout -in " + shellQuote(p12.string()) + " -passin " +
                             shellQuote("pass:" + kExportPassword),
                         info),
              0)
        << info;
    EXPECT_NE(info.find("MAC: sha256"), std::string::npos) << info;
    EXPECT_EQ(count(info, "PBES2, PBKDF2, AES-256-CBC"), 2U) << "key bag and certificate bag:\n" << info;
    EXPECT_EQ(count(info, "PRF hmacWithSHA256"), 2U) << info;
    std::string wrong;
    EXPECT_NE(runCommand("openssl pkcs12 -info -noout -in " + shellQuote(p12.string()) + " -passin pass:wrong", wrong),
              0);
    if (entry["certificate"]["usage"] == json::array({"signing"})) signingFileBase64 = entry["pkcs12"];
    if (entry["certificate"]["usage"] == json::array({"encryption"})) encryptionFileBase64 = entry["pkcs12"];
  }
  ASSERT_FALSE(signingFileBase64.empty());

  // Another computer: a wrong password changes nothing (not even a database appears) ...
  auto hostB = startHost("b");
  const Answer refused = call(*hostB, softwareRequest("import-wrong", "importPkcs12",
                                                      {{"file", signingFileBase64}, {"password", "wrong-password"}}));
  EXPECT_EQ(refused.code(), "PKCS12_PASSWORD_INCORRECT") << refused.message.dump(2);
  EXPECT_FALSE(std::filesystem::exists(database("b") / "key4.db"));
  // ... the right one brings key and certificate, linked.
  const json imported = ok(
      *hostB, softwareRequest("import", "importPkcs12", {{"file", signingFileBase64}, {"password", kExportPassword}}));
  EXPECT_TRUE(imported["keyImported"]);
  EXPECT_TRUE(imported["certificate"]["hasKey"]);
  EXPECT_TRUE(imported["certificate"]["installed"]);
  const std::string before = storeListing("b");
  EXPECT_EQ(count(before, "u,u,u"), 1U) << before;
  // A wrong password against a database that has content: still nothing changes.
  EXPECT_EQ(call(*hostB, softwareRequest("import-wrong-2", "importPkcs12",
                                         {{"file", signingFileBase64}, {"password", "wrong-password"}}))
                .code(),
            "PKCS12_PASSWORD_INCORRECT");
  EXPECT_EQ(storeListing("b"), before);
  // Importing the same file again is harmless.
  const json reimported = ok(*hostB, softwareRequest("import-again", "importPkcs12",
                                                     {{"file", signingFileBase64}, {"password", kExportPassword}}));
  EXPECT_FALSE(reimported["keyImported"]);
  EXPECT_FALSE(reimported["certificate"]["installed"]);
  EXPECT_EQ(storeListing("b"), before);

  // The imported key signs the renewal; an RA verifies it with openssl.
  const auto data = randomData(300);
  const json renewal =
      ok(*hostB, softwareRequest("renew", "signRenewal", {{"store", "software"}, {"data", base64Encode(data)}}));
  EXPECT_EQ(renewal["certificate"]["id"], imported["certificate"]["id"]);
  const auto signature = writeFile(file("renewal.der"), base64Decode(renewal["signature"]));
  std::string output;
  ASSERT_EQ(runCommand("openssl cms -verify -binary -inform DER -in " + shellQuote(signature.string()) + " -CAfile " +
                           shellQuote(caFile.string()) + " -out " + shellQuote(file("renewal.out").string()),
                       output),
            0)
      << output;
  const std::string content = readFile(file("renewal.out"));
  EXPECT_EQ(std::vector<std::uint8_t>(content.begin(), content.end()), data);

  // The encryption file too (same subject: NSS wants one nickname for both); with the CA certificate.
  ASSERT_FALSE(encryptionFileBase64.empty());
  const json second =
      ok(*hostB, softwareRequest(
                     "import-encryption", "importPkcs12",
                     {{"file", encryptionFileBase64}, {"password", kExportPassword}, {"includeCaCertificates", true}}));
  EXPECT_TRUE(second["keyImported"]);
  EXPECT_EQ(second["certificate"]["label"], imported["certificate"]["label"]);
  ASSERT_EQ(second["caCertificates"].size(), 1U) << "the exported file carries the CA certificate of the store";
  EXPECT_TRUE(second["caCertificates"][0]["isCa"]);
  const std::string both = storeListing("b");
  EXPECT_EQ(count(both, "u,u,u"), 2U) << both;
  EXPECT_EQ(count(both, "rsa"), 2U) << both;

  // Change the file's password: a new file, the old password no longer opens it, the new one does.
  const json changed =
      ok(*hostB,
         softwareRequest("change", "changePkcs12Password",
                         {{"file", signingFileBase64}, {"password", kExportPassword}, {"newPassword", kNewPassword}}));
  const std::string newFile = changed["pkcs12"];
  EXPECT_NE(newFile, signingFileBase64);
  EXPECT_EQ(changed["certificate"]["id"], imported["certificate"]["id"]);
  auto hostC = startHost("c");
  EXPECT_EQ(
      call(*hostC, softwareRequest("old-password", "importPkcs12", {{"file", newFile}, {"password", kExportPassword}}))
          .code(),
      "PKCS12_PASSWORD_INCORRECT");
  const json withNew =
      ok(*hostC, softwareRequest("new-password", "importPkcs12", {{"file", newFile}, {"password", kNewPassword}}));
  EXPECT_TRUE(withNew["keyImported"]);
  const auto changedFile = writeFile(file("changed.p12"), base64Decode(newFile));
  EXPECT_EQ(runCommand("openssl pkcs12 -info -noout -in " + shellQuote(changedFile.string()) + " -passin " +
                           shellQuote("pass:" + kNewPassword),
                       output),
            0)
      << output;

  // No password ever reaches the log.
  const std::string log = hostLog();
  for (const std::string& secret : {kExportPassword, kNewPassword, std::string("wrong-password")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds a password";
  }
  // Every command closed the database cleanly (NSS refuses while an object of it is still referenced).
  EXPECT_EQ(log.find("closing the key database"), std::string::npos) << log;
}

TEST_F(SoftwareCertificates, CertificateWithoutItsKeyIsRefusedAndNothingChanges) {
  TestCa ca("CertBridge Software Test CA");
  auto host = startHost("a");
  const auto issued = applyAndInstall(*host, ca);
  ASSERT_EQ(issued.size(), 2U);
  const std::string before = storeListing("a");
  const std::string stranger = ca.issueForNewKey("Nobody", 30);
  // The good certificate first: all or nothing, it must not be stored either.
  const Answer answer = call(*host, softwareRequest("mismatch", "installCertificates",
                                                    {{"certificates", json::array({issued[0], stranger})}}));
  EXPECT_EQ(answer.code(), "CERTIFICATE_KEY_MISMATCH") << answer.message.dump(2);
  EXPECT_EQ(answer.error().value("field", ""), "params.certificates[1]");
  EXPECT_EQ(storeListing("a"), before);
  // A certificate renewal needs a key: none in a fresh store.
  auto fresh = startHost("empty");
  EXPECT_EQ(call(*fresh, softwareRequest("renew", "signRenewal", {{"store", "software"}, {"data", "AAAA"}})).code(),
            "KEY_NOT_FOUND");
  EXPECT_EQ(call(*fresh, softwareRequest("export", "exportPkcs12", {{"newPassword", kNewPassword}})).code(),
            "KEY_NOT_FOUND");
}

TEST_F(SoftwareCertificates, DatabaseWithAPasswordNeedsIt) {
  // A database the user protected with a primary password (certutil -N with a password file).
  std::filesystem::create_directories(database("locked"));
  const auto passwordFile = writeFile(file("store-password.txt"), "store-secret-9\n");
  std::string output;
  ASSERT_EQ(certutil("locked", "-N -f " + shellQuote(passwordFile.string()), output), 0) << output;
  auto host = startHost("locked");
  const json params = {{"subject", subject("Locked")}, {"keys", json::array({{{"usage", "signing"}}})}};
  const Answer missing = call(*host, softwareRequest("no-password", "generateSoftwareKey", params));
  EXPECT_EQ(missing.code(), "STORE_PASSWORD_INCORRECT");
  EXPECT_EQ(missing.error().value("passwordGiven", true), false);
  json wrong = params;
  wrong["storePassword"] = "not-it";
  const Answer refused = call(*host, softwareRequest("wrong-password", "generateSoftwareKey", wrong));
  EXPECT_EQ(refused.code(), "STORE_PASSWORD_INCORRECT");
  EXPECT_EQ(refused.error().value("passwordGiven", false), true);
  certutil("locked", "-K -f " + shellQuote(passwordFile.string()), output);
  EXPECT_EQ(count(output, "rsa"), 0U) << "no key after refused passwords:\n" << output;
  json right = params;
  right["storePassword"] = "store-secret-9";
  const json made = ok(*host, softwareRequest("right-password", "generateSoftwareKey", right));
  EXPECT_EQ(made["requests"].size(), 1U);
  ASSERT_EQ(certutil("locked", "-K -f " + shellQuote(passwordFile.string()), output), 0) << output;
  EXPECT_EQ(count(output, "rsa"), 1U) << output;
  EXPECT_EQ(hostLog().find("store-secret-9"), std::string::npos);
}

// Not in sanitizer builds: they keep freed memory unwiped in their quarantine, and use their own operator new.
#if !defined(CERTBRIDGE_SANITIZED_BUILD)
// The PKCS#12 password goes through OpenSSL and NSS on import: once the import is answered, it is nowhere in
// the host's memory (/proc/<pid>/mem: all a core would hold).
TEST_F(SoftwareStoreTest, NoPkcs12PasswordIsLeftInTheHostsMemoryAfterAnImport) {
  if (::geteuid() != 0) GTEST_SKIP() << "reading another process's memory needs root";
  const std::string password = "Pfx-pass-60731kq";
  const auto key = file("memory-key.pem");
  const auto certificate = file("memory-certificate.pem");
  const auto pkcs12 = file("memory.p12");
  std::string output;
  ASSERT_EQ(runCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=Memory -keyout " +
                           shellQuote(key.string()) + " -out " + shellQuote(certificate.string()),
                       output),
            0)
      << output;
  ASSERT_EQ(runCommand("openssl pkcs12 -export -inkey " + shellQuote(key.string()) + " -in " +
                           shellQuote(certificate.string()) + " -passout " + shellQuote("pass:" + password) + " -out " +
                           shellQuote(pkcs12.string()),
                       output),
            0)
      << output;
  const std::string bytes = readFile(pkcs12);
  auto host = startHost("memory");
  ok(*host, softwareRequest("import", "importPkcs12",
                            {{"file", base64Encode(std::vector<std::uint8_t>(bytes.begin(), bytes.end()))},
                             {"password", password}}));
  // The worker runs one command at a time: this answer (whatever the reader service says) means the import
  // has ended.
  call(*host, softwareRequest("after", "listReaders"));

  const MemoryScan scan = scanMemory(host->pid(), password);
  const MemoryScan control = scanMemory(host->pid(), kSoftwareOrigin);
  std::printf("memory scan of the host after an import: %zu bytes read, password hits %zu, control hits %zu\n",
              scan.bytesRead, scan.hits, control.hits);
  EXPECT_GT(control.hits, 0u) << "the scan found nothing it should have";
  EXPECT_EQ(scan.hits, 0u) << "the password is still in memory, in: " << (scan.where.empty() ? "" : scan.where.front());
}
#endif  // !CERTBRIDGE_SANITIZED_BUILD

}  // namespace
}  // namespace certbridge::host::integration
