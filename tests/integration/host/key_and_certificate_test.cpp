// generateKeyPair, writeCertificates, signRenewal, authenticate and listCertificates through the real host,
// each result checked with OpenSSL (the test CA, `openssl cms`, signature verification) and pkcs11-tool.

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>
#include <fstream>

#include "card_test_fixture.hpp"
#include "certbridge/protocol.hpp"
#include "ra_checks.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

const std::string kChineseName = "王小明";

const json* findCertificate(const json& list, const std::string& id) {
  for (const auto& certificate : list) {
    if (certificate["id"] == id) return &certificate;
  }
  return nullptr;
}

TEST_F(CardCommands, GenerateKeyPairMakesTwoKeysOnTheCardWithOneRequestEach) {
  auto host = startHost();
  const Answer answer = call(
      *host, request("g1", "generateKeyPair",
                     {{"subject", raSubject(kChineseName)},
                      {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}, {"keySize", 2048}}})},
                      {"pins", pins()}}));
  ASSERT_TRUE(answer.ok()) << answer.message.dump(2);
  const json& result = answer.result();
  EXPECT_EQ(result["reader"], kCardReader);
  EXPECT_EQ(result["token"]["label"], "CertBridge Card");
  ASSERT_EQ(result["requests"].size(), 2u);

  // Progress while the card works: login, then each key and its request, in order.
  std::vector<std::string> stages;
  for (const auto& progress : answer.progress) stages.push_back(progress["stage"]);
  EXPECT_EQ(stages, (std::vector<std::string>{"login", "generatingKey", "creatingRequest", "generatingKey",
                                              "creatingRequest"}));
  EXPECT_EQ(answer.progress[3]["key"], 2);
  EXPECT_EQ(answer.progress[3]["keys"], 2);

  const std::uint32_t expectedUsage[] = {KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION,
                                         KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT};
  for (std::size_t i = 0; i < 2; ++i) {
    const json& entry = result["requests"][i];
    EXPECT_EQ(entry["keySize"], 2048);
    EXPECT_EQ(entry["keyId"].get<std::string>().size(), 40u) << "20-byte CKA_ID";
    RequestPtr csr = parseRequestPem(entry["request"]);
    KeyPtr publicKey(X509_REQ_get_pubkey(csr.get()));
    EXPECT_EQ(X509_REQ_verify(csr.get(), publicKey.get()), 1) << "signed by its own key";
    EXPECT_EQ(EVP_PKEY_get_bits(publicKey.get()), 2048);
    EXPECT_EQ(publicKeyDer(publicKey.get()), base64Decode(entry["publicKey"]));
    int type = 0;
    EXPECT_EQ(nameEntry(X509_REQ_get_subject_name(csr.get()), "CN", &type), kChineseName) << "UTF-8 round trip";
    EXPECT_EQ(type, V_ASN1_UTF8STRING);
    EXPECT_EQ(nameEntry(X509_REQ_get_subject_name(csr.get()), "C", &type), "TW");
    EXPECT_EQ(type, V_ASN1_PRINTABLESTRING);
    EXPECT_EQ(requestedKeyUsage(csr.get()), expectedUsage[i]);
  }
  EXPECT_NE(result["requests"][0]["keyId"], result["requests"][1]["keyId"]);

  // The private keys are on the token, sensitive and never extractable (read with pkcs11-tool, not the host).
  const std::string listing = listObjectsWithPkcs11Tool();
  EXPECT_EQ(countObjects("Private Key Object"), 2) << listing;
  for (const auto& entry : result["requests"]) {
    EXPECT_NE(listing.find("ID:         " + entry["keyId"].get<std::string>()), std::string::npos) << listing;
  }
  EXPECT_NE(listing.find("never extractable"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("Access:     extractable"), std::string::npos) << listing;
}

TEST_F(CardCommands, GenerateKeyPairRefusesWhatTheCardDoesNotAllowBeforeMakingAnything) {
  auto host = startHost();
  const json oneKey = json::array({{{"usage", "signing"}}});
  Answer answer = call(
      *host, request("size", "generateKeyPair",
                     {{"subject", raSubject("A")},
                      {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}, {"keySize", 1024}}})},
                      {"pins", pins()}}));
  EXPECT_EQ(answer.code(), "BAD_REQUEST");
  EXPECT_EQ(answer.error()["field"], "params.keys[1].keySize");
  answer = call(*host, request("group", "generateKeyPair",
                               {{"subject", raSubject("A")},
                                {"keys", json::array({{{"usage", "signing"}, {"pinGroup", 1}}})},
                                {"pins", pins()}}));
  EXPECT_EQ(answer.code(), "BAD_REQUEST");
  EXPECT_EQ(answer.error()["field"], "params.keys[0].pinGroup");
  answer = call(*host, request("short", "generateKeyPair",
                               {{"subject", raSubject("A")}, {"keys", oneKey}, {"pins", json::array({"12345"})}}));
  EXPECT_EQ(answer.code(), "PIN_POLICY") << answer.message.dump();
  EXPECT_EQ(answer.error()["pinGroup"], 0);
  answer = call(*host,
                request("long", "generateKeyPair",
                        {{"subject", raSubject("A")}, {"keys", oneKey}, {"pins", json::array({"12345678901234567"})}}));
  EXPECT_EQ(answer.code(), "PIN_POLICY");
  answer = call(*host, request("wrong", "generateKeyPair",
                               {{"subject", raSubject("A")}, {"keys", oneKey}, {"pins", json::array({"654321"})}}));
  EXPECT_EQ(answer.code(), "PIN_INCORRECT") << answer.message.dump();
  EXPECT_EQ(answer.error()["pinName"], "PIN");
  answer = call(*host, request("nopin", "generateKeyPair", {{"subject", raSubject("A")}, {"keys", oneKey}}));
  EXPECT_EQ(answer.code(), "BAD_REQUEST");
  EXPECT_EQ(answer.error()["field"], "params.pins[0]");
  EXPECT_EQ(countObjects("Private Key Object"), 0) << "nothing was generated";
  // A larger size the profile allows works.
  answer = call(*host, request("3072", "generateKeyPair",
                               {{"subject", raSubject("A")},
                                {"keys", json::array({{{"usage", "dual"}, {"keySize", 3072}}})},
                                {"pins", pins()}}));
  ASSERT_TRUE(answer.ok()) << answer.message.dump();
  RequestPtr csr = parseRequestPem(answer.result()["requests"][0]["request"]);
  KeyPtr publicKey(X509_REQ_get_pubkey(csr.get()));
  EXPECT_EQ(EVP_PKEY_get_bits(publicKey.get()), 3072);
}

TEST_F(CardCommands, WriteCertificatesFindsEachKeyByPublicKeyOnAnyComputer) {
  TestCa ca("CertBridge Test CA");
  std::vector<std::string> issued;
  std::vector<std::string> keyIds;
  {
    auto host = startHost();
    const json generated = generate(*host, kChineseName, {"signing", "encryption"});
    for (const auto& entry : generated["requests"]) {
      issued.push_back(ca.issue(entry["request"], 365));
      keyIds.push_back(entry["keyId"]);
    }
  }
  // Another "computer": a fresh host process with its own home and state directories.
  const auto otherHome = bed().scratch() / "other-computer";
  std::filesystem::create_directories(otherHome);
  auto host = startHost(
      {{"HOME", otherHome.string()}, {"XDG_STATE_HOME", (otherHome / "state").string()}, {"XDG_RUNTIME_DIR", ""}});
  // Given in the other order: matching is by key, not by position or anything stored.
  const json written = ok(*host, request("w1", "writeCertificates",
                                         {{"certificates", json::array({issued[1], issued[0]})},
                                          {"caCertificates", json::array({ca.pem()})},
                                          {"pins", pins()}}));
  ASSERT_EQ(written["certificates"].size(), 2u);
  EXPECT_EQ(written["certificates"][0]["keyId"], keyIds[1]);
  EXPECT_EQ(written["certificates"][1]["keyId"], keyIds[0]);
  EXPECT_EQ(written["certificates"][0]["label"],
            kChineseName + " encryption " +
                written["certificates"][0]["label"].get<std::string>().substr(kChineseName.size() + 12));
  EXPECT_EQ(written["certificates"][0]["alreadyOnCard"], false);
  EXPECT_EQ(written["caCertificates"][0]["alreadyOnCard"], false);

  // The same certificates again: one object each, reported as already there.
  const json again = ok(*host, request("w2", "writeCertificates",
                                       {{"certificates", json::array({issued[0], issued[1]})},
                                        {"caCertificates", json::array({ca.pem()})},
                                        {"pins", pins()}}));
  EXPECT_EQ(again["certificates"][0]["alreadyOnCard"], true);
  EXPECT_EQ(again["caCertificates"][0]["alreadyOnCard"], true);
  EXPECT_EQ(countObjects("Certificate Object"), 3);

  const json listed = ok(*host, request("l", "listCertificates"));
  ASSERT_EQ(listed["certificates"].size(), 3u);
  const json* signing = findCertificate(listed["certificates"], certificateId(issued[0]));
  ASSERT_NE(signing, nullptr);
  EXPECT_EQ((*signing)["hasKey"], true);
  EXPECT_EQ((*signing)["keyId"], keyIds[0]);
  EXPECT_EQ((*signing)["usage"], json::array({"signing"}));
  EXPECT_EQ((*signing)["valid"], true);
  EXPECT_GE((*signing)["daysToExpiry"].get<int>(), 363);
  EXPECT_NE((*signing)["subject"].get<std::string>().find("CN=" + kChineseName), std::string::npos);
  const json* caEntry = findCertificate(listed["certificates"], certificateId(ca.pem()));
  ASSERT_NE(caEntry, nullptr);
  EXPECT_EQ((*caEntry)["isCa"], true);
  EXPECT_EQ((*caEntry)["hasKey"], false);

  // The environment report shows the card holder's certificates (not the CA's), with expiry, for the help desk.
  const json report = ok(*host, request("e", "environment"));
  ASSERT_EQ(report["certificates"].size(), 2u) << report["certificates"].dump(2);
  EXPECT_NE(findCertificate(report["certificates"], certificateId(issued[0])), nullptr);
  EXPECT_EQ(findCertificate(report["certificates"], certificateId(ca.pem())), nullptr);
  EXPECT_EQ(report["certificates"][0]["onCard"], true);
  EXPECT_EQ(report["certificates"][0]["reader"], kCardReader);

  // A certificate whose key is not on the card: refused, and nothing of the call is written.
  const std::string stranger = ca.issueForNewKey("Stranger", 365);
  const std::string fresh = ca.issue(generate(*host, "Fresh", {"signing"})["requests"][0]["request"], 365);
  const Answer mismatch = call(
      *host, request("w3", "writeCertificates", {{"certificates", json::array({fresh, stranger})}, {"pins", pins()}}));
  EXPECT_EQ(mismatch.code(), "CERTIFICATE_KEY_MISMATCH") << mismatch.message.dump();
  EXPECT_EQ(mismatch.error()["index"], 1);
  EXPECT_EQ(countObjects("Certificate Object"), 3) << "the card is unchanged";
}

TEST_F(CardCommands, SignRenewalMakesCmsThatOpensslVerifiesWithTheLatestValidCertificate) {
  TestCa ca("CertBridge Test CA");
  const auto caFile = bed().scratch() / "renewal-ca.pem";
  ca.writePem(caFile);
  auto host = startHost();
  // Three certificates: expired, valid for 30 days, valid for 400 days. The default is the last.
  std::vector<std::string> issued;
  for (const int days : {-5, 30, 400}) {
    issued.push_back(ca.issue(generate(*host, kChineseName, {"signing"})["requests"][0]["request"], days));
  }
  ok(*host, request("w", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));

  const std::vector<std::uint8_t> data = {'r', 'e', 'n', 'e', 'w', ':', 0xE7, 0x8E, 0x8B, 0x00, 0xFF};
  const json signed1 = ok(*host, request("s1", "signRenewal", {{"data", base64Encode(data)}, {"pins", pins()}}));
  EXPECT_EQ(signed1["certificate"]["id"], certificateId(issued[2])) << "valid, with the latest expiry";
  const auto signature = writeFile(bed().scratch() / "renewal.der", base64Decode(signed1["signature"]));
  std::string output;
  EXPECT_TRUE(opensslCmsVerify(signature, caFile, {}, output)) << output;
  // The content inside is the RA's data, byte for byte.
  ASSERT_EQ(run("openssl cms -verify -binary -inform DER -in " + shellQuote(signature.string()) + " -CAfile " +
                    shellQuote(caFile.string()) + " -out " + shellQuote((bed().scratch() / "renewal.out").string()),
                output),
            0)
      << output;
  std::ifstream in(bed().scratch() / "renewal.out", std::ios::binary);
  EXPECT_EQ(std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), data);
  ASSERT_EQ(run("openssl cms -cmsout -print -inform DER -in " + shellQuote(signature.string()), output), 0);
  EXPECT_NE(output.find("sha256"), std::string::npos) << output;

  // A chosen certificate, detached: verifies with the data, fails with other data.
  const json signed2 = ok(*host, request("s2", "signRenewal",
                                         {{"data", base64Encode(data)},
                                          {"certificate", certificateId(issued[1])},
                                          {"detached", true},
                                          {"pins", pins()}}));
  EXPECT_EQ(signed2["certificate"]["id"], certificateId(issued[1]));
  const auto detached = writeFile(bed().scratch() / "renewal-detached.der", base64Decode(signed2["signature"]));
  const auto content = writeFile(bed().scratch() / "renewal-data.bin", data);
  EXPECT_TRUE(opensslCmsVerify(detached, caFile, content, output)) << output;
  const auto tampered = writeFile(bed().scratch() / "renewal-tampered.bin", std::string("renew:other"));
  EXPECT_FALSE(opensslCmsVerify(detached, caFile, tampered, output)) << "tampered data must not verify";

  // The expired certificate cannot be asked for by default, and an unknown id is KEY_NOT_FOUND.
  const Answer unknown =
      call(*host, request("s3", "signRenewal",
                          {{"data", base64Encode(data)}, {"certificate", std::string(64, 'a')}, {"pins", pins()}}));
  EXPECT_EQ(unknown.code(), "KEY_NOT_FOUND");
}

// The documented data limits are ones a request can reach and still get its answer (the attached signature
// carries the data back within the browser's 1 MB message limit), and one byte more is refused before the
// card is touched: no progress message, so no login and no signature.
TEST_F(CardCommands, SignRenewalAtTheDocumentedLimitsIsAnsweredAndOneByteMoreIsRefusedBeforeTheCard) {
  TestCa ca("CertBridge Test CA");
  auto host = startHost();
  const std::string issued = ca.issue(generate(*host, kChineseName, {"signing"})["requests"][0]["request"], 365);
  ok(*host,
     request("w", "writeCertificates",
             {{"certificates", json::array({issued})}, {"caCertificates", json::array({ca.pem()})}, {"pins", pins()}}));

  for (const bool detached : {false, true}) {
    const std::size_t limit =
        detached ? protocol::kSignRenewalDetachedDataMaxBytes : protocol::kSignRenewalAttachedDataMaxBytes;
    const std::vector<std::uint8_t> data(limit, 0x5A);
    const Answer answer =
        call(*host, request(detached ? "d" : "a", "signRenewal",
                            {{"data", base64Encode(data)}, {"detached", detached}, {"pins", pins()}}));
    ASSERT_TRUE(answer.ok()) << (detached ? "detached: " : "attached: ") << answer.message.dump().substr(0, 400);
    EXPECT_LE(answer.message.dump().size(), protocol::kHostToBrowserMaxBytes);
    if (!detached) {
      EXPECT_GT(base64Decode(answer.result()["signature"]).size(), limit) << "the data is inside";
    }

    const std::vector<std::uint8_t> over(limit + 1, 0x5A);
    const Answer refused =
        call(*host, request(detached ? "d2" : "a2", "signRenewal",
                            {{"data", base64Encode(over)}, {"detached", detached}, {"pins", pins()}}));
    EXPECT_EQ(refused.code(), "BAD_REQUEST") << refused.message.dump().substr(0, 400);
    EXPECT_EQ(refused.error().value("field", ""), "params.data");
    EXPECT_TRUE(refused.progress.empty()) << "refused before any card work";
  }
}

TEST_F(CardCommands, SignRenewalWithoutAValidCertificateIsKeyNotFound) {
  auto host = startHost();
  generate(*host, "No certificate yet", {"signing"});
  const Answer answer = call(*host, request("s", "signRenewal", {{"data", base64Encode({1, 2, 3})}, {"pins", pins()}}));
  EXPECT_EQ(answer.code(), "KEY_NOT_FOUND") << answer.message.dump();
}

TEST_F(CardCommands, AuthenticateSignatureIsBoundToTheOriginAndTheChallenge) {
  TestCa ca("CertBridge Test CA");
  auto host = startHost();
  const json generated = generate(*host, kChineseName, {"signing", "encryption"});
  std::vector<std::string> issued;
  for (const auto& entry : generated["requests"]) issued.push_back(ca.issue(entry["request"], 365));
  ok(*host, request("w", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));

  std::vector<std::uint8_t> challenge(32);
  for (std::size_t i = 0; i < challenge.size(); ++i) challenge[i] = static_cast<std::uint8_t>(i * 7 + 3);
  const json result =
      ok(*host, request("a", "authenticate", {{"challenge", base64Encode(challenge)}, {"pins", pins()}}));
  EXPECT_EQ(result["algorithm"], "sha256WithRSAEncryption");
  EXPECT_EQ(result["origin"], kOrigin);
  EXPECT_EQ(result["certificate"]["id"], certificateId(issued[0])) << "the signing certificate";
  EXPECT_TRUE(raVerifies(result, kOrigin, challenge));
  EXPECT_FALSE(raVerifies(result, "https://evil.example", challenge)) << "useless to another site";
  std::vector<std::uint8_t> otherChallenge = challenge;
  otherChallenge[0] ^= 1;
  EXPECT_FALSE(raVerifies(result, kOrigin, otherChallenge));

  // The same challenge from another (allowed) origin gives a signature only that origin accepts.
  const json other = ok(*host, request("b", "authenticate", {{"challenge", base64Encode(challenge)}, {"pins", pins()}},
                                       kOtherAllowedOrigin));
  EXPECT_TRUE(raVerifies(other, kOtherAllowedOrigin, challenge));
  EXPECT_FALSE(raVerifies(other, kOrigin, challenge));

  const Answer shortChallenge =
      call(*host, request("c", "authenticate", {{"challenge", base64Encode({1, 2, 3, 4})}, {"pins", pins()}}));
  EXPECT_EQ(shortChallenge.code(), "BAD_REQUEST");
  EXPECT_EQ(shortChallenge.error()["field"], "params.challenge");
}

// The whole life of a card: generate -> issue -> write -> renew (sign with the old key) -> issue -> write ->
// the old certificate still there and usable -> removed on request. OpenSSL checks every step.
TEST_F(CardCommands, FullCycleFromApplicationThroughRenewal) {
  TestCa ca("CertBridge Test CA");
  const auto caFile = bed().scratch() / "cycle-ca.pem";
  ca.writePem(caFile);
  auto host = startHost();

  // Apply: two keys, two certificates, the CA certificate.
  const json first = generate(*host, kChineseName, {"signing", "encryption"});
  std::vector<std::string> oldCertificates;
  for (const auto& entry : first["requests"]) oldCertificates.push_back(ca.issue(entry["request"], 365));
  ok(*host,
     request("w1", "writeCertificates",
             {{"certificates", oldCertificates}, {"caCertificates", json::array({ca.pem()})}, {"pins", pins()}}));
  std::string output;
  const auto oldFile = writeFile(bed().scratch() / "old-signing.pem", oldCertificates[0]);
  ASSERT_EQ(run("openssl verify -CAfile " + shellQuote(caFile.string()) + " " + shellQuote(oldFile.string()), output),
            0)
      << output;

  // Renew: new keys, the renewal data signed with the old (still valid) signing key.
  const json second = generate(*host, kChineseName, {"signing", "encryption"});
  const std::string renewalData = "renewal of " + certificateId(oldCertificates[0]);
  const json renewal =
      ok(*host, request("s", "signRenewal",
                        {{"data", base64Encode({renewalData.begin(), renewalData.end()})}, {"pins", pins()}}));
  EXPECT_EQ(renewal["certificate"]["id"], certificateId(oldCertificates[0]));
  const auto signature = writeFile(bed().scratch() / "cycle-renewal.der", base64Decode(renewal["signature"]));
  ASSERT_EQ(run("openssl cms -verify -binary -inform DER -in " + shellQuote(signature.string()) + " -CAfile " +
                    shellQuote(caFile.string()) + " -out /dev/null",
                output),
            0)
      << output;

  std::vector<std::string> newCertificates;
  for (const auto& entry : second["requests"]) newCertificates.push_back(ca.issue(entry["request"], 730));
  ok(*host, request("w2", "writeCertificates", {{"certificates", newCertificates}, {"pins", pins()}}));

  // Both generations on the card; the old one is still valid and still signs.
  json listed = ok(*host, request("l1", "listCertificates"));
  EXPECT_EQ(listed["certificates"].size(), 5u);
  for (const auto& pem : oldCertificates) {
    const json* entry = findCertificate(listed["certificates"], certificateId(pem));
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ((*entry)["valid"], true);
    EXPECT_EQ((*entry)["hasKey"], true);
  }
  std::vector<std::uint8_t> challenge(16, 0x42);
  const json oldLogin = ok(*host, request("a1", "authenticate",
                                          {{"challenge", base64Encode(challenge)},
                                           {"certificate", certificateId(oldCertificates[0])},
                                           {"pins", pins()}}));
  EXPECT_TRUE(raVerifies(oldLogin, kOrigin, challenge));
  const json newLogin =
      ok(*host, request("a2", "authenticate", {{"challenge", base64Encode(challenge)}, {"pins", pins()}}));
  EXPECT_EQ(newLogin["certificate"]["id"], certificateId(newCertificates[0])) << "the latest expiry by default";

  // Removed on request, only now: the old certificates and their keys go, the new ones stay.
  const json removal =
      ok(*host, request("w3", "writeCertificates",
                        {{"certificates", newCertificates},
                         {"removeCertificates",
                          json::array({certificateId(oldCertificates[0]), certificateId(oldCertificates[1])})},
                         {"pins", pins()}}));
  EXPECT_EQ(removal["removed"].size(), 2u);
  listed = ok(*host, request("l2", "listCertificates"));
  EXPECT_EQ(listed["certificates"].size(), 3u);
  EXPECT_EQ(findCertificate(listed["certificates"], certificateId(oldCertificates[0])), nullptr);
  EXPECT_NE(findCertificate(listed["certificates"], certificateId(newCertificates[0])), nullptr);
  EXPECT_EQ(countObjects("Private Key Object"), 2) << "the old keys went with their certificates";
  const json finalLogin =
      ok(*host, request("a3", "authenticate", {{"challenge", base64Encode(challenge)}, {"pins", pins()}}));
  EXPECT_TRUE(raVerifies(finalLogin, kOrigin, challenge));
}

TEST_F(CardCommands, RemoveCertificatesRefusesUnknownIdsBeforeWritingAnything) {
  TestCa ca("CertBridge Test CA");
  auto host = startHost();
  const std::string certificate = ca.issue(generate(*host, "A", {"signing"})["requests"][0]["request"], 365);
  const Answer answer = call(*host, request("w", "writeCertificates",
                                            {{"certificates", json::array({certificate})},
                                             {"removeCertificates", json::array({std::string(64, 'b')})},
                                             {"pins", pins()}}));
  EXPECT_EQ(answer.code(), "BAD_REQUEST");
  EXPECT_EQ(answer.error()["field"], "params.removeCertificates[0]");
  EXPECT_EQ(countObjects("Certificate Object"), 0);
}

}  // namespace
}  // namespace certbridge::host::integration
