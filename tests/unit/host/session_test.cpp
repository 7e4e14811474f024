// A whole conversation over in-memory streams: hello first, answers in order, errors with the right id,
// over-size messages in both directions, clean ends.

#include <gtest/gtest.h>

#include "certbridge/host/responder.hpp"
#include "certbridge/host/session.hpp"
#include "certbridge/protocol.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

using nlohmann::json;
using test::frame;
using test::request;

constexpr const char* kAllowed = "https://ra.certbridge.example";
constexpr const char* kForeign = "https://evil.example";

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() {
    state_.config = HostConfig::builtInDefaults();
    state_.config.allowedOrigins.clear();
    state_.config.allowedOrigins.push_back(*OriginPattern::parse(kAllowed));
  }

  // Sends input and keeps the stream open until `answers` messages besides hello came back (the host
  // cancels pending work at end of stream, as when the browser closes the port).
  std::vector<json> converse(const std::string& input, std::size_t answers, int* exitCode = nullptr) {
    test::StringSource in(input, 7);  // odd chunks: frames arrive in pieces
    test::StringSink out;
    in.beforeEnd = [&] { EXPECT_TRUE(out.waitForFrames(answers + 1, std::chrono::seconds(10))); };
    const int code = runSession(in, out, state_);
    if (exitCode != nullptr) *exitCode = code;
    return test::parseFrames(out.data);
  }

  static const json* byId(const std::vector<json>& messages, const json& id) {
    for (const auto& message : messages) {
      if (message.contains("id") && message["id"] == id) return &message;
    }
    return nullptr;
  }

  HostState state_;
  // PC/SC must be deterministically absent for these tests, whatever runs on this machine.
  test::ScopedEnv pcsc_{"PCSCLITE_CSOCK_NAME", std::string("/nonexistent/certbridge-test/pcscd.comm")};
};

TEST_F(SessionTest, HelloComesFirstAndAnEmptyStreamEndsCleanly) {
  int code = -1;
  const auto messages = converse("", 0, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["hello"]["name"], "certbridge-host");
  EXPECT_EQ(messages[0]["hello"]["protocol"], protocol::kProtocolVersion);
  EXPECT_FALSE(messages[0]["hello"]["version"].get<std::string>().empty());
}

TEST_F(SessionTest, StatusFromAnyOrigin) {
  const auto messages = converse(frame(request("s1", "status", kForeign)), 1);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1]["id"], "s1");
  EXPECT_EQ(messages[1]["ok"], true);
  EXPECT_EQ(messages[1]["result"]["host"]["protocol"], protocol::kProtocolVersion);
  EXPECT_EQ(messages[1]["result"]["host"]["version"], messages[0]["hello"]["version"]);
  EXPECT_EQ(messages[1].size(), 3u) << "exactly id, ok, result";
}

TEST_F(SessionTest, OtherCommandsNeedAnAllowedOrigin) {
  const auto messages = converse(frame(request("e1", "environment", kForeign)) +
                                     frame(request("l1", "listReaders", "http://127.0.0.1:8080")) +
                                     frame(request("c1", "cancel", kForeign, {{"target", "e1"}})),
                                 3);
  for (const char* id : {"e1", "l1", "c1"}) {
    const json* answer = byId(messages, id);
    ASSERT_NE(answer, nullptr) << id;
    EXPECT_EQ((*answer)["ok"], false);
    EXPECT_EQ((*answer)["error"]["code"], "ORIGIN_NOT_ALLOWED") << id;
    // The environment check tells IT which allow-list to change: the host's, not the extension's.
    EXPECT_EQ((*answer)["error"]["refusedBy"], "host") << id;
  }
}

TEST_F(SessionTest, GarbageThenAValidRequest) {
  const auto messages = converse(frame(std::string("garbage")) + frame(std::string()) + frame(std::string("[1]")) +
                                     frame(request("ok1", "status", kAllowed)),
                                 4);
  ASSERT_EQ(messages.size(), 5u);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(messages[i]["id"].is_null());
    EXPECT_EQ(messages[i]["ok"], false);
    EXPECT_EQ(messages[i]["error"]["code"], "BAD_REQUEST");
    EXPECT_FALSE(messages[i]["error"]["message"].get<std::string>().empty());
    EXPECT_FALSE(messages[i]["error"]["fix"].get<std::string>().empty());
  }
  EXPECT_EQ(messages[4]["id"], "ok1");
  EXPECT_EQ(messages[4]["ok"], true);
}

TEST_F(SessionTest, OversizedMessageIsRefusedAndTheHostKeepsServing) {
  const std::string huge(protocol::kBrowserToHostMaxBytes + 1, ' ');
  const auto messages = converse(frame(huge) + frame(request("after", "status", kAllowed)), 2);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_TRUE(messages[1]["id"].is_null());
  EXPECT_EQ(messages[1]["error"]["code"], "MESSAGE_TOO_LARGE");
  EXPECT_EQ(messages[1]["error"]["limit"], protocol::kBrowserToHostMaxBytes);
  EXPECT_EQ(messages[2]["id"], "after");
  EXPECT_EQ(messages[2]["ok"], true);
}

TEST_F(SessionTest, TruncatedFrameEndsTheSessionCleanly) {
  int code = -1;
  const auto messages = converse(frame(request("s", "status", kAllowed)) + test::header(100) + "{\"id\"", 1, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1]["id"], "s");
}

TEST_F(SessionTest, ParamsAreValidatedPerCommand) {
  const auto messages = converse(frame(request("p1", "status", kAllowed, {{"verbose", true}})) +
                                     frame(request("p2", "cancel", kAllowed)) +
                                     frame(request("p3", "cancel", kAllowed, {{"target", "a b"}})) +
                                     frame(request("p4", "listReaders", kAllowed, {{"pin", "123456"}})),
                                 4);
  EXPECT_EQ((*byId(messages, "p1"))["error"]["field"], "params.verbose");
  EXPECT_EQ((*byId(messages, "p2"))["error"]["field"], "params.target");
  EXPECT_EQ((*byId(messages, "p3"))["error"]["field"], "params.target");
  EXPECT_EQ((*byId(messages, "p4"))["error"]["field"], "params.pin");
  EXPECT_EQ((*byId(messages, "p4"))["error"].dump().find("123456"), std::string::npos);
}

TEST_F(SessionTest, CancelOfNothingPending) {
  const auto messages = converse(frame(request("c", "cancel", kAllowed, {{"target", "nothing"}})), 1);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1]["result"], (json{{"cancelled", false}}));
}

TEST_F(SessionTest, CardWorkWithoutPcscAnswersPcscUnavailable) {
  const auto messages = converse(frame(request("r1", "listReaders", kAllowed)), 1);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1]["id"], "r1");
  EXPECT_EQ(messages[1]["ok"], false);
  EXPECT_EQ(messages[1]["error"]["code"], "PCSC_UNAVAILABLE");
}

TEST_F(SessionTest, EnvironmentWithoutPcscStillReports) {
  const auto messages = converse(frame(request("env", "environment", kAllowed)), 1);
  ASSERT_EQ(messages.size(), 2u);
  const json& result = messages[1]["result"];
  EXPECT_EQ(result["pcsc"]["available"], false);
  EXPECT_EQ(result["pcsc"]["error"]["code"], "PCSC_UNAVAILABLE");
  EXPECT_EQ(result["readers"], json::array());
  EXPECT_EQ(result["modules"], json::array());
  EXPECT_EQ(result["certificates"], json::array());
  ASSERT_EQ(result["problems"].size(), 1u);
  EXPECT_EQ(result["problems"][0]["code"], "PCSC_UNAVAILABLE");
  EXPECT_TRUE(result["problems"][0]["subject"].is_null());
  EXPECT_EQ(result["host"]["protocol"], protocol::kProtocolVersion);
  EXPECT_FALSE(result["host"]["os"]["arch"].get<std::string>().empty());
  EXPECT_TRUE(result["host"]["configFile"].is_null());
}

TEST_F(SessionTest, EnvironmentSaysWhichPolicyIsInForceAndWhatWasIgnored) {
  state_.config.policy.sources = {{"HKLM policy", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge"},
                                  {"built-in defaults", ""}};
  state_.config.policy.allowedOriginsFrom = {"HKLM policy"};
  state_.config.policy.problems = {{"HKLM policy", "LogLevel", "is a REG_DWORD, not a REG_SZ (text): ignored"}};
  const auto messages = converse(frame(request("env", "environment", kAllowed)), 1);
  ASSERT_EQ(messages.size(), 2u);
  const json& policy = messages[1]["result"]["host"]["policy"];
  EXPECT_EQ(policy["sources"], json::parse(R"([{"name": "HKLM policy",
      "location": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge"}, {"name": "built-in defaults", "location": null}])"))
      << policy.dump(2);
  EXPECT_EQ(policy["allowedOrigins"],
            (json{{"value", json::array({kAllowed})}, {"from", json::array({"HKLM policy"})}}));
  EXPECT_EQ(policy["logLevel"], (json{{"value", "info"}, {"from", json::array({"built-in defaults"})}}));
  EXPECT_EQ(policy["cardProfiles"]["value"], json::array());
  EXPECT_EQ(policy["problems"], json::parse(R"([{"source": "HKLM policy", "entry": "LogLevel",
      "reason": "is a REG_DWORD, not a REG_SZ (text): ignored"}])"));
}

TEST_F(SessionTest, EndOfStreamCancelsQueuedWork) {
  // Nothing waits for the answers: the browser is gone, so pending work is cancelled. Enough requests are
  // queued that the worker cannot finish them all before the reader sees the end of the stream, however the
  // two threads are scheduled (with three, a busy 2-core machine once let the worker answer all of them first).
  constexpr int kQueued = 40;
  std::string input;
  for (int index = 0; index < kQueued; ++index) {
    input += frame(request("q" + std::to_string(index), index % 2 == 0 ? "environment" : "listReaders", kAllowed));
  }
  int code = -1;
  const auto messages = converse(input, 0, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(messages.size(), kQueued + 1u) << "every request is answered, one way or the other";
  std::size_t cancelled = 0;
  for (int index = 0; index < kQueued; ++index) {
    const json* answer = byId(messages, "q" + std::to_string(index));
    ASSERT_NE(answer, nullptr) << index;
    if (!(*answer)["ok"].get<bool>() && (*answer)["error"]["code"] == "USER_CANCELLED") ++cancelled;
  }
  EXPECT_GE(cancelled, 1u);
}

TEST(Responder, OversizedResultBecomesMessageTooLarge) {
  test::StringSink sink;
  FrameWriter writer(sink, protocol::kHostToBrowserMaxBytes);
  Responder responder(writer);
  const auto sent = responder.sendResult("big", {{"blob", std::string(protocol::kHostToBrowserMaxBytes, 'x')}});
  EXPECT_EQ(sent, ErrorCode::MessageTooLarge);
  const auto messages = test::parseFrames(sink.data);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["id"], "big");
  EXPECT_EQ(messages[0]["ok"], false);
  EXPECT_EQ(messages[0]["error"]["code"], "MESSAGE_TOO_LARGE");
  EXPECT_EQ(messages[0]["error"]["limit"], protocol::kHostToBrowserMaxBytes);
}

TEST(Responder, InvalidUtf8FromACardIsReplacedNotFatal) {
  EXPECT_NO_THROW({
    const std::string wire = toWireJson({{"label", std::string("Card\xff\xfe")}});
    EXPECT_TRUE(json::accept(wire));
  });
}

}  // namespace
}  // namespace certbridge::host
