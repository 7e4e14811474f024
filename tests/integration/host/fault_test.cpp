// Faults in the middle of card work: the host killed (SIGKILL, as when the browser dies) during key
// generation, a certificate write and a PIN change; the PC/SC service stopped during key generation; the
// card pulled during a certificate write. After each, the next request gets a true answer and the card is as
// before or made whole by the next call: nothing half-written that nothing shows.

#include <signal.h>

#include <cstdio>
#include <thread>

#include "card_test_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

// Waits for request id's progress message with this stage; fails when the answer comes first.
void awaitStage(HostProcess& host, const std::string& id, const std::string& stage) {
  for (;;) {
    const json message = host.receiveFor(id, 60s);
    ASSERT_TRUE(message.contains("progress")) << "answered before " << stage << ": " << message.dump();
    if (message["progress"]["stage"] == stage) return;
  }
}

void kill(HostProcess& host) {
  ASSERT_EQ(::kill(host.pid(), SIGKILL), 0);
  host.wait(10s);
}

// Two RSA-4096 keys: seconds on SoftHSM2, time to act while the first one is being made.
json slowGeneration(const json& pins) {
  return {
      {"subject", raSubject("Fault")},
      {"keys", json::array({{{"usage", "signing"}, {"keySize", 4096}}, {{"usage", "encryption"}, {"keySize", 4096}}})},
      {"pins", pins}};
}

class Faults : public CardCommands {
 protected:
  // Every private key on the card has its public key: no key pair was left half made.
  void expectWholeKeyPairs() const {
    EXPECT_EQ(countObjects("Private Key Object"), countObjects("Public Key Object")) << listObjectsWithPkcs11Tool();
  }
  // Certificates issued for n new keys on the card, not written yet.
  std::vector<std::string> issueForNewKeys(TestCa& ca, int n) {
    auto host = startHost();
    std::vector<std::string> issued;
    for (int i = 0; i < n; ++i) {
      issued.push_back(
          ca.issue(generate(*host, "Fault " + std::to_string(i), {"signing"})["requests"][0]["request"], 365));
    }
    return issued;
  }
};

TEST_F(Faults, HostKilledDuringKeyGenerationLeavesWholeKeyPairsAndTheNextCallWorks) {
  auto killed = startHost();
  killed->send(request("slow", "generateKeyPair", slowGeneration(pins())));
  awaitStage(*killed, "slow", "generatingKey");
  std::this_thread::sleep_for(300ms);
  kill(*killed);

  auto next = startHost();
  EXPECT_TRUE(call(*next, request("list", "listCertificates")).ok());
  expectWholeKeyPairs();
  const int keys = countObjects("Private Key Object");
  generate(*next, "After the kill", {"signing"});
  EXPECT_EQ(countObjects("Private Key Object"), keys + 1);
}

TEST_F(Faults, HostKilledDuringACertificateWriteIsMadeWholeByTheNextWrite) {
  TestCa ca("CertBridge Test CA");
  const auto issued = issueForNewKeys(ca, 2);
  auto killed = startHost();
  killed->send(request("w", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  awaitStage(*killed, "w", "writing");
  kill(*killed);

  auto next = startHost();
  const Answer again = call(*next, request("w2", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  ASSERT_TRUE(again.ok()) << again.message.dump();
  EXPECT_EQ(countObjects("Certificate Object"), 2);
  const json listed = call(*next, request("l", "listCertificates")).result()["certificates"];
  EXPECT_EQ(listed.size(), 2u) << listed.dump();
  for (const auto& certificate : listed) EXPECT_EQ(certificate["hasKey"], true) << certificate.dump();
}

TEST_F(Faults, HostKilledDuringAPinChangeLeavesExactlyOnePinThatWorks) {
  const std::string newPin = "after-kill-77";
  auto killed = startHost();
  killed->send(request("c", "changePin", {{"pin", userPin()}, {"newPin", newPin}}));
  awaitStage(*killed, "c", "changingPin");
  kill(*killed);

  // Each PIN tried with a login (SoftHSM2 never locks): the token has one or the other, never neither.
  // SoftHSM2 rewrites its token file in place, so a kill in the middle of that write can leave the file torn
  // (seen under the sanitizers' slower timing): the token is then gone from the module, and the true answer
  // is TOKEN_NOT_FOUND. That is a property of the software test token, not of CertBridge; it is reported.
  auto next = startHost();
  bool tokenTorn = false;
  const auto works = [&](const std::string& pin) {
    const Answer login = call(*next, request("k" + pin, "generateKeyPair",
                                             {{"subject", raSubject("PIN check")},
                                              {"keys", json::array({{{"usage", "signing"}}})},
                                              {"pins", json::array({pin})}}));
    if (login.code() == "TOKEN_NOT_FOUND") tokenTorn = true;
    EXPECT_TRUE(login.ok() || login.code() == "PIN_INCORRECT" || login.code() == "TOKEN_NOT_FOUND")
        << login.message.dump();
    return login.ok();
  };
  const bool oldWorks = works(userPin());
  const bool newWorks = works(newPin);
  if (tokenTorn) {
    std::printf("fault: host killed during a PIN change -> SoftHSM2's token file was torn (TOKEN_NOT_FOUND)\n");
    return;
  }
  EXPECT_NE(oldWorks, newWorks) << "old PIN works: " << oldWorks << ", new PIN works: " << newWorks;
  std::printf("fault: host killed during a PIN change -> the %s PIN works\n", oldWorks ? "old" : "new");
}

TEST_F(Faults, PcscServiceStoppedDuringKeyGenerationGivesATrueAnswer) {
  auto host = startHost();
  host->send(request("slow", "generateKeyPair", slowGeneration(pins())));
  awaitStage(*host, "slow", "generatingKey");
  {
    Restore start{"start-pcscd"};
    std::string output;
    ASSERT_TRUE(bed().run("stop-pcscd", &output)) << output;
    const Answer answer = await(*host, "slow");
    // The token still answers without the reader service: the keys are made (ok); or the host could not
    // tell the card is still there and says so.
    const std::string outcome = answer.ok() ? "ok" : answer.code();
    std::printf("fault: %s -> %s\n", ::testing::UnitTest::GetInstance()->current_test_info()->name(), outcome.c_str());
    EXPECT_TRUE(outcome == "ok" || outcome == "PCSC_UNAVAILABLE" || outcome == "CARD_REMOVED") << answer.message.dump();
    if (answer.ok()) {
      EXPECT_EQ(answer.result()["requests"].size(), 2u);
      EXPECT_EQ(countObjects("Private Key Object"), 2);
    }
  }
  expectWholeKeyPairs();
  std::this_thread::sleep_for(500ms);  // let pcscd see the reader again
  const Answer after = call(*host, request("after", "listCertificates"));
  EXPECT_TRUE(after.ok()) << after.message.dump();
}

TEST_F(Faults, CardPulledDuringACertificateWriteIsMadeWholeByTheNextWrite) {
  TestCa ca("CertBridge Test CA");
  const auto issued = issueForNewKeys(ca, 2);
  auto host = startHost();
  host->send(request("w", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  awaitStage(*host, "w", "writing");
  {
    Restore reinsert{"insert"};
    std::string output;
    ASSERT_TRUE(bed().run("remove", &output)) << output;
    const Answer answer = await(*host, "w");
    const std::string outcome = answer.ok() ? "ok" : answer.code();
    std::printf("fault: %s -> %s\n", ::testing::UnitTest::GetInstance()->current_test_info()->name(), outcome.c_str());
    EXPECT_TRUE(outcome == "ok" || outcome == "CARD_REMOVED") << answer.message.dump();
  }
  std::this_thread::sleep_for(500ms);  // let pcscd see the card again
  const Answer again = call(*host, request("w2", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  ASSERT_TRUE(again.ok()) << again.message.dump();
  EXPECT_EQ(countObjects("Certificate Object"), 2);
}

}  // namespace
}  // namespace certbridge::host::integration
