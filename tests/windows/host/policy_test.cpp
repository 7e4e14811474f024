// Policy for IT under wine: values written with `wine reg add` under HKLM and HKCU\SOFTWARE\Policies\CertBridge
// (what the ADMX template and the MSI write) reach certbridge-host.exe: its environment answer names each
// setting's source, the policy's origin is served, and a broken value is reported in the answer and the log
// while the host keeps serving.

#include <string>
#include <vector>

#include "wine_host.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMachineKey = "HKLM\\SOFTWARE\\Policies\\CertBridge";
constexpr const char* kUserKey = "HKCU\\SOFTWARE\\Policies\\CertBridge";

// The prefix is shared by the whole test binary: each test starts and ends without policy, even when an
// assertion fails half way.
class WinePolicy : public WineHost {
 protected:
  void SetUp() override {
    WineHost::SetUp();
    removePolicy();
  }
  void TearDown() override { removePolicy(); }

  static void removePolicy() {
    std::string output;
    for (const char* key : {kMachineKey, kUserKey}) runWine({"reg", "delete", key, "/f"}, output);
  }

  static void setValue(const char* key, const std::string& name, const std::string& type, const std::string& data) {
    std::string output;
    ASSERT_EQ(runWine({"reg", "add", key, "/v", name, "/t", type, "/d", data, "/f"}, output), 0) << output;
  }

  json environmentPolicy(HostProcess& host) {
    const json report = ok(host, request("env", "environment"));
    return report["host"]["policy"];
  }

  static std::string problemsText(const json& policy) {
    std::string text;
    for (const auto& problem : policy["problems"]) {
      text +=
          problem.value("source", "") + " | " + problem.value("entry", "") + " | " + problem.value("reason", "") + "\n";
    }
    return text;
  }
};

TEST_F(WinePolicy, MachineAndUserPolicyReachTheHostWithTheirSources) {
  setValue(kMachineKey, "AllowedOrigins", "REG_SZ", "https://gpo.example;https://gpo2.example:8443");
  setValue(kUserKey, "AllowedOrigins", "REG_SZ", "https://user.example");
  setValue(kUserKey, "LogLevel", "REG_SZ", "debug");
  auto host = startHost(Card::NoPcscService);
  const json policy = environmentPolicy(*host);
  ASSERT_TRUE(policy.is_object()) << policy.dump();

  EXPECT_EQ(policy["sources"][0]["name"], "HKLM policy") << policy.dump(2);
  EXPECT_EQ(policy["sources"][0]["location"], "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge");
  EXPECT_EQ(policy["sources"][1]["name"], "HKCU policy") << policy.dump(2);
  EXPECT_EQ(policy["sources"][2]["name"], "config file") << policy.dump(2);

  // The machine's origins are added to the configuration file's; the user's are shadowed by them.
  const json origins = policy["allowedOrigins"];
  EXPECT_EQ(origins["from"], json::array({"HKLM policy", "config file"})) << origins.dump();
  const auto listed = [&origins](const char* origin) {
    for (const auto& value : origins["value"]) {
      if (value == origin) return true;
    }
    return false;
  };
  EXPECT_TRUE(listed("https://gpo.example") && listed("https://gpo2.example:8443") && listed(kOrigin))
      << origins.dump();
  EXPECT_FALSE(listed("https://user.example")) << origins.dump();
  // HKCU decides what HKLM leaves unset.
  EXPECT_EQ(policy["logLevel"], (json{{"value", "debug"}, {"from", json::array({"HKCU policy"})}})) << policy.dump(2);
  EXPECT_TRUE(policy["problems"].empty()) << problemsText(policy);

  // What a portal notices: the policy's origin is served, the shadowed user origin is not.
  EXPECT_TRUE(call(*host, request("g", "listReaders", json::object(), "https://gpo.example"), 30s).code() !=
              "ORIGIN_NOT_ALLOWED");
  EXPECT_EQ(call(*host, request("u", "listReaders", json::object(), "https://user.example"), 30s).code(),
            "ORIGIN_NOT_ALLOWED");
}

TEST_F(WinePolicy, BrokenPolicyValuesAreReportedAndTheHostStillServes) {
  setValue(kMachineKey, "LogLevel", "REG_DWORD", "1");
  setValue(kMachineKey, "CardProfiles", "REG_SZ", "[{\"id\": \"broken\",");
  setValue(kUserKey, "AllowedOrigins", "REG_SZ", "ra.example/portal https://ok.example");
  setValue(kUserKey, "LogLevel", "REG_SZ", "verbose");
  auto host = startHost(Card::NoPcscService);
  const json policy = environmentPolicy(*host);
  const std::string problems = problemsText(policy);

  EXPECT_NE(problems.find("HKLM policy | LogLevel | is a REG_DWORD, not a REG_SZ (text): ignored"), std::string::npos)
      << problems;
  EXPECT_NE(problems.find("HKCU policy | LogLevel | \"verbose\" is not a log level"), std::string::npos) << problems;
  EXPECT_NE(problems.find("HKLM policy | CardProfiles | not valid JSON"), std::string::npos) << problems;
  EXPECT_NE(problems.find("HKCU policy | AllowedOrigins | \"ra.example/portal\" is not an origin"), std::string::npos)
      << problems;
  // Each broken value leaves its setting to the next source; the good origin of the same value applies.
  EXPECT_EQ(policy["logLevel"]["from"], json::array({"built-in defaults"})) << policy.dump(2);
  EXPECT_EQ(policy["cardProfiles"]["value"], json::array({"certbridge-mock"})) << policy.dump(2);
  EXPECT_EQ(policy["allowedOrigins"]["from"], json::array({"HKCU policy", "config file"})) << policy.dump(2);
  EXPECT_NE(call(*host, request("ok", "listReaders", json::object(), "https://ok.example"), 30s).code(),
            "ORIGIN_NOT_ALLOWED");

  host.reset();  // the log is complete once the host has exited
  const std::string log = hostLog();
  EXPECT_NE(log.find("policy: HKLM policy LogLevel is a REG_DWORD"), std::string::npos) << log;
  EXPECT_NE(log.find("policy: HKCU policy AllowedOrigins \"ra.example/portal\" is not an origin"), std::string::npos)
      << log;
}

}  // namespace
}  // namespace certbridge::host::integration
