#include "card_faults.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace certbridge::host::integration {

using namespace std::chrono_literals;

void CardFaults::SetUp() {
  CardCommands::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  std::filesystem::remove(heldFile());
  std::filesystem::remove(releaseFile());
}

std::unique_ptr<HostProcess> CardFaults::startHeldHost(const std::string& stop, bool releasable) {
  std::map<std::string, std::string> files{{"CERTBRIDGE_TOKEN_DOUBLE_STOPPED", heldFile().string()}};
  if (releasable) files["CERTBRIDGE_TOKEN_DOUBLE_RELEASE"] = releaseFile().string();
  return startTokenDoubleHost(stop, files);
}

void CardFaults::awaitHeld(HostProcess& host, const std::string& id) {
  // Generous: the asan build makes RSA keys and opens SoftHSM2 many times slower.
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (!std::filesystem::exists(heldFile())) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the host never reached its stop";
    try {
      const json message = host.receiveFor(id, 20ms);
      ASSERT_TRUE(message.contains("progress")) << "answered before its stop: " << message.dump();
    } catch (const std::runtime_error&) {
      // Nothing yet (or the host is gone, which the deadline reports): still on its way to the stop.
      std::this_thread::sleep_for(10ms);
    }
  }
}

void CardFaults::release() const {
  writeFile(releaseFile(), "go");
}

void CardFaults::kill(HostProcess& host) {
  ASSERT_EQ(::kill(host.pid(), SIGKILL), 0);
  ASSERT_TRUE(host.wait(10s).has_value());
}

void CardFaults::killHostAt(const std::string& stop, const json& message) {
  auto held = startHeldHost(stop);
  held->send(message);
  awaitHeld(*held, message.at("id").get<std::string>());
  kill(*held);
}

std::vector<std::string> CardFaults::issueForNewKeys(TestCa& ca, int n) {
  auto host = startHost();
  std::vector<std::string> issued;
  for (int i = 0; i < n; ++i) {
    issued.push_back(
        ca.issue(generate(*host, "Fault " + std::to_string(i), {"signing"})["requests"][0]["request"], 365));
  }
  return issued;
}

void CardFaults::expectWholeKeyPairs() const {
  EXPECT_EQ(countObjects("Private Key Object"), countObjects("Public Key Object")) << listObjectsWithPkcs11Tool();
}

Answer CardFaults::loginWith(HostProcess& host, const std::string& pin) {
  return call(host, request("login-" + std::to_string(std::rand()), "generateKeyPair",
                            {{"subject", raSubject("PIN check")},
                             {"keys", json::array({{{"usage", "signing"}}})},
                             {"pins", json::array({pin})}}));
}

void CardFaults::expectOnlyPin(HostProcess& host, const std::string& works, const std::string& refused) {
  const Answer wrong = loginWith(host, refused);
  EXPECT_EQ(wrong.code(), "PIN_INCORRECT") << wrong.message.dump();
  const Answer right = loginWith(host, works);
  EXPECT_TRUE(right.ok()) << right.message.dump();
}

void CardFaults::expectNextWriteMakesWhole(HostProcess& host, const std::vector<std::string>& issued) {
  const Answer again =
      call(host, request("rewrite", "writeCertificates", {{"certificates", issued}, {"pins", pins()}}));
  ASSERT_TRUE(again.ok()) << again.message.dump();
  EXPECT_EQ(countObjects("Certificate Object"), static_cast<int>(issued.size())) << "each once, none twice";
  const json listed = ok(host, request("list-after", "listCertificates"));
  EXPECT_EQ(listed["certificates"].size(), issued.size()) << listed.dump();
  for (const auto& certificate : listed["certificates"]) EXPECT_EQ(certificate["hasKey"], true) << certificate.dump();
  EXPECT_TRUE(listed["keysWithoutCertificate"].empty()) << listed.dump();
}

void CardFaults::report(const std::string& outcome) {
  std::printf("fault: %s -> %s\n", ::testing::UnitTest::GetInstance()->current_test_info()->name(), outcome.c_str());
}

}  // namespace certbridge::host::integration
