// Many host processes on one card at once, as when many tabs or browsers use it: every answer is a true
// one (the result, or BUSY when the card stayed in use past the wait) and the card ends as the answers say.
// CERTBRIDGE_CONCURRENT_HOSTS sets how many hosts (default 100).

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "card_test_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

int concurrentHosts() {
  const char* configured = std::getenv("CERTBRIDGE_CONCURRENT_HOSTS");
  const int count = configured != nullptr ? std::atoi(configured) : 100;
  return count > 0 ? count : 100;
}

std::vector<std::uint8_t> bytes(std::size_t size, std::uint8_t value) {
  return std::vector<std::uint8_t>(size, value);
}

TEST_F(CardCommands, ManyHostsAtOnceGiveOnlyTrueAnswersAndLeaveTheCardIntact) {
  TestCa ca("CertBridge Test CA");
  std::string certificate;
  {
    auto setup = startHost();
    certificate = ca.issue(generate(*setup, "Concurrency", {"signing"})["requests"][0]["request"], 365);
    ok(*setup, request("w", "writeCertificates", {{"certificates", json::array({certificate})}, {"pins", pins()}}));
  }
  const int certificatesBefore = countObjects("Certificate Object");
  const int keysBefore = countObjects("Private Key Object");

  // A mix of what tabs do: read, sign, log in, make keys, list readers. Every host is started (hello
  // received) before any request goes out, so the requests meet at the card.
  const int count = concurrentHosts();
  std::vector<std::unique_ptr<HostProcess>> hosts;
  std::vector<json> requests;
  for (int i = 0; i < count; ++i) {
    hosts.push_back(startHost());
    const std::string id = "c" + std::to_string(i);
    switch (i % 5) {
      case 0:
        requests.push_back(request(id, "listCertificates"));
        break;
      case 1:
        requests.push_back(request(id, "signRenewal", {{"data", base64Encode(bytes(64, 1))}, {"pins", pins()}}));
        break;
      case 2:
        requests.push_back(request(id, "authenticate", {{"challenge", base64Encode(bytes(32, 2))}, {"pins", pins()}}));
        break;
      case 3:
        requests.push_back(request(id, "generateKeyPair",
                                   {{"subject", raSubject("Concurrent " + std::to_string(i))},
                                    {"keys", json::array({{{"usage", "signing"}}})},
                                    {"pins", pins()}}));
        break;
      default:
        requests.push_back(request(id, "listReaders"));
        break;
    }
  }
  for (int i = 0; i < count; ++i) hosts[i]->send(requests[i]);

  std::map<std::string, int> outcomes;
  int keysMade = 0;
  for (int i = 0; i < count; ++i) {
    const std::string command = requests[i]["command"];
    Answer answer;
    try {
      answer = await(*hosts[i], requests[i]["id"], 180s);
    } catch (const std::exception& e) {
      ADD_FAILURE() << command << " #" << i << ": no answer: " << e.what();
      ++outcomes["no answer"];
      continue;
    }
    const std::string outcome = answer.ok() ? "ok" : answer.code();
    ++outcomes[outcome];
    EXPECT_TRUE(outcome == "ok" || outcome == "BUSY") << command << " #" << i << ": " << answer.message.dump();
    if (!answer.ok()) continue;
    if (command == "generateKeyPair") ++keysMade;
    if (command == "signRenewal" || command == "authenticate") {
      EXPECT_EQ(answer.result()["certificate"]["certificate"].get<std::string>().empty(), false);
    }
    if (command == "listCertificates") {
      EXPECT_EQ(answer.result()["certificates"].size(), 1u) << answer.message.dump();
    }
  }
  hosts.clear();

  std::string figure = "concurrent hosts: " + std::to_string(count) + " requests ->";
  for (const auto& [outcome, times] : outcomes) figure += " " + outcome + " " + std::to_string(times);
  std::printf("%s\n", figure.c_str());
  RecordProperty("outcomes", figure);
  EXPECT_EQ(outcomes["ok"] + outcomes["BUSY"], count) << figure;
  EXPECT_GT(outcomes["ok"], 0) << figure;

  // The card as the answers say: the certificate untouched, one new key per keygen answered ok, and still
  // usable for signing by a fresh host.
  EXPECT_EQ(countObjects("Certificate Object"), certificatesBefore);
  EXPECT_EQ(countObjects("Private Key Object"), keysBefore + keysMade);
  auto after = startHost();
  const json signature =
      ok(*after, request("after", "signRenewal", {{"data", base64Encode(bytes(16, 3))}, {"pins", pins()}}));
  EXPECT_FALSE(signature.value("signature", "").empty());
}

}  // namespace
}  // namespace certbridge::host::integration
