// The real certbridge-host binary over pipes, against the virtual test bed: a private pcscd with a virtual
// reader pair ("Virtual PCD 00 00" with the card, "Virtual PCD 00 01" empty) and SoftHSM2 tokens
// ("CertBridge Card", bound to the card by the profile's token label, and "CertBridge Card 2").

#include <chrono>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "host_process.hpp"
#include "testbed.hpp"

namespace certbridge::host::integration {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kAllowedOrigin = "http://127.0.0.1:8080";  // the test bed allows http://127.0.0.1:*
constexpr const char* kForeignOrigin = "https://evil.example";
constexpr const char* kCardReader = "Virtual PCD 00 00";
constexpr const char* kEmptyReader = "Virtual PCD 00 01";
constexpr const char* kCardAtr = "3B 95 13 81 01 80 73 FF 01 00 0B";

json request(const std::string& id, const std::string& command, const std::string& origin = kAllowedOrigin,
             json params = json::object()) {
  return {{"id", id}, {"command", command}, {"origin", origin}, {"params", std::move(params)}};
}

const json* findBy(const json& list, const char* key, const std::string& value) {
  for (const auto& item : list) {
    if (item.contains(key) && item[key] == value) return &item;
  }
  return nullptr;
}

bool hasProblem(const json& report, const std::string& code) {
  return findBy(report["problems"], "code", code) != nullptr;
}

class HostWithTestbed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { testbed_ = Testbed::start(skipReason_, failure_).release(); }
  static void TearDownTestSuite() {
    delete testbed_;
    testbed_ = nullptr;
  }

  void SetUp() override {
    if (!failure_.empty()) FAIL() << failure_;
    if (testbed_ == nullptr) GTEST_SKIP() << skipReason_;
  }

  // A host process as Chrome starts it, with the test bed's environment plus overrides.
  std::unique_ptr<HostProcess> startHost(std::map<std::string, std::string> overrides = {},
                                         std::vector<std::string> args = {
                                             "chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/"}) {
    auto env = testbed_->environment();
    for (auto& [name, value] : overrides) env[name] = value;
    auto host =
        std::make_unique<HostProcess>(CERTBRIDGE_HOST_BINARY, args, env, testbed_->scratch() / "host-stderr.log");
    const json hello = host->receive(5s);
    EXPECT_EQ(hello["hello"]["name"], "certbridge-host");
    return host;
  }

  json call(HostProcess& host, const json& message, std::chrono::milliseconds timeout = 20s) {
    host.send(message);
    return host.receiveFor(message["id"].get<std::string>(), timeout);
  }

  json result(HostProcess& host, const std::string& command, const std::string& origin = kAllowedOrigin) {
    const json answer = call(host, request("r-" + command, command, origin));
    EXPECT_EQ(answer["ok"], true) << answer.dump(2);
    return answer.value("result", json::object());
  }

  // Restores the test bed state even when an assertion fails.
  struct Restore {
    const Testbed* bed;
    std::string command;
    ~Restore() {
      std::string output;
      if (!bed->run(command, &output))
        ADD_FAILURE() << "could not restore the test bed (" << command << "): " << output;
    }
  };

  static Testbed* testbed_;
  static std::string skipReason_;
  static std::string failure_;
};

Testbed* HostWithTestbed::testbed_ = nullptr;
std::string HostWithTestbed::skipReason_;
std::string HostWithTestbed::failure_;

TEST_F(HostWithTestbed, HelloFirstThenStatus) {
  auto host = std::make_unique<HostProcess>(CERTBRIDGE_HOST_BINARY, std::vector<std::string>{}, testbed_->environment(),
                                            testbed_->scratch() / "host-stderr.log");
  const json hello = host->receive(5s);
  ASSERT_TRUE(hello.contains("hello")) << hello.dump();
  EXPECT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello["hello"]["name"], "certbridge-host");
  EXPECT_EQ(hello["hello"]["protocol"], 1);
  const json status = call(*host, request("s1", "status"));
  EXPECT_EQ(status["ok"], true);
  EXPECT_EQ(status["result"]["host"]["version"], hello["hello"]["version"]);
}

TEST_F(HostWithTestbed, FirefoxStyleArguments) {
  auto host = startHost({}, {"/usr/lib/mozilla/native-messaging-hosts/com.certbridge.host.json",
                             "{5b1309ee-8eca-44d3-9fee-ddedec839aa7}"});
  EXPECT_EQ(call(*host, request("s", "status"))["ok"], true);
}

TEST_F(HostWithTestbed, EnvironmentShowsReadersCardProfileTokenAndPinState) {
  auto host = startHost();
  const json report = result(*host, "environment");

  EXPECT_EQ(report["pcsc"]["available"], true);
  EXPECT_TRUE(report["pcsc"]["error"].is_null());
  EXPECT_EQ(report["host"]["configFile"], testbed_->get("CERTBRIDGE_CONFIG"));
  EXPECT_EQ(report["host"]["logFile"].get<std::string>().rfind(testbed_->get("CERTBRIDGE_LOG_DIR"), 0), 0u);
  EXPECT_FALSE(report["host"]["os"]["name"].get<std::string>().empty());

  ASSERT_EQ(report["readers"].size(), 2u) << report.dump(2);
  const json* card = findBy(report["readers"], "name", kCardReader);
  ASSERT_NE(card, nullptr);
  EXPECT_EQ((*card)["cardPresent"], true);
  EXPECT_EQ((*card)["atr"], kCardAtr);
  EXPECT_EQ((*card)["profile"]["id"], "certbridge-virtual");
  EXPECT_EQ((*card)["profile"]["displayName"], "CertBridge virtual test card");
  EXPECT_EQ((*card)["token"]["label"], "CertBridge Card");
  EXPECT_FALSE((*card)["token"]["serial"].get<std::string>().empty());
  EXPECT_TRUE((*card)["problem"].is_null());
  const json* empty = findBy(report["readers"], "name", kEmptyReader);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ((*empty)["cardPresent"], false);
  EXPECT_TRUE((*empty)["atr"].is_null());
  EXPECT_TRUE((*empty)["profile"].is_null());
  EXPECT_EQ((*empty)["problem"]["code"], "NO_CARD");

  ASSERT_EQ(report["modules"].size(), 1u);
  EXPECT_EQ(report["modules"][0]["loaded"], true);

  const json* token = findBy(report["tokens"], "label", "CertBridge Card");
  ASSERT_NE(token, nullptr) << report["tokens"].dump(2);
  EXPECT_EQ((*token)["reader"], kCardReader);
  EXPECT_EQ((*token)["serial"], (*card)["token"]["serial"]);
  EXPECT_EQ((*token)["initialized"], true);
  ASSERT_EQ((*token)["pins"].size(), 1u);
  EXPECT_EQ((*token)["pins"][0]["name"], "PIN");
  EXPECT_EQ((*token)["pins"][0]["minLength"], 6);
  EXPECT_EQ((*token)["pins"][0]["maxLength"], 16);
  EXPECT_EQ((*token)["pins"][0]["state"], "ok");
  EXPECT_EQ((*token)["pins"][0]["triesLeft"], nullptr) << "SoftHSM2 reports no count: none is invented";
  EXPECT_EQ((*token)["pins"][0]["locksAfter"], 3);
  EXPECT_EQ((*token)["serialUnique"], true) << "SoftHSM2 serials differ per token";
  EXPECT_EQ((*token)["keySizes"], json::array({2048, 3072, 4096})) << "SoftHSM2 makes every size the profile lists";
  const json* second = findBy(report["tokens"], "label", "CertBridge Card 2");
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE((*second)["reader"].is_null());

  EXPECT_EQ(report["certificates"], json::array());
  EXPECT_EQ(report["problems"], json::array()) << "a working set-up has no problems";
}

TEST_F(HostWithTestbed, ListReaders) {
  auto host = startHost();
  const json readers = result(*host, "listReaders")["readers"];
  ASSERT_EQ(readers.size(), 2u);
  const json* card = findBy(readers, "name", kCardReader);
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(*card,
            (json{{"name", kCardReader},
                  {"cardPresent", true},
                  {"pinPad", false},
                  {"atr", kCardAtr},
                  {"profile", {{"id", "certbridge-virtual"}, {"displayName", "CertBridge virtual test card"}}}}));
  const json* empty = findBy(readers, "name", kEmptyReader);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ((*empty)["cardPresent"], false);
  EXPECT_TRUE((*empty)["atr"].is_null());
  EXPECT_TRUE((*empty)["profile"].is_null());
}

TEST_F(HostWithTestbed, RemovedCardAndReinsertedCard) {
  auto host = startHost();
  {
    std::string output;
    ASSERT_TRUE(testbed_->run("remove", &output)) << output;
    Restore restore{testbed_, "insert"};

    const json report = result(*host, "environment");
    for (const auto& reader : report["readers"]) EXPECT_EQ(reader["cardPresent"], false) << reader.dump();
    const json* problem = findBy(report["problems"], "code", "NO_CARD");
    ASSERT_NE(problem, nullptr) << report["problems"].dump(2);
    EXPECT_FALSE((*problem)["message"].get<std::string>().empty());
    EXPECT_FALSE((*problem)["fix"].get<std::string>().empty());
    EXPECT_TRUE((*problem)["subject"].is_null());
    // Held by name: a range-for over a member of the temporary result would read freed memory.
    const json emptyReaders = result(*host, "listReaders")["readers"];
    for (const auto& reader : emptyReaders) EXPECT_EQ(reader["cardPresent"], false);
  }
  const json readers = result(*host, "listReaders")["readers"];
  const json* card = findBy(readers, "name", kCardReader);
  ASSERT_NE(card, nullptr);
  EXPECT_EQ((*card)["cardPresent"], true);
  EXPECT_EQ((*card)["atr"], kCardAtr);
  const json report = result(*host, "environment");
  EXPECT_FALSE(hasProblem(report, "NO_CARD"));
  EXPECT_EQ((*findBy(report["readers"], "name", kCardReader))["token"]["label"], "CertBridge Card");
}

TEST_F(HostWithTestbed, PcscServiceDownIsReportedQuickly) {
  auto host = startHost();
  std::string output;
  ASSERT_TRUE(testbed_->run("stop-pcscd", &output)) << output;
  Restore restore{testbed_, "start-pcscd"};

  const auto start = std::chrono::steady_clock::now();
  const json answer = call(*host, request("l", "listReaders"), 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(answer["ok"], false);
  EXPECT_EQ(answer["error"]["code"], "PCSC_UNAVAILABLE");

  const json report = result(*host, "environment");
  EXPECT_EQ(report["pcsc"]["available"], false);
  EXPECT_EQ(report["pcsc"]["error"]["code"], "PCSC_UNAVAILABLE");
  EXPECT_TRUE(hasProblem(report, "PCSC_UNAVAILABLE"));
  EXPECT_EQ(report["readers"], json::array());
  EXPECT_EQ(call(*host, request("s", "status"))["ok"], true);
}

TEST_F(HostWithTestbed, ProfileNamingAMissingModule) {
  const auto config = testbed_->scratch() / "missing-module.json";
  std::ifstream in(testbed_->get("CERTBRIDGE_CONFIG"));
  json settings = json::parse(in);
  settings["cardProfiles"][0]["module"] = "/nonexistent/libcertbridge-missing-pkcs11.so";
  std::ofstream(config) << settings.dump(2);

  auto host = startHost({{"CERTBRIDGE_CONFIG", config.string()}});
  const json report = result(*host, "environment");
  const json* problem = findBy(report["problems"], "code", "PKCS11_MODULE_UNAVAILABLE");
  ASSERT_NE(problem, nullptr) << report["problems"].dump(2);
  EXPECT_EQ((*problem)["subject"], "/nonexistent/libcertbridge-missing-pkcs11.so");
  ASSERT_EQ(report["modules"].size(), 1u);
  EXPECT_EQ(report["modules"][0]["loaded"], false);
  EXPECT_EQ(report["modules"][0]["error"]["code"], "PKCS11_MODULE_UNAVAILABLE");
  const json* card = findBy(report["readers"], "name", kCardReader);
  ASSERT_NE(card, nullptr);
  EXPECT_EQ((*card)["profile"]["id"], "certbridge-virtual");
  EXPECT_EQ((*card)["problem"]["code"], "PKCS11_MODULE_UNAVAILABLE");
  EXPECT_TRUE((*card)["token"].is_null());
}

TEST_F(HostWithTestbed, UnknownOriginGetsStatusOnly) {
  auto host = startHost();
  const json denied = call(*host, request("e", "environment", kForeignOrigin));
  EXPECT_EQ(denied["ok"], false);
  EXPECT_EQ(denied["error"]["code"], "ORIGIN_NOT_ALLOWED");
  EXPECT_EQ(call(*host, request("l", "listReaders", kForeignOrigin))["error"]["code"], "ORIGIN_NOT_ALLOWED");
  EXPECT_EQ(call(*host, request("s", "status", kForeignOrigin))["ok"], true);
}

TEST_F(HostWithTestbed, GarbageThenAValidRequest) {
  auto host = startHost();
  host->sendPayload("this is not JSON");
  const json bad = host->receive();
  EXPECT_TRUE(bad["id"].is_null());
  EXPECT_EQ(bad["ok"], false);
  EXPECT_EQ(bad["error"]["code"], "BAD_REQUEST");
  host->sendPayload("");
  EXPECT_EQ(host->receive()["error"]["code"], "BAD_REQUEST");
  EXPECT_EQ(call(*host, request("after", "listReaders"))["ok"], true);
}

TEST_F(HostWithTestbed, OversizedMessageThenServing) {
  auto host = startHost();
  host->sendPayload(std::string(4 * 1024 * 1024 + 1, ' '));
  const json refused = host->receive();
  EXPECT_TRUE(refused["id"].is_null());
  EXPECT_EQ(refused["error"]["code"], "MESSAGE_TOO_LARGE");
  EXPECT_EQ(refused["error"]["limit"], 4 * 1024 * 1024);
  EXPECT_EQ(call(*host, request("after", "status"))["ok"], true);
}

TEST_F(HostWithTestbed, StatusDoesNotWaitForCardWork) {
  auto host = startHost();
  // Two environment reports queue on the worker (module loading, token listing); status is right behind.
  const std::string frames = [] {
    std::string bytes;
    for (const json& message :
         {request("env1", "environment"), request("env2", "environment"), request("st", "status")}) {
      const std::string payload = message.dump();
      const auto length = static_cast<std::uint32_t>(payload.size());
      bytes.append(reinterpret_cast<const char*>(&length), 4);
      bytes += payload;
    }
    return bytes;
  }();
  host->sendRaw(frames);
  const json first = host->receive();
  EXPECT_EQ(first["id"], "st") << "status waited behind card work";
  EXPECT_EQ(host->receiveFor("env1")["ok"], true);
  EXPECT_EQ(host->receiveFor("env2")["ok"], true);
}

TEST_F(HostWithTestbed, CancelAQueuedRequest) {
  auto host = startHost();
  std::string bytes;
  for (const json& message : {request("busy", "environment"), request("victim", "environment"),
                              request("stop", "cancel", kAllowedOrigin, {{"target", "victim"}})}) {
    const std::string payload = message.dump();
    const auto length = static_cast<std::uint32_t>(payload.size());
    bytes.append(reinterpret_cast<const char*>(&length), 4);
    bytes += payload;
  }
  host->sendRaw(bytes);
  const json victim = host->receiveFor("victim");
  EXPECT_EQ(victim["ok"], false);
  EXPECT_EQ(victim["error"]["code"], "USER_CANCELLED");
  EXPECT_EQ(host->receiveFor("stop")["result"]["cancelled"], true);
  EXPECT_EQ(host->receiveFor("busy")["ok"], true);
}

TEST_F(HostWithTestbed, ClosedStdinExitsCleanlyWithOnlyFramesOnStdout) {
  auto host = startHost();
  host->send(request("a", "status"));
  host->sendPayload("{broken");
  host->send(request("b", "environment"));
  host->send(request("c", "listReaders"));
  host->closeStdin();
  const auto code = host->wait(15s);
  ASSERT_TRUE(code.has_value()) << "the host did not exit after stdin closed";
  EXPECT_EQ(*code, 0);
  std::vector<json> frames;
  ASSERT_NO_THROW(frames = host->remainingFrames()) << "stdout held something besides whole JSON frames";
  for (const auto& frame : frames) {
    EXPECT_TRUE(frame.is_object());
    EXPECT_TRUE(frame.contains("id")) << frame.dump();
  }
  EXPECT_GE(frames.size(), 4u) << "every request answered (card work possibly USER_CANCELLED)";
}

TEST_F(HostWithTestbed, LogFileExistsAndHoldsNoParams) {
  const std::string canary = "SECRET-PIN-CANARY-4711";
  const std::filesystem::path logDir = testbed_->scratch() / "logs-no-params";
  {
    auto host = startHost({{"CERTBRIDGE_LOG_DIR", logDir.string()}});
    EXPECT_EQ(call(*host, request("p1", "listReaders", kAllowedOrigin, {{"pin", canary}}))["error"]["code"],
              "BAD_REQUEST");
    EXPECT_EQ(call(*host, request("p2", "status", kForeignOrigin, {{canary, 1}}))["error"]["code"], "BAD_REQUEST");
    host->sendPayload("{\"id\":\"p3\",\"pin\":\"" + canary + "\"");
    EXPECT_EQ(host->receive()["error"]["code"], "BAD_REQUEST");
    EXPECT_EQ(
        call(*host, request("p4", "cancel", kAllowedOrigin, {{"target", "CANCELTARGET" + canary.substr(7, 3)}}))["ok"],
        true);
    EXPECT_EQ(call(*host, request("p5", "environment"))["ok"], true);
    host->closeStdin();
    EXPECT_EQ(host->wait(15s), 0);
  }
  const auto logFile = logDir / "certbridge-host.log";
  ASSERT_TRUE(std::filesystem::exists(logFile));
  std::ifstream in(logFile);
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("command=environment"), std::string::npos) << log;
  EXPECT_NE(log.find("id=p5"), std::string::npos);
  EXPECT_EQ(log.find(canary), std::string::npos) << log;
  EXPECT_EQ(log.find("CANCELTARGET"), std::string::npos) << log;
  EXPECT_EQ(log.find(testbed_->get("CERTBRIDGE_TESTBED_USER_PIN")), std::string::npos);
}

}  // namespace
}  // namespace certbridge::host::integration
