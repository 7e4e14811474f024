#include "card_test_fixture.hpp"

#include <openssl/evp.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "crypto/unblock_authorization.hpp"
#include "testbed_environment.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

// The test bed, started once for the whole binary (with openCryptoki, for the PIN lock).
TestbedEnvironment* const environment = TestbedEnvironment::add(true);

}  // namespace

json authorizationFor(const json& unblockRequest, const std::string& soPin) {
  const auto hostKey = base64Decode(unblockRequest["hostPublicKey"]);
  const auto sealed = crypto::sealUnblockAuthorization(
      hostKey,
      {unblockRequest["requestId"], unblockRequest["token"]["serialNumber"], unblockRequest["pinGroup"].get<int>()},
      soPin);
  return {{"version", 1},
          {"requestId", sealed.requestId},
          {"raPublicKey", base64Encode(sealed.raPublicKey)},
          {"iv", base64Encode(sealed.iv)},
          {"ciphertext", base64Encode(sealed.ciphertext)},
          {"tag", base64Encode(sealed.tag)}};
}

Testbed& CardCommands::bed() {
  return *environment->testbed;
}

void CardCommands::SetUp() {
  CERTBRIDGE_REQUIRE_TESTBED(environment);
  std::string output;
  ASSERT_TRUE(bed().run("reset-tokens", &output)) << output;
}

CardCommands::Restore::~Restore() {
  std::string output;
  if (!bed().run(command, &output)) ADD_FAILURE() << "could not restore the test bed (" << command << "): " << output;
}

std::unique_ptr<HostProcess> CardCommands::startHost(const std::map<std::string, std::string>& overrides) {
  auto env = bed().environment();
  for (const auto& [name, value] : overrides) env[name] = value;
  auto host = std::make_unique<HostProcess>(
      CERTBRIDGE_HOST_BINARY, std::vector<std::string>{"chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/"}, env,
      bed().scratch() / "host-stderr.log");
  const json hello = host->receive(5s);
  EXPECT_EQ(hello["hello"]["name"], "certbridge-host");
  return host;
}

std::unique_ptr<HostProcess> CardCommands::startTokenDoubleHost(const std::string& behaviour,
                                                                std::map<std::string, std::string> overrides) {
  json profile = json::parse(readFile(bed().get("CERTBRIDGE_CONFIG")))["cardProfiles"][0];
  profile["module"] = CERTBRIDGE_TOKEN_DOUBLE;
  overrides["CERTBRIDGE_CONFIG"] = configWith("token-double", {{"cardProfiles", json::array({profile})}});
  overrides["CERTBRIDGE_TOKEN_DOUBLE"] = behaviour;
  return startHost(overrides);
}

std::unique_ptr<HostProcess> CardCommands::startOpenCryptokiHost() {
  auto env = bed().environment();
  env["CERTBRIDGE_CONFIG"] = bed().get("CERTBRIDGE_CONFIG_OCK");
  // openCryptoki's token lives in the test bed's private mount and IPC namespace.
  auto host = std::make_unique<HostProcess>(
      "/usr/bin/nsenter",
      std::vector<std::string>{"--target", bed().get("CERTBRIDGE_TESTBED_OCK_PID"), "--mount", "--ipc", "--",
                               CERTBRIDGE_HOST_BINARY, "chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/"},
      env, bed().scratch() / "host-ock-stderr.log");
  const json hello = host->receive(10s);
  EXPECT_EQ(hello["hello"]["name"], "certbridge-host");
  return host;
}

std::string CardCommands::configWith(const std::string& name, const json& changes) const {
  json config = json::parse(readFile(bed().get("CERTBRIDGE_CONFIG")));
  config.merge_patch(changes);
  return writeFile(bed().scratch() / (name + ".json"), config.dump(2)).string();
}

Answer CardCommands::await(HostProcess& host, const std::string& id, std::chrono::milliseconds timeout) {
  return awaitAnswer(host, id, timeout);
}

Answer CardCommands::call(HostProcess& host, const json& message, std::chrono::milliseconds timeout) {
  host.send(message);
  return await(host, message["id"].get<std::string>(), timeout);
}

json CardCommands::ok(HostProcess& host, const json& message) {
  const Answer answer = call(host, message);
  EXPECT_TRUE(answer.ok()) << message["command"] << ": " << answer.message.dump(2);
  return answer.ok() ? answer.result() : json::object();
}

json CardCommands::generate(HostProcess& host, const std::string& commonName, const std::vector<std::string>& usages) {
  json keys = json::array();
  for (const auto& usage : usages) keys.push_back({{"usage", usage}});
  return ok(host, request("gen-" + std::to_string(std::rand()), "generateKeyPair",
                          {{"subject", raSubject(commonName)}, {"keys", keys}, {"pins", pins()}}));
}

std::string CardCommands::softhsmModule() const {
  const json config = json::parse(readFile(bed().get("CERTBRIDGE_CONFIG")));
  return config["cardProfiles"][0]["module"].get<std::string>();
}

std::string CardCommands::pkcs11ToolSlot(const std::string& tokenLabel) const {
  const std::string tool = "SOFTHSM2_CONF=" + shellQuote(bed().get("SOFTHSM2_CONF")) + " pkcs11-tool --module " +
                           shellQuote(softhsmModule());
  // pkcs11-tool's --token-label matches prefixes ("CertBridge Card" would pick "CertBridge Card 2"): find the
  // slot whose label is exactly tokenLabel.
  std::string slots;
  EXPECT_EQ(run(tool + " --list-token-slots", slots), 0) << slots;
  const std::regex slotLine(R"(^Slot \d+ \((0x[0-9a-f]+)\):)");
  std::istringstream lines(slots);
  std::string line;
  std::string slot;
  std::string found;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_search(line, match, slotLine)) slot = match[1];
    if (line == "  token label        : " + tokenLabel) found = slot;
  }
  EXPECT_FALSE(found.empty()) << "no token labelled " << tokenLabel << ": " << slots;
  return found;
}

std::string CardCommands::listObjectsWithPkcs11Tool(const std::string& tokenLabel, const std::string& pin) const {
  const std::string tool = "SOFTHSM2_CONF=" + shellQuote(bed().get("SOFTHSM2_CONF")) + " pkcs11-tool --module " +
                           shellQuote(softhsmModule());
  const std::string found = pkcs11ToolSlot(tokenLabel);
  std::string output;
  const int code =
      run(tool + " --slot " + found + " --login --pin " + shellQuote(pin.empty() ? userPin() : pin) + " --list-objects",
          output);
  EXPECT_EQ(code, 0) << output;
  return output;
}

int CardCommands::countObjects(const std::string& kind, const std::string& tokenLabel) const {
  const std::string listing = listObjectsWithPkcs11Tool(tokenLabel);
  int count = 0;
  for (std::size_t at = listing.find(kind); at != std::string::npos; at = listing.find(kind, at + 1)) ++count;
  return count;
}

std::string CardCommands::hostLog() const {
  return readFile(std::filesystem::path(bed().get("CERTBRIDGE_LOG_DIR")) / "certbridge-host.log");
}

}  // namespace certbridge::host::integration
