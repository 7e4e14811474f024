// PKCS#11 calls per operation: on a real card nearly every call that reaches the token is one or more APDUs at
// 10-50 ms, so the number of calls is what a user waits for. Each host operation runs in a fresh host (as the
// browser starts one per operation) whose card profile loads the counting module of tests/pkcs11_counter, and is
// held to the budget of pkcs11-tool doing the same work on the same token through the same counter, measured in
// the same test: no operation may make more token calls than the pkcs11-tool sequence.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "call_counts.hpp"
#include "card_test_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::clearPkcs11CallCounts;
using testing::Pkcs11CallCounts;
using testing::readPkcs11CallCounts;

class CallCounts : public CardCommands {
 protected:
  fs::path countDirectory() const { return bed().scratch() / "pkcs11-calls"; }

  std::map<std::string, std::string> counterEnvironment() const {
    return {{"CERTBRIDGE_PKCS11_COUNTER_MODULE", softhsmModule()},
            {"CERTBRIDGE_PKCS11_COUNTER_DIR", countDirectory().string()}};
  }

  /// The calls of one request answered by a fresh host, from its start to its exit.
  Pkcs11CallCounts hostCalls(const json& message, json* result = nullptr) {
    json profile = json::parse(readFile(bed().get("CERTBRIDGE_CONFIG")))["cardProfiles"][0];
    profile["module"] = CERTBRIDGE_PKCS11_COUNTER;
    auto overrides = counterEnvironment();
    overrides["CERTBRIDGE_CONFIG"] = configWith("counted", {{"cardProfiles", json::array({profile})}});
    clearPkcs11CallCounts(countDirectory());
    auto host = startHost(overrides);
    const json answer = ok(*host, message);
    if (result != nullptr) *result = answer;
    host->closeStdin();
    EXPECT_EQ(host->wait(20s), 0);
    return readPkcs11CallCounts(countDirectory());
  }

  /// The calls of pkcs11-tool runs (each `pkcs11-tool --module COUNTER --slot S ARGS`, one process each), after
  /// a `--list-token-slots` run: finding which slot holds the card's token is work the host does too (it maps
  /// the reader to its token through every slot's description and token label), so it is counted for both.
  Pkcs11CallCounts toolCalls(std::vector<std::string> runs) {
    runs.insert(runs.begin(), "--list-token-slots");
    std::string prefix = "SOFTHSM2_CONF=" + shellQuote(bed().get("SOFTHSM2_CONF"));
    for (const auto& [name, value] : counterEnvironment()) prefix += " " + name + "=" + shellQuote(value);
    prefix += std::string(" pkcs11-tool --module ") + CERTBRIDGE_PKCS11_COUNTER + " --slot " + slot_ + " ";
    clearPkcs11CallCounts(countDirectory());
    for (const auto& arguments : runs) {
      std::string output;
      EXPECT_EQ(run(prefix + arguments, output), 0) << arguments << ": " << output;
    }
    return readPkcs11CallCounts(countDirectory());
  }

  /// pkcs11-tool without counting (setting the token back after a counted run).
  void toolUncounted(const std::string& arguments) {
    std::string output;
    EXPECT_EQ(run("SOFTHSM2_CONF=" + shellQuote(bed().get("SOFTHSM2_CONF")) + " pkcs11-tool --module " +
                      shellQuote(softhsmModule()) + " --slot " + slot_ + " " + arguments,
                  output),
              0)
        << arguments << ": " << output;
  }

  std::string login() const { return "--login --pin " + shellQuote(userPin()) + " "; }

  /// Both counts in the test's output and the budget held: the host makes no more token calls.
  static void expectWithinBudget(const char* operation, const Pkcs11CallCounts& host, const Pkcs11CallCounts& tool) {
    std::printf("%-22s host %3llu token calls, pkcs11-tool %3llu\n  host:        %s\n  pkcs11-tool: %s\n", operation,
                static_cast<unsigned long long>(host.tokenCalls()), static_cast<unsigned long long>(tool.tokenCalls()),
                host.summary().c_str(), tool.summary().c_str());
    EXPECT_LE(host.tokenCalls(), tool.tokenCalls())
        << operation << ": the host makes more token calls than pkcs11-tool\n  host: " << host.summary()
        << "\n  pkcs11-tool: " << tool.summary();
  }

  std::string slot_;
};

TEST_F(CallCounts, NoOperationMakesMoreTokenCallsThanPkcs11Tool) {
  slot_ = pkcs11ToolSlot();
  ASSERT_FALSE(slot_.empty());
  TestCa ca("CertBridge Call Count CA");
  const fs::path scratch = bed().scratch();
  const std::string input = (scratch / "calls-input.bin").string();
  const std::string output = (scratch / "calls-output.bin").string();
  writeFile(input, std::vector<std::uint8_t>(64, 0x5a));
  const std::string signArgs = "--sign --mechanism SHA256-RSA-PKCS --input-file " + shellQuote(input) +
                               " --output-file " + shellQuote(output) + " ";

  // Keygen and its PKCS#10 request: generate, read the public key, sign the request with the new key.
  json generated;
  const Pkcs11CallCounts hostKeygen = hostCalls(
      request(
          "g", "generateKeyPair",
          {{"subject", raSubject("Call Count")}, {"keys", json::array({{{"usage", "signing"}}})}, {"pins", pins()}}),
      &generated);
  const Pkcs11CallCounts toolKeygen =
      toolCalls({login() + "--keypairgen --key-type rsa:2048 --id c0ffee --label counted",
                 "--read-object --type pubkey --id c0ffee --output-file " + shellQuote(output),
                 login() + signArgs + "--id c0ffee"});
  expectWithinBudget("generateKeyPair", hostKeygen, toolKeygen);
  toolUncounted(login() + "--delete-object --type privkey --id c0ffee");
  toolUncounted(login() + "--delete-object --type pubkey --id c0ffee");

  // Write: find the key by its public key, store the certificate beside it.
  const std::string certificatePem = ca.issue(generated["requests"][0]["request"], 365);
  json written;
  const Pkcs11CallCounts hostWrite = hostCalls(
      request("w", "writeCertificates", {{"certificates", json::array({certificatePem})}, {"pins", pins()}}), &written);
  const std::string keyId = written["certificates"][0]["keyId"];
  const fs::path certificateDer = scratch / "calls-certificate.der";
  toolUncounted("--read-object --type cert --id " + keyId + " --output-file " + shellQuote(certificateDer.string()));
  const Pkcs11CallCounts toolWrite =
      toolCalls({"--list-objects --type pubkey", login() + "--write-object " + shellQuote(certificateDer.string()) +
                                                     " --type cert --id c0ffee --label counted"});
  expectWithinBudget("writeCertificates", hostWrite, toolWrite);
  toolUncounted(login() + "--delete-object --type cert --id c0ffee");

  // List: every certificate and whether its key is there, each object read once (a certificate object and a
  // public key object per pair, a public key object per key without a certificate).
  json listed;
  const Pkcs11CallCounts hostList = hostCalls(request("l", "listCertificates"), &listed);
  expectWithinBudget("listCertificates", hostList, toolCalls({"--list-objects"}));
  std::uint64_t objects = listed["keysWithoutCertificate"].size();
  for (const auto& certificate : listed["certificates"]) objects += certificate["hasKey"].get<bool>() ? 2 : 1;
  EXPECT_EQ(objects, 2u) << listed.dump(2);
  EXPECT_LE(hostList["C_GetAttributeValue"], objects) << "the listing read an object twice: " << hostList.summary();

  // Sign renewal: choose the certificate, sign with its key.
  expectWithinBudget("signRenewal",
                     hostCalls(request("s", "signRenewal", {{"data", base64Encode({1, 2, 3})}, {"pins", pins()}})),
                     toolCalls({"--list-objects --type cert", login() + signArgs + "--id " + keyId}));

  // Authenticate with a chosen certificate: read it, sign with its key.
  const std::string certificateId = written["certificates"][0]["id"];
  expectWithinBudget("authenticate",
                     hostCalls(request("a", "authenticate",
                                       {{"challenge", base64Encode(std::vector<std::uint8_t>(32, 7))},
                                        {"certificate", certificateId},
                                        {"pins", pins()}})),
                     toolCalls({"--read-object --type cert --id " + keyId + " --output-file " + shellQuote(output),
                                login() + signArgs + "--id " + keyId}));

  // Change PIN (and back, uncounted).
  const std::string newPin = "Counted-42";
  const Pkcs11CallCounts hostChange =
      hostCalls(request("c", "changePin", {{"pin", userPin()}, {"newPin", newPin}, {"pinGroup", 0}}));
  toolUncounted("--login --pin " + shellQuote(newPin) + " --change-pin --new-pin " + shellQuote(userPin()));
  const Pkcs11CallCounts toolChange = toolCalls({login() + "--change-pin --new-pin " + shellQuote(newPin)});
  toolUncounted("--login --pin " + shellQuote(newPin) + " --change-pin --new-pin " + shellQuote(userPin()));
  expectWithinBudget("changePin", hostChange, toolChange);
}

}  // namespace
}  // namespace certbridge::host::integration
