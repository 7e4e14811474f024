// changePin, two-PIN cards, unblockRequest / unblockPin, and the lock sequence on openCryptoki's token, which
// (unlike SoftHSM2) counts wrong PINs and locks.

#include <fstream>
#include <thread>

#include "card_test_fixture.hpp"
#include "crypto/unblock_authorization.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

json changePin(const std::string& from, const std::string& to, int pinGroup = 0) {
  return {{"pin", from}, {"newPin", to}, {"pinGroup", pinGroup}};
}

TEST_F(CardCommands, ChangePinThenOnlyTheNewPinWorks) {
  auto host = startHost();
  const json changed = ok(*host, request("c1", "changePin", changePin(userPin(), "new-PIN-42")));
  EXPECT_EQ(changed["pinGroup"], 0);
  EXPECT_EQ(changed["pinName"], "PIN");
  EXPECT_EQ(changed["pinState"]["state"], "ok");
  // The old PIN is refused, the new one works (checked through a login of another command).
  const json oneKey = json::array({{{"usage", "signing"}}});
  const json subject = raSubject("A");
  EXPECT_EQ(
      call(*host, request("g1", "generateKeyPair", {{"subject", subject}, {"keys", oneKey}, {"pins", pins()}})).code(),
      "PIN_INCORRECT");
  EXPECT_TRUE(call(*host, request("g2", "generateKeyPair",
                                  {{"subject", subject}, {"keys", oneKey}, {"pins", json::array({"new-PIN-42"})}}))
                  .ok());

  // The profile's rules (6-16 characters) apply to both PINs, before the card is asked.
  Answer answer = call(*host, request("c2", "changePin", changePin("new-PIN-42", "12345")));
  EXPECT_EQ(answer.code(), "PIN_POLICY");
  answer = call(*host, request("c3", "changePin", changePin("new-PIN-42", "12345678901234567")));
  EXPECT_EQ(answer.code(), "PIN_POLICY");
  answer = call(*host, request("c4", "changePin", changePin("wrong-pin", "another-1")));
  EXPECT_EQ(answer.code(), "PIN_INCORRECT");
  answer = call(*host, request("c5", "changePin", {{"pin", "new-PIN-42"}}));
  EXPECT_EQ(answer.code(), "BAD_REQUEST");
  EXPECT_EQ(answer.error()["field"], "params.newPin");
  ok(*host, request("c6", "changePin", changePin("new-PIN-42", userPin())));
}

TEST_F(CardCommands, TwoPinCardsChangeEachPinOnItsOwn) {
  const std::string config = configWith(
      "two-pin", {{"cardProfiles", json::array({[&] {
                     json profile = json::parse(std::ifstream(bed().get("CERTBRIDGE_CONFIG")))["cardProfiles"][0];
                     profile["pins"] =
                         json::array({{{"name", "PIN 1"}, {"minLength", 6}, {"maxLength", 16}, {"maxTries", 3}},
                                      {{"name", "PIN 2"},
                                       {"minLength", 6},
                                       {"maxLength", 16},
                                       {"maxTries", 3},
                                       {"tokenLabel", "CertBridge Card 2"}}});
                     return profile;
                   }()})}});
  auto host = startHost({{"CERTBRIDGE_CONFIG", config}});
  const json changed = ok(*host, request("c", "changePin", changePin(userPin(), "second-pin", 1)));
  EXPECT_EQ(changed["pinName"], "PIN 2");
  // PIN 2 (token "CertBridge Card 2") changed; PIN 1 did not.
  const json keys = json::array({{{"usage", "signing"}, {"pinGroup", 0}}, {{"usage", "encryption"}, {"pinGroup", 1}}});
  const Answer wrongSecond = call(
      *host, request("g1", "generateKeyPair",
                     {{"subject", raSubject("B")}, {"keys", keys}, {"pins", json::array({userPin(), userPin()})}}));
  EXPECT_EQ(wrongSecond.code(), "PIN_INCORRECT");
  EXPECT_EQ(wrongSecond.error()["pinName"], "PIN 2");
  const Answer generated = call(
      *host, request("g2", "generateKeyPair",
                     {{"subject", raSubject("B")}, {"keys", keys}, {"pins", json::array({userPin(), "second-pin"})}}));
  ASSERT_TRUE(generated.ok()) << generated.message.dump();
  EXPECT_EQ(generated.result()["requests"][1]["pinGroup"], 1);
  EXPECT_EQ(countObjects("Private Key Object", "CertBridge Card"), 1);
  // The encryption key is on PIN 2's token.
  const std::string output = listObjectsWithPkcs11Tool("CertBridge Card 2", "second-pin");
  EXPECT_NE(output.find(generated.result()["requests"][1]["keyId"].get<std::string>()), std::string::npos) << output;
  const Answer missingGroup = call(*host, request("c2", "changePin", changePin(userPin(), "abcdefg", 2)));
  EXPECT_EQ(missingGroup.code(), "BAD_REQUEST");
}

TEST_F(CardCommands, UnblockWithTheRasAuthorizationSetsTheNewPin) {
  auto host = startHost();
  const json requested = ok(*host, request("u1", "unblockRequest"));
  EXPECT_EQ(requested["reader"], kCardReader);
  EXPECT_EQ(requested["token"]["label"], "CertBridge Card");
  EXPECT_EQ(requested["requestId"].get<std::string>().size(), 32u);
  EXPECT_FALSE(requested["token"]["serialNumber"].get<std::string>().empty());
  const json authorization = authorizationFor(requested, soPin());
  // Nothing secret in what the page sees: the authorization holds only ciphertext.
  EXPECT_EQ(authorization.dump().find(soPin()), std::string::npos);

  const json unblocked =
      ok(*host, request("u2", "unblockPin", {{"authorization", authorization}, {"newPin", "reset-PIN-1"}}));
  EXPECT_EQ(unblocked["pinState"]["state"], "ok");
  EXPECT_EQ(unblocked["pinState"]["triesLeft"], nullptr) << "SoftHSM2 reports no count: none is invented";
  EXPECT_EQ(unblocked["pinState"]["locksAfter"], 3);
  EXPECT_TRUE(call(*host, request("c", "changePin", changePin("reset-PIN-1", userPin()))).ok()) << "the new PIN works";

  // Replayed: the one-time key is gone.
  Answer answer =
      call(*host, request("u3", "unblockPin", {{"authorization", authorization}, {"newPin", "reset-PIN-2"}}));
  EXPECT_EQ(answer.code(), "UNBLOCK_AUTHORIZATION_INVALID");
  EXPECT_EQ(answer.error()["reason"], "noRequest");

  // Forged: changed ciphertext.
  json forged = authorizationFor(ok(*host, request("u4", "unblockRequest")), soPin());
  auto bytes = base64Decode(forged["ciphertext"]);
  bytes[0] ^= 0x01;
  forged["ciphertext"] = base64Encode(bytes);
  answer = call(*host, request("u5", "unblockPin", {{"authorization", forged}, {"newPin", "reset-PIN-2"}}));
  EXPECT_EQ(answer.code(), "UNBLOCK_AUTHORIZATION_INVALID");
  EXPECT_EQ(answer.error()["reason"], "forged");

  // Stale: made for an earlier request.
  const json earlier = authorizationFor(ok(*host, request("u6", "unblockRequest")), soPin());
  ok(*host, request("u7", "unblockRequest"));
  answer = call(*host, request("u8", "unblockPin", {{"authorization", earlier}, {"newPin", "reset-PIN-2"}}));
  EXPECT_EQ(answer.error()["reason"], "otherRequest");

  // A wrong SO credential, properly encrypted: the card refuses it.
  const json wrongCredential = authorizationFor(ok(*host, request("u9", "unblockRequest")), "00000000");
  answer = call(*host, request("u10", "unblockPin", {{"authorization", wrongCredential}, {"newPin", "reset-PIN-2"}}));
  EXPECT_EQ(answer.error()["reason"], "credentialRejected");

  // Another origin cannot use this origin's request; a PIN the rules refuse keeps the request usable.
  const json pending = ok(*host, request("u11", "unblockRequest"));
  answer = call(*host, request("u12", "unblockPin",
                               {{"authorization", authorizationFor(pending, soPin())}, {"newPin", "reset-PIN-3"}},
                               kOtherAllowedOrigin));
  EXPECT_EQ(answer.error()["reason"], "noRequest");
  answer = call(
      *host, request("u13", "unblockPin", {{"authorization", authorizationFor(pending, soPin())}, {"newPin", "123"}}));
  EXPECT_EQ(answer.code(), "PIN_POLICY");
  EXPECT_TRUE(call(*host, request("u14", "unblockPin",
                                  {{"authorization", authorizationFor(pending, soPin())}, {"newPin", userPin()}}))
                  .ok());

  // Neither the SO PIN nor any PIN of this test reached the log.
  const std::string log = hostLog();
  for (const std::string& secret : {soPin(), std::string("reset-PIN-1"), std::string("reset-PIN-2"), userPin()}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "secret in the log: " << secret;
  }
}

TEST_F(CardCommands, UnblockAuthorizationExpires) {
  auto host = startHost({{"CERTBRIDGE_CONFIG", configWith("short-unblock", {{"unblockLifetimeSeconds", 1}})}});
  const json requested = ok(*host, request("u1", "unblockRequest"));
  std::this_thread::sleep_for(1500ms);
  const Answer answer =
      call(*host, request("u2", "unblockPin",
                          {{"authorization", authorizationFor(requested, soPin())}, {"newPin", "reset-PIN-1"}}));
  EXPECT_EQ(answer.code(), "UNBLOCK_AUTHORIZATION_INVALID");
  EXPECT_EQ(answer.error()["reason"], "expired");
}

// wrong, wrong, wrong -> locked -> unblock -> works, on a token that really counts (openCryptoki; PINs 4-8).
TEST_F(CardCommands, OpenCryptokiLockSequenceAndUnblock) {
  auto host = startOpenCryptokiHost();
  const std::string pin = bed().get("CERTBRIDGE_TESTBED_OCK_USER_PIN");
  const json wrong = {
      {"subject", raSubject("Lock")}, {"keys", json::array({{{"usage", "signing"}}})}, {"pins", json::array({"9999"})}};
  Answer answer = call(*host, request("w1", "generateKeyPair", wrong));
  EXPECT_EQ(answer.code(), "PIN_INCORRECT") << answer.message.dump();
  EXPECT_EQ(answer.error()["triesLeft"], 2);
  answer = call(*host, request("w2", "generateKeyPair", wrong));
  EXPECT_EQ(answer.code(), "PIN_INCORRECT");
  EXPECT_EQ(answer.error()["triesLeft"], 1) << "final try";
  answer = call(*host, request("w3", "generateKeyPair", wrong));
  EXPECT_EQ(answer.code(), "PIN_LOCKED") << answer.message.dump();
  json right = wrong;
  right["pins"] = json::array({pin});
  answer = call(*host, request("w4", "generateKeyPair", right));
  EXPECT_EQ(answer.code(), "PIN_LOCKED") << "the right PIN cannot open a locked card";

  const json requested = ok(*host, request("u1", "unblockRequest"));
  EXPECT_EQ(requested["pinState"]["state"], "locked");
  const json unblocked =
      ok(*host, request("u2", "unblockPin",
                        {{"authorization", authorizationFor(requested, bed().get("CERTBRIDGE_TESTBED_OCK_SO_PIN"))},
                         {"newPin", "5678"}}));
  EXPECT_EQ(unblocked["pinState"]["state"], "ok");
  right["pins"] = json::array({"5678"});
  answer = call(*host, request("w5", "generateKeyPair", right));
  EXPECT_TRUE(answer.ok()) << answer.message.dump();
  ok(*host, request("c", "changePin", changePin("5678", pin)));
}

}  // namespace
}  // namespace certbridge::host::integration
