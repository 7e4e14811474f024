// Card events and concurrency: the card pulled during key generation (and put back), a cancelled generation, a
// second host process finding the card busy, and a host that keeps running while the PC/SC service restarts.

#include <csignal>
#include <thread>

#include "card_test_fixture.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

// Two RSA-4096 keys: long enough (seconds on SoftHSM2) to act while the first one is being made.
json slowGeneration(const json& pins) {
  return {
      {"subject", raSubject("Slow")},
      {"keys", json::array({{{"usage", "signing"}, {"keySize", 4096}}, {{"usage", "encryption"}, {"keySize", 4096}}})},
      {"pins", pins}};
}

// Waits for the progress message that says the first key is being made.
void awaitFirstKey(HostProcess& host, const std::string& id) {
  for (;;) {
    const json message = host.receiveFor(id, 60s);
    ASSERT_TRUE(message.contains("progress")) << "answered before the first key: " << message.dump();
    if (message["progress"]["stage"] == "generatingKey") return;
  }
}

class CardPulled : public CardCommands {
 protected:
  // Starts a slow generation, takes the card out while the first key is being made (and, with putBack, puts
  // it in again at once) and returns the generation's answer. The card is back in afterwards either way.
  Answer pullDuringGeneration(HostProcess& host, bool putBack) {
    host.send(request("slow", "generateKeyPair", slowGeneration(pins())));
    awaitFirstKey(host, "slow");
    Restore reinsert{"insert"};
    std::string output;
    EXPECT_TRUE(bed().run("remove", &output)) << output;
    if (putBack) {
      EXPECT_TRUE(bed().run("insert", &output)) << output;
    }
    return await(host, "slow");
  }
};

TEST_F(CardPulled, DuringKeyGenerationAnswersCardRemovedAndLeavesNoKey) {
  auto host = startHost();
  const Answer answer = pullDuringGeneration(*host, false);
  EXPECT_EQ(answer.code(), "CARD_REMOVED") << answer.message.dump();
  // The token is consistent: no key of the interrupted call is left, and the next call works.
  EXPECT_EQ(countObjects("Private Key Object"), 0);
  EXPECT_EQ(countObjects("Public Key Object"), 0);
  std::this_thread::sleep_for(500ms);  // let pcscd see the card again
  EXPECT_TRUE(call(*host, request("after", "listCertificates")).ok());
}

TEST_F(CardPulled, AndPutBackDuringKeyGenerationIsStillCardRemoved) {
  auto host = startHost();
  // Back before the first key is made: the token never noticed, the reader counted the removal.
  const Answer answer = pullDuringGeneration(*host, true);
  EXPECT_EQ(answer.code(), "CARD_REMOVED") << answer.message.dump();
  EXPECT_EQ(countObjects("Private Key Object"), 0);
  EXPECT_TRUE(call(*host, request("after", "listCertificates")).ok());
}

TEST_F(CardCommands, CancelDuringKeyGenerationStopsAtTheNextStepAndLeavesNoKey) {
  auto host = startHost();
  host->send(request("slow", "generateKeyPair", slowGeneration(pins())));
  awaitFirstKey(*host, "slow");
  const Answer cancelled = call(*host, request("stop", "cancel", {{"target", "slow"}}), 5s);
  EXPECT_EQ(cancelled.result()["cancelled"], true);
  const Answer answer = await(*host, "slow");
  EXPECT_EQ(answer.code(), "USER_CANCELLED") << answer.message.dump();
  EXPECT_EQ(countObjects("Private Key Object"), 0);
}

TEST_F(CardCommands, RequestsInOneProcessQueueAndAnotherProcessGetsBusy) {
  auto first = startHost();
  first->send(request("slow", "generateKeyPair", slowGeneration(pins())));
  // Queued behind the slow one in the same process: answered after it, not refused.
  first->send(request("queued", "listCertificates"));
  awaitFirstKey(*first, "slow");

  // Another host process (another tab or browser) waits for the card, then answers BUSY. The first host is
  // frozen while it holds the card, so the card stays in use however fast the token makes keys and however
  // slowly the second host starts (under the sanitizers the generation used to finish first).
  ASSERT_EQ(::kill(first->pid(), SIGSTOP), 0);
  auto second = startHost({{"CERTBRIDGE_CONFIG", configWith("busy-wait-1s", {{"cardBusyWaitSeconds", 1}})}});
  const auto start = std::chrono::steady_clock::now();
  const Answer busy = call(*second, request("other", "listCertificates"), 30s);
  ASSERT_EQ(::kill(first->pid(), SIGCONT), 0);
  ASSERT_EQ(busy.code(), "BUSY") << busy.message.dump();
  EXPECT_EQ(busy.error()["reason"], "cardInUse");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms) << "it waited before giving up";

  const Answer generated = await(*first, "slow");
  ASSERT_TRUE(generated.ok()) << generated.message.dump();
  const Answer queued = await(*first, "queued");
  EXPECT_TRUE(queued.ok()) << queued.message.dump();
  // Once the card is free, the other process is served.
  EXPECT_TRUE(call(*second, request("again", "listCertificates")).ok());
}

TEST_F(CardCommands, OneHostKeepsServingWhileThePcscServiceRestarts) {
  auto host = startHost();
  ASSERT_TRUE(call(*host, request("before", "listCertificates")).ok());
  std::string output;
  {
    Restore start{"start-pcscd"};
    ASSERT_TRUE(bed().run("stop-pcscd", &output)) << output;
    EXPECT_EQ(call(*host, request("stopped", "listCertificates")).code(), "PCSC_UNAVAILABLE");
  }
  EXPECT_TRUE(call(*host, request("restarted", "listCertificates")).ok());
  // Restarted with no request in between: the host's connection to the old service is stale.
  ASSERT_TRUE(bed().run("stop-pcscd", &output)) << output;
  ASSERT_TRUE(bed().run("start-pcscd", &output)) << output;
  const Answer answer = call(
      *host, request("quietly-restarted", "authenticate", {{"challenge", std::string(24, 'A')}, {"pins", pins()}}));
  EXPECT_EQ(answer.code(), "KEY_NOT_FOUND") << "the card was found and searched: " << answer.message.dump();
}

}  // namespace
}  // namespace certbridge::host::integration
