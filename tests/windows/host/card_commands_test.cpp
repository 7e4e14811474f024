// The card commands of certbridge-host.exe under wine, against the project's mock PKCS#11 DLL and mock
// winscard.dll (test doubles; see wine_host.hpp). Every output is checked with OpenSSL, as the RA would:
// the PKCS#10 requests (openssl req -verify through the test CA), the renewal signature (openssl cms -verify),
// the card-login signature (raVerifies); and PIN change, wrong PINs and the lock as the user meets them.

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ra_checks.hpp"
#include "test_ca.hpp"
#include "test_files.hpp"
#include "testbed.hpp"
#include "wine_host.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

const std::string kChineseName = "王小明";

class WineCard : public WineHost {
 protected:
  void SetUp() override {
    WineHost::SetUp();
    if (IsSkipped() || HasFailure()) return;
    resetCard();
    setCardPresent(true);
  }
  json pins() const { return json::array({userPin()}); }
};

TEST_F(WineCard, ApplyRenewAndLoginOnTheMockCardVerifiedByOpenSsl) {
  TestCa ca("CertBridge Test CA");
  const std::filesystem::path caFile = scratch() / "ca.pem";
  ca.writePem(caFile);
  auto host = startHost();

  // Apply: two keys on the card, a request each, signed by its own key.
  const json generated = ok(*host, request("g", "generateKeyPair",
                                           {{"subject", raSubject(kChineseName)},
                                            {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}}})},
                                            {"pins", pins()}}));
  ASSERT_EQ(generated["requests"].size(), 2u) << generated.dump(2);
  std::vector<std::string> issued;
  for (const auto& entry : generated["requests"]) {
    const std::string pem = entry["request"];
    const auto file = writeFile(scratch() / "request.pem", pem);
    std::string output;
    EXPECT_EQ(runCommand("openssl req -verify -noout -in " + shellQuote(file.string()), output), 0) << output;
    RequestPtr csr = parseRequestPem(pem);
    int type = 0;
    EXPECT_EQ(nameEntry(X509_REQ_get_subject_name(csr.get()), "CN", &type), kChineseName);
    EXPECT_EQ(type, V_ASN1_UTF8STRING);
    issued.push_back(ca.issue(pem, 365));  // throws unless the request's signature verifies
  }

  // Download: the certificates go beside their keys; a second write changes nothing.
  const json written = ok(*host, request("w", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  ASSERT_EQ(written["certificates"].size(), 2u) << written.dump(2);
  const json listed = ok(*host, request("l", "listCertificates"));
  int withKey = 0;
  for (const auto& certificate : listed["certificates"]) withKey += certificate.value("hasKey", false) ? 1 : 0;
  EXPECT_EQ(withKey, 2) << listed.dump(2);

  // Renew: the renewal request signed with the current certificate's key, as CMS the RA verifies.
  const std::vector<std::uint8_t> data = {'r', 'e', 'n', 'e', 'w', 0, 1, 2};
  const json signedRenewal = ok(*host, request("s", "signRenewal", {{"data", base64Encode(data)}, {"pins", pins()}}));
  const auto signature = writeFile(scratch() / "renewal.p7s", base64Decode(signedRenewal["signature"]));
  std::string output;
  EXPECT_TRUE(opensslCmsVerify(signature, caFile, {}, output)) << output;

  // Card login: bound to the origin and the challenge.
  std::vector<std::uint8_t> challenge(32);
  for (std::size_t i = 0; i < challenge.size(); ++i) challenge[i] = static_cast<std::uint8_t>(i * 5 + 1);
  const json login =
      ok(*host, request("a", "authenticate", {{"challenge", base64Encode(challenge)}, {"pins", pins()}}));
  EXPECT_TRUE(raVerifies(login, kOrigin, challenge)) << login.dump(2);
  EXPECT_FALSE(raVerifies(login, "https://evil.example", challenge));

  // A new process sees the same card (the keys and certificates are on it, not in the host).
  host.reset();
  auto again = startHost();
  EXPECT_EQ(ok(*again, request("l2", "listCertificates"))["certificates"].size(), listed["certificates"].size());
}

TEST_F(WineCard, ChangePinThenWrongPinsCountDownAndLockTheCard) {
  auto host = startHost();
  const json changed = ok(*host, request("c", "changePin", {{"pin", userPin()}, {"newPin", "new-pin-42"}}));
  EXPECT_EQ(changed["pinState"]["state"], "ok") << changed.dump(2);
  // The old PIN is wrong now: the card counts down (and says so), then locks.
  const json wrongOldPin = {{"pin", userPin()}, {"newPin", "other-pin-7"}};
  Answer answer = call(*host, request("w1", "changePin", wrongOldPin));
  EXPECT_EQ(answer.code(), "PIN_INCORRECT") << answer.message.dump();
  EXPECT_EQ(answer.error().value("triesLeft", -1), 2) << answer.message.dump();
  answer = call(*host, request("w2", "changePin", wrongOldPin));
  EXPECT_EQ(answer.code(), "PIN_INCORRECT") << answer.message.dump();
  EXPECT_EQ(answer.error().value("triesLeft", -1), 1) << "the final try: " << answer.message.dump();
  answer = call(*host, request("w3", "changePin", wrongOldPin));
  EXPECT_EQ(answer.code(), "PIN_LOCKED") << answer.message.dump();
  // Locked means locked: even the right PIN is refused now.
  answer = call(*host, request("w4", "changePin", {{"pin", "new-pin-42"}, {"newPin", "other-pin-7"}}));
  EXPECT_EQ(answer.code(), "PIN_LOCKED") << answer.message.dump();
}

// Wine's BCrypt fails the unblock self-test (its ECDH is a stub that returns a dummy secret): the host refuses
// the PIN reset at once, with its own code, instead of handing the RA a key it could not open correctly.
TEST_F(WineCard, UnblockIsRefusedBeforeAnyCardWorkWhereThePlatformCryptoFailsItsSelfTest) {
  auto host = startHost();
  const Answer answer = call(*host, request("u", "unblockRequest"));
  EXPECT_EQ(answer.code(), "UNBLOCK_UNAVAILABLE") << answer.message.dump();
  EXPECT_EQ(answer.error().value("reason", ""), "platformCryptoSelfTest");
  EXPECT_TRUE(answer.progress.empty()) << "refused before the card was touched";
}

TEST_F(WineCard, PulledCardIsNoCardAndPuttingItBackServesAgain) {
  auto host = startHost();
  const json readers = ok(*host, request("r", "listReaders"));
  ASSERT_EQ(readers["readers"].size(), 1u) << readers.dump(2);
  EXPECT_EQ(readers["readers"][0]["name"], "Mock Reader 0");
  EXPECT_EQ(readers["readers"][0]["cardPresent"], true);
  EXPECT_EQ(readers["readers"][0]["profile"]["id"], "certbridge-mock") << readers.dump(2);
  setCardPresent(false);
  const Answer answer = call(*host, request("l", "listCertificates"));
  EXPECT_EQ(answer.code(), "NO_CARD") << answer.message.dump();
  setCardPresent(true);
  EXPECT_TRUE(call(*host, request("l2", "listCertificates")).ok());
}

TEST_F(WineCard, RegisteredCertificatesAreInCurrentUserMyForTheNextProcess) {
  TestCa ca("CertBridge Test CA");
  auto host = startHost();
  const json generated = ok(*host, request("g", "generateKeyPair",
                                           {{"subject", raSubject("Registered")},
                                            {"keys", json::array({{{"usage", "signing"}}})},
                                            {"pins", pins()}}));
  ASSERT_FALSE(generated.is_null());
  const std::string certificate = ca.issue(generated["requests"][0]["request"], 365);
  ok(*host, request("w", "writeCertificates", {{"certificates", json::array({certificate})}, {"pins", pins()}}));
  // The environment check's registration row: CurrentUser\MY, not registered yet (inspect() changes nothing).
  const auto registeredInMy = [](const json& environment) {
    const json& cards = environment["registration"]["cards"];
    if (cards.size() != 1 || cards[0]["stores"].size() != 1) return json(nullptr);
    return cards[0]["stores"][0]["registered"];
  };
  const json before = ok(*host, request("e1", "environment"));
  EXPECT_EQ(before["registration"]["supported"], true) << before["registration"].dump(2);
  EXPECT_EQ(registeredInMy(before), false) << before["registration"].dump(2);
  const json registered = ok(*host, request("r", "registerCertificates"));
  ASSERT_EQ(registered["stores"].size(), 1u) << registered.dump(2);
  EXPECT_EQ(registered["stores"][0]["kind"], "windows-my");
  EXPECT_EQ(registered["stores"][0]["outcome"], "added") << registered.dump(2);
  host.reset();

  // What the next process (a browser) reads: the registry on disk holds the certificate under its thumbprint.
  std::string thumbprint;
  std::string output;
  runCommand(
      "printf '%s' " + shellQuote(certificate) + " | openssl x509 -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :",
      output);
  thumbprint = output.substr(0, output.find('\n'));
  ASSERT_EQ(thumbprint.size(), 40u) << output;
  EXPECT_NE(userRegistry().find("SystemCertificates\\\\MY\\\\Certificates\\\\" + thumbprint), std::string::npos)
      << "CurrentUser\\MY does not hold " << thumbprint;

  auto next = startHost();
  const json seen = ok(*next, request("e2", "environment"));
  EXPECT_EQ(registeredInMy(seen), true) << seen["registration"].dump(2);
  EXPECT_EQ(seen["registration"]["cards"][0]["stores"][0]["kind"], "windows-my");
  const json again = ok(*next, request("r2", "registerCertificates"));
  EXPECT_EQ(again["stores"][0]["outcome"], "alreadyPresent") << again.dump(2);
  const json removed = ok(*next, request("u", "unregisterCertificates"));
  EXPECT_EQ(removed["stores"][0]["outcome"], "removed") << removed.dump(2);
  const json after = ok(*next, request("e3", "environment"));
  EXPECT_EQ(registeredInMy(after), false) << after["registration"].dump(2);
}

TEST_F(WineCard, NoPinReachesTheLog) {
  auto host = startHost();
  ok(*host, request("c", "changePin", {{"pin", userPin()}, {"newPin", "new-pin-42"}}));
  ok(*host, request("c2", "changePin", {{"pin", "new-pin-42"}, {"newPin", userPin()}}));
  host.reset();
  const std::string log = hostLog();
  EXPECT_NE(log.find("command=changePin"), std::string::npos) << log;
  EXPECT_EQ(log.find(userPin()), std::string::npos);
  EXPECT_EQ(log.find("new-pin-42"), std::string::npos);
}

}  // namespace
}  // namespace certbridge::host::integration
