// Tokens unlike the test bed's SoftHSM2, through the real host: the test double of tests/token_double
// forwards to SoftHSM2 but sets no PIN flag and locks after 3 wrong PINs (user and SO counted together), makes
// RSA keys of 1024-3072 bits only, fails C_Initialize, or reports an all-zero serial. Each test says what the
// page (and so the user) must be told about such a card.

#include <filesystem>

#include "card_test_fixture.hpp"

namespace certbridge::host::integration {
namespace {

class TokenBehaviour : public CardCommands {
 protected:
  /// A host whose card profile loads the token double, behaving as `behaviour` (tests/token_double/README.md).
  std::unique_ptr<HostProcess> startDoubleHost(const std::string& behaviour) {
    return startTokenDoubleHost(behaviour, {{"CERTBRIDGE_TOKEN_DOUBLE_STATE", statePath()}});
  }

  void SetUp() override {
    CardCommands::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::filesystem::remove(statePath());  // a fresh wrong-PIN count for each test
  }

  std::string statePath() const { return (bed().scratch() / "token-double-state").string(); }

  static json cardToken(const json& environment) {
    for (const auto& token : environment["tokens"])
      if (token["label"] == "CertBridge Card") return token;
    ADD_FAILURE() << "no token \"CertBridge Card\": " << environment["tokens"].dump(2);
    return json::object();
  }

  Answer generateWith(HostProcess& host, const std::string& id, const std::string& pin, int keySize = 2048) {
    return call(host, request(id, "generateKeyPair",
                              {{"subject", raSubject("Token behaviour")},
                               {"keys", json::array({{{"usage", "signing"}, {"keySize", keySize}}})},
                               {"pins", json::array({pin})}}));
  }
};

TEST_F(TokenBehaviour, ACardThatDoesNotReportItsTriesIsNeverGivenACount) {
  auto host = startDoubleHost("no-pin-flags,lock-after=3");
  json pin = cardToken(ok(*host, request("e1", "environment")))["pins"][0];
  EXPECT_EQ(pin["state"], "ok");
  EXPECT_EQ(pin["triesLeft"], nullptr) << "the token says nothing: no count, not the profile's 3";
  EXPECT_EQ(pin["locksAfter"], 3) << "what the window and the check say instead: it locks after 3 wrong PINs";

  for (const std::string id : {"w1", "w2"}) {
    const Answer wrong = generateWith(*host, id, "wrong-pin");
    EXPECT_EQ(wrong.code(), "PIN_INCORRECT");
    EXPECT_FALSE(wrong.error().contains("triesLeft")) << wrong.message.dump();
  }
  EXPECT_EQ(generateWith(*host, "w3", "wrong-pin").code(), "PIN_LOCKED");
  EXPECT_EQ(generateWith(*host, "right", userPin()).code(), "PIN_LOCKED") << "a locked card stays locked";

  // Locked, and the token's flags still say nothing: no "3 tries left" on a locked card.
  pin = cardToken(ok(*host, request("e2", "environment")))["pins"][0];
  EXPECT_EQ(pin["triesLeft"], nullptr);
  EXPECT_EQ(pin["locksAfter"], 3);
  const json ticket = ok(*host, request("u1", "unblockRequest"));
  EXPECT_EQ(ticket["pinState"]["triesLeft"], nullptr);
  EXPECT_EQ(ticket["pinState"]["locksAfter"], 3);
}

TEST_F(TokenBehaviour, UnblockingWithTheSoLoginLockedSaysTheCardCannotBeUnblocked) {
  auto host = startDoubleHost("no-pin-flags,lock-after=3");
  for (const std::string id : {"w1", "w2", "w3"}) generateWith(*host, id, "wrong-pin");
  const json ticket = ok(*host, request("u1", "unblockRequest"));
  // The RA's authorization is right; the card refuses any SO login now (its counter is shared).
  const Answer answer = call(
      *host,
      request("u2", "unblockPin", {{"authorization", authorizationFor(ticket, soPin())}, {"newPin", "reset-PIN-1"}}));
  EXPECT_EQ(answer.code(), "SO_PIN_LOCKED") << answer.message.dump();
  EXPECT_NE(answer.error()["message"].get<std::string>().find("can no longer be unblocked"), std::string::npos);
  EXPECT_NE(answer.error()["fix"].get<std::string>().find("will not help"), std::string::npos)
      << "not \"start the unblock again\": that would send the user round in a loop";
  EXPECT_EQ(answer.error()["pinName"], "PIN");
}

TEST_F(TokenBehaviour, AKeySizeTheCardDoesNotMakeIsRefusedBeforeThePin) {
  auto host = startDoubleHost("rsa-sizes=1024-3072");
  // The profile lists 2048, 3072 and 4096; the card says it stops at 3072.
  EXPECT_EQ(cardToken(ok(*host, request("e", "environment")))["keySizes"], json::array({2048, 3072}));
  // Refused before the login: a wrong PIN is never even tried (it would answer PIN_INCORRECT).
  const Answer answer = generateWith(*host, "g1", "wrong-pin", 4096);
  EXPECT_EQ(answer.code(), "BAD_REQUEST") << answer.message.dump();
  EXPECT_EQ(answer.error()["field"], "params.keys[0].keySize");
  EXPECT_EQ(answer.error()["keySizes"], json::array({2048, 3072}));
  EXPECT_NE(answer.error()["reason"].get<std::string>().find("2048, 3072"), std::string::npos);
  EXPECT_EQ(countObjects("Private Key Object"), 0);
  EXPECT_TRUE(generateWith(*host, "g2", userPin(), 3072).ok()) << "a size the card makes still works";
}

TEST_F(TokenBehaviour, AModuleThatFailsToStartIsNotReportedAsMissing) {
  auto host = startDoubleHost("initialize-fails");
  const json report = ok(*host, request("e", "environment"));
  ASSERT_EQ(report["modules"].size(), 1u) << report["modules"].dump(2);
  EXPECT_EQ(report["modules"][0]["loaded"], false);
  EXPECT_EQ(report["modules"][0]["error"]["code"], "PKCS11_MODULE_FAILED");
  EXPECT_EQ(report["modules"][0]["error"]["fix"].get<std::string>().find("Install"), std::string::npos)
      << "it is installed: the fix is its configuration, not installing it";
  const Answer answer = call(*host, request("l", "listCertificates"));
  EXPECT_EQ(answer.code(), "PKCS11_MODULE_FAILED") << answer.message.dump();
}

TEST_F(TokenBehaviour, AnAllZeroSerialIsNotTakenAsTheCardsIdentity) {
  auto host = startDoubleHost("serial=0000000000000000");
  const json token = cardToken(ok(*host, request("e", "environment")));
  EXPECT_EQ(token["serial"], "0000000000000000");
  EXPECT_EQ(token["serialUnique"], false) << "the portal must not take this serial as the card's identity";
  const json ticket = ok(*host, request("u1", "unblockRequest"));
  EXPECT_EQ(ticket["token"]["serialUnique"], false);
  // Another card of the same model stands in: same zero serial, same label, other keys (one made since the
  // request). The serial alone would let the RA's authorization unblock it.
  generate(*host, "Other card", {"signing"});
  const Answer answer = call(
      *host,
      request("u2", "unblockPin", {{"authorization", authorizationFor(ticket, soPin())}, {"newPin", "reset-PIN-1"}}));
  EXPECT_EQ(answer.code(), "UNBLOCK_AUTHORIZATION_INVALID") << answer.message.dump();
  EXPECT_EQ(answer.error()["reason"], "otherCard");
  const json listed = ok(*host, request("l", "listCertificates"));
  EXPECT_EQ(listed["token"]["serialUnique"], false);
}

}  // namespace
}  // namespace certbridge::host::integration
