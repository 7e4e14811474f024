// Every software-store command refuses malformed parameters with BAD_REQUEST naming the field, before the
// key store is touched (no database appears), and never echoes a password; a file that is not PKCS#12 is
// PKCS12_FILE_INVALID.

#include "software_store_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

struct Malformed {
  const char* command;
  json params;
  const char* field;
};

const std::string kSecret = "secret-Pa55word";

std::vector<Malformed> malformedCases(const std::string& leafCertificate) {
  const json subject = json::array({{{"type", "C"}, {"value", "TW"}}, {{"type", "CN"}, {"value", "王小明"}}});
  const json oneKey = json::array({{{"usage", "signing"}}});
  const std::string file = "MIIB";  // base64, though not a PKCS#12 file: the shape is what is checked here
  return {
      {"generateSoftwareKey", {{"keys", oneKey}, {"storePassword", kSecret}}, "params.subject"},
      {"generateSoftwareKey", {{"subject", subject}}, "params.keys"},
      {"generateSoftwareKey", {{"subject", json::array()}, {"keys", oneKey}}, "params.subject"},
      {"generateSoftwareKey",
       {{"subject", json::array({{{"type", "XX"}, {"value", "a"}}})}, {"keys", oneKey}},
       "params.subject[0].type"},
      {"generateSoftwareKey",
       {{"subject", json::array({{{"type", "C"}, {"value", "Taiwan"}}})}, {"keys", oneKey}},
       "params.subject[0].value"},
      {"generateSoftwareKey",
       {{"subject", subject}, {"keys", json::array({{{"usage", "signature"}}})}},
       "params.keys[0].usage"},
      {"generateSoftwareKey",
       {{"subject", subject}, {"keys", json::array({{{"usage", "signing"}, {"keySize", 1024}}})}},
       "params.keys[0].keySize"},
      {"generateSoftwareKey",
       {{"subject", subject}, {"keys", json::array({{{"usage", "signing"}, {"keySize", 3000}}})}},
       "params.keys[0].keySize"},
      {"generateSoftwareKey",
       {{"subject", subject}, {"keys", json::array({oneKey[0], oneKey[0], oneKey[0]})}},
       "params.keys"},
      {"generateSoftwareKey", {{"subject", subject}, {"keys", oneKey}, {"reader", "x"}}, "params.reader"},
      {"generateSoftwareKey", {{"subject", subject}, {"keys", oneKey}, {"storePassword", 7}}, "params.storePassword"},
      {"generateSoftwareKey",
       {{"subject", subject}, {"keys", oneKey}, {"storePassword", std::string(65, 'x')}},
       "params.storePassword"},
      {"installCertificates", {{"storePassword", kSecret}}, "params.certificates"},
      {"installCertificates", {{"certificates", json::array()}}, "params.certificates"},
      {"installCertificates", {{"certificates", json::array({"not a certificate"})}}, "params.certificates[0]"},
      {"installCertificates", {{"certificates", "x"}}, "params.certificates"},
      {"installCertificates",
       {{"certificates", json::array({leafCertificate})}, {"caCertificates", json::array({leafCertificate})}},
       "params.caCertificates[0]"},
      {"installCertificates",
       {{"certificates", json::array({leafCertificate})}, {"pins", json::array({"1"})}},
       "params.pins"},
      {"exportPkcs12", {{"storePassword", kSecret}}, "params.newPassword"},
      {"exportPkcs12", {{"newPassword", "abc"}}, "params.newPassword"},
      {"exportPkcs12", {{"newPassword", kSecret}, {"certificates", json::array({"zz"})}}, "params.certificates[0]"},
      {"exportPkcs12", {{"newPassword", kSecret}, {"certificates", "x"}}, "params.certificates"},
      {"exportPkcs12", {{"newPassword", kSecret}, {"file", file}}, "params.file"},
      {"importPkcs12", {{"password", kSecret}}, "params.file"},
      {"importPkcs12", {{"file", "***"}, {"password", kSecret}}, "params.file"},
      {"importPkcs12", {{"file", file}}, "params.password"},
      {"importPkcs12",
       {{"file", file}, {"password", kSecret}, {"includeCaCertificates", "yes"}},
       "params.includeCaCertificates"},
      {"importPkcs12", {{"file", file}, {"password", ""}}, "params.password"},
      {"importPkcs12", {{"file", file}, {"password", kSecret}, {"newPassword", 5}}, "params.newPassword"},
      {"changePkcs12Password", {{"file", file}, {"password", kSecret}}, "params.newPassword"},
      {"changePkcs12Password", {{"file", file}, {"newPassword", kSecret}}, "params.password"},
      {"changePkcs12Password", {{"password", kSecret}, {"newPassword", kSecret}}, "params.file"},
      {"changePkcs12Password", {{"file", file}, {"password", kSecret}, {"newPassword", "12345"}}, "params.newPassword"},
      {"changePkcs12Password",
       {{"file", file}, {"password", kSecret}, {"newPassword", kSecret}, {"storePassword", kSecret}},
       "params.storePassword"},
      {"signRenewal", {{"store", "disk"}, {"data", "AAAA"}}, "params.store"},
      {"signRenewal", {{"store", 5}, {"data", "AAAA"}}, "params.store"},
      {"signRenewal", {{"store", "software"}}, "params.data"},
      {"signRenewal", {{"store", "software"}, {"data", "***"}}, "params.data"},
      {"signRenewal", {{"store", "software"}, {"data", "AAAA"}, {"certificate", "zz"}}, "params.certificate"},
      {"signRenewal", {{"store", "software"}, {"data", "AAAA"}, {"pins", json::array({"123456"})}}, "params.pins"},
      {"signRenewal", {{"store", "software"}, {"data", "AAAA"}, {"reader", "x"}}, "params.reader"},
  };
}

TEST_F(SoftwareStoreTest, MalformedParamsAreRefusedBeforeTheStoreIsTouched) {
  TestCa ca("CertBridge Software Test CA");
  const std::string leaf = ca.issueForNewKey("Leaf", 30);
  auto host = startHost("a");
  int index = 0;
  for (const auto& bad : malformedCases(leaf)) {
    SCOPED_TRACE(std::string(bad.command) + " " + bad.params.dump());
    const Answer answer = call(*host, softwareRequest("m" + std::to_string(index++), bad.command, bad.params));
    EXPECT_EQ(answer.code(), "BAD_REQUEST") << answer.message.dump(2);
    EXPECT_EQ(answer.message.value("error", json::object()).value("field", ""), bad.field) << answer.message.dump(2);
    EXPECT_EQ(answer.message.dump().find(kSecret), std::string::npos) << "a password echoed back";
  }
  EXPECT_FALSE(std::filesystem::exists(database("a"))) << "a refused request opened the key store";
  EXPECT_EQ(hostLog().find(kSecret), std::string::npos) << "a password in the log";
}

TEST_F(SoftwareStoreTest, AFileThatIsNotPkcs12IsReportedAsSuch) {
  auto host = startHost("a");
  const std::string notPkcs12 = base64Encode(std::vector<std::uint8_t>(64, 0x30));
  for (const char* command : {"importPkcs12", "changePkcs12Password"}) {
    const Answer answer =
        call(*host, softwareRequest(std::string("f-") + command, command,
                                    {{"file", notPkcs12}, {"password", kSecret}, {"newPassword", "another-one"}}));
    if (std::string(command) == "importPkcs12") {
      // importPkcs12 takes no newPassword: still a bad request first.
      EXPECT_EQ(answer.code(), "BAD_REQUEST");
      const Answer import =
          call(*host, softwareRequest("f-import", command, {{"file", notPkcs12}, {"password", kSecret}}));
      EXPECT_EQ(import.code(), "PKCS12_FILE_INVALID") << import.message.dump(2);
    } else {
      EXPECT_EQ(answer.code(), "PKCS12_FILE_INVALID") << answer.message.dump(2);
    }
  }
  EXPECT_FALSE(std::filesystem::exists(database("a") / "key4.db"));
}

}  // namespace
}  // namespace certbridge::host::integration
