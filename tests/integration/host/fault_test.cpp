// Faults outside the host in the middle of card work: the PC/SC service stopped between the two keys of a key
// generation, and the card pulled between the two certificates of a write. The token double holds the host
// right after the first key or certificate is on the card (card_faults.hpp); the fault happens there and the
// host goes on. Each test asserts the answer the host gives, that it is true of the card (what the next
// listing shows), and that the card is whole or made whole by the next call. (The host killed inside a call:
// host_killed_test.cpp.)

#include <thread>

#include "card_faults.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

TEST_F(CardFaults, PcscServiceStoppedBetweenTwoKeysGivesBothKeysAndTheListingShowsThem) {
  auto host = startHeldHost("stop-after=C_GenerateKeyPair", true);
  host->send(request("g", "generateKeyPair",
                     {{"subject", raSubject("Fault")},
                      {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}}})},
                      {"pins", pins()}}));
  awaitHeld(*host, "g");
  json requests;
  {
    Restore start{"start-pcscd"};
    std::string output;
    ASSERT_TRUE(bed().run("stop-pcscd", &output)) << output;
    release();
    // Without the PC/SC service the host cannot ask the reader; the token still answers, so the card is
    // taken to be there (card_operation.cpp) and the work finishes: both keys made, both requests given.
    const Answer answer = await(*host, "g");
    const std::string outcome = answer.ok() ? "ok" : answer.code();
    ASSERT_EQ(outcome, "ok") << answer.message.dump();
    requests = answer.result()["requests"];
    ASSERT_EQ(requests.size(), 2u);
    expectWholeKeyPairs();
    const int keys = countObjects("Private Key Object");
    EXPECT_EQ(keys, 2);
    report(outcome + ", " + std::to_string(keys) + " keys on the card and 2 requests in the answer");
  }
  std::this_thread::sleep_for(500ms);  // let pcscd see the reader again
  // The answer was true: the card holds exactly the two keys it named, waiting for their certificates.
  const json listed = ok(*host, request("after", "listCertificates"));
  ASSERT_EQ(listed["keysWithoutCertificate"].size(), 2u) << listed.dump(2);
  for (const auto& key : listed["keysWithoutCertificate"]) {
    EXPECT_TRUE(key["keyId"] == requests[0]["keyId"] || key["keyId"] == requests[1]["keyId"]) << key.dump();
  }
  generate(*host, "After pcscd came back", {"signing"});
}

TEST_F(CardFaults, CardPulledBetweenTwoCertificateWritesIsReportedAndTheNextWriteMakesItWhole) {
  TestCa ca("CertBridge Test CA");
  const auto issued = issueForNewKeys(ca, 2);
  auto host = startHeldHost("stop-after=C_CreateObject", true);
  host->send(request("w", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  awaitHeld(*host, "w");
  {
    Restore reinsert{"insert"};
    std::string output;
    ASSERT_TRUE(bed().run("remove", &output)) << output;  // returns once pcscd reports the card gone
    std::this_thread::sleep_for(300ms);  // and the host's reader watch, woken by pcscd, has seen it too
    release();
    // The software token would take the second certificate without the card; a card would not. The host
    // stops writing as soon as the reader says the card is gone.
    const Answer answer = await(*host, "w");
    const std::string outcome = answer.ok() ? "ok" : answer.code();
    EXPECT_EQ(outcome, "CARD_REMOVED") << answer.message.dump();
    const int stored = countObjects("Certificate Object");
    EXPECT_EQ(stored, 1) << "the first certificate was stored, the second never";
    report(outcome + ", " + std::to_string(stored) + " of 2 certificates on the card");
  }
  std::this_thread::sleep_for(500ms);  // let pcscd see the card again
  // What the card holds is what the next answer says: one certificate beside its key, one key without.
  const json listed = ok(*host, request("l", "listCertificates"));
  ASSERT_EQ(listed["certificates"].size(), 1u) << listed.dump(2);
  EXPECT_EQ(listed["certificates"][0]["hasKey"], true);
  EXPECT_EQ(listed["keysWithoutCertificate"].size(), 1u) << listed.dump(2);
  expectNextWriteMakesWhole(*host, issued);
}

}  // namespace
}  // namespace certbridge::host::integration
