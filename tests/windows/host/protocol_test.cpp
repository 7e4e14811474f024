// certbridge-host.exe under wine speaks the protocol as the Linux host does: hello first, status, framing
// errors, size limits, origins, every command's parameter validation, a clean exit when the browser closes
// the port, and a log in %LOCALAPPDATA%\CertBridge\logs that holds no secret. Without a smart card service
// (wine's winscard.dll is a stub, as on a PC whose Smart Card service is stopped) the environment check says
// so in words.

#include <map>
#include <set>

#include "test_files.hpp"

#include "wine_host.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

TEST_F(WineHost, HelloFirstThenStatus) {
  auto host = startHost(Card::NoPcscService);
  const json status = ok(*host, request("s1", "status"));
  EXPECT_EQ(status["host"]["version"], CERTBRIDGE_VERSION);
  EXPECT_TRUE(status["host"]["protocol"].is_number_integer()) << status.dump();
}

// process_hardening.cpp: once started, the exe is on the user's Windows Error Reporting exclusion list, and
// answers as before. Wine keeps that list under HKCU\Software\Microsoft\Windows Error Reporting (Windows
// elsewhere); that Windows then makes no report or dump, only a Windows machine can show.
TEST_F(WineHost, ExcludedFromErrorReportingAndStillAnswering) {
  const std::string list = "HKCU\\Software\\Microsoft\\Windows Error Reporting\\ExcludedApplications";
  std::string output;
  runWine({"reg", "delete", list, "/v", "certbridge-host.exe", "/f"}, output);
  ASSERT_NE(runWine({"reg", "query", list, "/v", "certbridge-host.exe"}, output), 0) << output;
  {
    // Ended before the query: runWine waits for every wine process of the prefix.
    auto host = startHost(Card::NoPcscService);
    EXPECT_EQ(ok(*host, request("s1", "status"))["host"]["version"], CERTBRIDGE_VERSION);
  }
  ASSERT_EQ(runWine({"reg", "query", list, "/v", "certbridge-host.exe"}, output), 0) << output;
  EXPECT_NE(output.find("REG_DWORD"), std::string::npos) << output;
}

TEST_F(WineHost, EnvironmentSaysInWordsThatTheSmartCardServiceIsNotThere) {
  auto host = startHost(Card::NoPcscService);
  const json report = ok(*host, request("e", "environment"));
  EXPECT_EQ(report["host"]["os"]["name"], "Windows") << report["host"].dump();
  EXPECT_EQ(report["pcsc"]["available"], false);
  bool named = false;
  for (const auto& problem : report["problems"]) {
    if (problem["code"] != "PCSC_UNAVAILABLE") continue;
    named = true;
    EXPECT_FALSE(problem.value("message", "").empty()) << problem.dump();
    // The fix is Windows' own steps (messages.json fixByOs), and the error says which OS they are for.
    EXPECT_EQ(problem.value("os", ""), "windows") << problem.dump();
    EXPECT_NE(problem.value("fix", "").find("Smart Card"), std::string::npos) << problem.dump();
    EXPECT_EQ(problem.value("fix", "").find("pcscd"), std::string::npos) << problem.dump();
  }
  EXPECT_TRUE(named) << report["problems"].dump(2);
  const std::string logFile = report["host"].value("logFile", "");
  EXPECT_NE(logFile.find("AppData\\Local\\CertBridge\\logs"), std::string::npos) << logFile;
  // Card commands give the same answer, at once.
  const Answer readers = call(*host, request("l", "listReaders"), 30s);
  EXPECT_EQ(readers.code(), "PCSC_UNAVAILABLE") << readers.message.dump();
}

TEST_F(WineHost, UnlistedOriginGetsStatusOnly) {
  auto host = startHost(Card::NoPcscService);
  EXPECT_TRUE(call(*host, request("s", "status", json::object(), "https://evil.example")).ok());
  for (const char* command : {"environment", "listReaders", "listCertificates", "generateKeyPair", "changePin"}) {
    const Answer denied =
        call(*host, request(std::string("o-") + command, command, json::object(), "https://evil.example"));
    EXPECT_EQ(denied.code(), "ORIGIN_NOT_ALLOWED") << command;
  }
}

TEST_F(WineHost, GarbageAndOversizedFramesThenServing) {
  auto host = startHost(Card::NoPcscService);
  host->sendPayload("this is not JSON");
  const json bad = host->receive();
  EXPECT_TRUE(bad["id"].is_null());
  EXPECT_EQ(bad["error"]["code"], "BAD_REQUEST");
  host->sendPayload(std::string(4 * 1024 * 1024 + 1, ' '));
  const json refused = host->receive(60s);
  EXPECT_EQ(refused["error"]["code"], "MESSAGE_TOO_LARGE") << refused.dump();
  EXPECT_TRUE(call(*host, request("after", "status")).ok());
}

TEST_F(WineHost, MalformedParametersOfEveryCommandAreBadRequestsNamingTheField) {
  auto host = startHost(Card::NoPcscService);
  int index = 0;
  for (const auto& malformed : malformedCases()) {
    const Answer answer = call(*host, request("m" + std::to_string(index++), malformed.command, malformed.params));
    EXPECT_EQ(answer.code(), "BAD_REQUEST") << malformed.command << " " << malformed.params.dump();
    EXPECT_EQ(answer.message["error"].value("field", ""), malformed.field) << answer.message.dump();
    const std::string text = answer.message.dump();
    EXPECT_EQ(text.find("123456"), std::string::npos) << "a PIN was echoed: " << text;
  }
}

TEST_F(WineHost, ClosedPortExitsCleanlyAndTheLogHoldsNoSecret) {
  const std::string canary = "SECRET-PIN-CANARY-4711";
  {
    auto host = startHost(Card::NoPcscService);
    EXPECT_EQ(call(*host, request("p1", "listReaders", {{"pin", canary}})).code(), "BAD_REQUEST");
    host->sendPayload("{\"id\":\"p2\",\"pin\":\"" + canary + "\"");
    EXPECT_EQ(host->receive()["error"]["code"], "BAD_REQUEST");
    EXPECT_TRUE(call(*host, request("p3", "environment")).ok());
    host->closeStdin();
    const auto code = host->wait(30s);
    ASSERT_TRUE(code.has_value()) << "the host did not exit after stdin closed";
    EXPECT_EQ(*code, 0);
    std::vector<json> frames;
    EXPECT_NO_THROW(frames = host->remainingFrames()) << "stdout held something besides whole JSON frames";
  }
  const std::string log = hostLog();
  EXPECT_NE(log.find("command=environment"), std::string::npos) << log;
  EXPECT_EQ(log.find(canary), std::string::npos) << log;
}

// What the MSI and IT rely on: `certbridge-host install --user` points every browser's registry key at a
// manifest beside the exe that names the exe, and uninstall takes both away again.
TEST_F(WineHost, InstallRegistersTheHostWithEveryBrowserAndUninstallRemovesIt) {
  const std::filesystem::path exe = hostExe();
  std::string output;
  ASSERT_EQ(runWine({exe.string(), "install", "--user"}, output), 0) << output;
  const std::map<std::string, std::string> keys = {
      {"chrome", "HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.certbridge.host"},
      {"edge", "HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.certbridge.host"},
      {"firefox", "HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.certbridge.host"}};
  for (const auto& [browser, key] : keys) {
    const std::filesystem::path manifest = exe.parent_path() / ("com.certbridge.host." + browser + ".json");
    ASSERT_TRUE(std::filesystem::exists(manifest)) << manifest;
    const json parsed = json::parse(readFile(manifest));
    EXPECT_EQ(parsed["name"], "com.certbridge.host");
    EXPECT_EQ(parsed["path"], windowsPath(exe)) << parsed.dump(2);
    EXPECT_EQ(runWine({"reg", "query", key, "/ve"}, output), 0) << browser << ": " << output;
    EXPECT_NE(output.find("com.certbridge.host." + browser + ".json"), std::string::npos) << output;
  }
  ASSERT_EQ(runWine({exe.string(), "uninstall", "--user"}, output), 0) << output;
  for (const auto& [browser, key] : keys) {
    EXPECT_NE(runWine({"reg", "query", key}, output), 0) << browser << " key still there: " << output;
    EXPECT_FALSE(std::filesystem::exists(exe.parent_path() / ("com.certbridge.host." + browser + ".json")));
  }
}

}  // namespace
}  // namespace certbridge::host::integration
