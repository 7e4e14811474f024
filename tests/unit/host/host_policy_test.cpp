// The policy overlay (host_policy.hpp) through a registry in memory: HKLM over HKCU over the file, value by
// value; every unusable value ignored with a message that names it, and the next source applying.

#include <fstream>
#include <map>
#include <utility>

#include <gtest/gtest.h>

#include "certbridge/host/host_policy.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

constexpr const char* kFileConfig = R"({
  "allowedOrigins": ["https://file.example"],
  "cardProfiles": [{"id": "file-profile", "displayName": "From the file", "atr": "3B 95 13 81 01 80 73 FF 01 00 0B",
                    "module": "/usr/lib/file.so"}],
  "logLevel": "warn"
})";

constexpr const char* kPolicyProfiles =
    R"([{"id": "policy-profile", "displayName": "From policy", "atr": "3B 02 14 50", "module": "C:\\mw\\p11.dll"}])";

// The registry of a test: values under kPolicyKey of each hive. Asking for another key is a failure.
class FakeRegistry final : public RegistryReader {
 public:
  void set(RegistryHive hive, std::string_view name, RegistryValue value) {
    values_[{hive, std::string(name)}] = std::move(value);
  }
  std::optional<RegistryValue> read(RegistryHive hive, std::string_view key, std::string_view name) const override {
    EXPECT_EQ(key, kPolicyKey);
    const auto it = values_.find({hive, std::string(name)});
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::pair<RegistryHive, std::string>, RegistryValue> values_;
};

class HostPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "config.json";
    std::ofstream(file_, std::ios::binary) << kFileConfig;
  }

  ConfigLoad load() {
    ConfigLoad loaded = loadConfig(file_, true);
    EXPECT_TRUE(loaded.error.empty()) << loaded.error;
    applyRegistryPolicy(loaded, registry_);
    return loaded;
  }

  static std::vector<std::string> sourceNames(const HostConfig& config) {
    std::vector<std::string> names;
    for (const auto& source : config.policy.sources) names.push_back(source.name);
    return names;
  }

  static std::string problems(const HostConfig& config) {
    std::string text;
    for (const auto& p : config.policy.problems) text += p.source + " | " + p.entry + " | " + p.reason + "\n";
    return text;
  }

  test::TempDir dir_;
  std::filesystem::path file_;
  FakeRegistry registry_;
};

using Hive = RegistryHive;
using V = RegistryValue;

TEST_F(HostPolicy, WithoutPolicyTheFileRulesAndTheReportSaysSo) {
  const HostConfig config = load().config;
  EXPECT_EQ(sourceNames(config), (std::vector<std::string>{"config file", "built-in defaults"}));
  EXPECT_EQ(config.policy.sources[0].location, file_.string());
  EXPECT_EQ(config.policy.allowedOriginsFrom, std::vector<std::string>{"config file"});
  EXPECT_EQ(config.policy.logLevelFrom, std::vector<std::string>{"config file"});
  EXPECT_EQ(config.logLevel, "warn");
  EXPECT_TRUE(config.policy.problems.empty()) << problems(config);
}

TEST_F(HostPolicy, MachinePolicyWinsOverUserPolicyValueByValue) {
  registry_.set(Hive::LocalMachine, kPolicyLogLevel, V::string("debug"));
  registry_.set(Hive::CurrentUser, kPolicyLogLevel, V::string("error"));
  registry_.set(Hive::CurrentUser, kPolicyAllowedOrigins, V::string("https://user.example"));
  const HostConfig config = load().config;
  EXPECT_EQ(config.logLevel, "debug");
  EXPECT_EQ(config.policy.logLevelFrom, std::vector<std::string>{"HKLM policy"});
  // HKCU still decides what HKLM leaves unset; policy origins add to the file's.
  EXPECT_TRUE(config.isOriginAllowed("https://user.example"));
  EXPECT_TRUE(config.isOriginAllowed("https://file.example"));
  EXPECT_EQ(config.policy.allowedOriginsFrom, (std::vector<std::string>{"HKCU policy", "config file"}));
  EXPECT_EQ(sourceNames(config),
            (std::vector<std::string>{"HKLM policy", "HKCU policy", "config file", "built-in defaults"}));
  EXPECT_EQ(config.policy.sources[0].location, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge");
  EXPECT_EQ(config.policy.sources[1].location, "HKEY_CURRENT_USER\\SOFTWARE\\Policies\\CertBridge");
}

TEST_F(HostPolicy, MachineOriginsShadowTheUsersOnes) {
  registry_.set(Hive::LocalMachine, kPolicyAllowedOrigins, V::string("https://machine.example"));
  registry_.set(Hive::CurrentUser, kPolicyAllowedOrigins, V::string("https://user.example"));
  const HostConfig config = load().config;
  EXPECT_TRUE(config.isOriginAllowed("https://machine.example"));
  EXPECT_FALSE(config.isOriginAllowed("https://user.example"));
}

TEST_F(HostPolicy, OriginsSplitOnSpacesAndSemicolonsAndABadOneIsReportedWhileTheOthersApply) {
  registry_.set(Hive::LocalMachine, kPolicyAllowedOrigins,
                V::string("  https://a.example;https://b.example:8443\thttps://c.example:*  ra.example/path ;"));
  const HostConfig config = load().config;
  EXPECT_TRUE(config.isOriginAllowed("https://a.example"));
  EXPECT_TRUE(config.isOriginAllowed("https://b.example:8443"));
  EXPECT_TRUE(config.isOriginAllowed("https://c.example:4443"));
  EXPECT_FALSE(config.isOriginAllowed("https://ra.example"));
  ASSERT_EQ(config.policy.problems.size(), 1u) << problems(config);
  const PolicyProblem& problem = config.policy.problems[0];
  EXPECT_EQ(problem.source, "HKLM policy");
  EXPECT_EQ(problem.entry, "AllowedOrigins");
  EXPECT_NE(problem.reason.find("\"ra.example/path\" is not an origin"), std::string::npos) << problem.reason;
}

TEST_F(HostPolicy, AValueOfTheWrongTypeIsIgnoredAndTheNextSourceApplies) {
  registry_.set(Hive::LocalMachine, kPolicyLogLevel, V::dword(1));
  registry_.set(Hive::CurrentUser, kPolicyLogLevel, V::string("Error"));
  RegistryValue multi;
  multi.kind = RegistryValue::Kind::OtherType;
  multi.typeName = "REG_MULTI_SZ";
  registry_.set(Hive::LocalMachine, kPolicyAllowedOrigins, multi);
  const HostConfig config = load().config;
  EXPECT_EQ(config.logLevel, "error");
  EXPECT_EQ(config.policy.logLevelFrom, std::vector<std::string>{"HKCU policy"});
  EXPECT_EQ(config.policy.allowedOriginsFrom, std::vector<std::string>{"config file"});
  const std::string text = problems(config);
  EXPECT_NE(text.find("HKLM policy | LogLevel | is a REG_DWORD, not a REG_SZ (text): ignored"), std::string::npos)
      << text;
  EXPECT_NE(text.find("HKLM policy | AllowedOrigins | is a REG_MULTI_SZ"), std::string::npos) << text;
}

TEST_F(HostPolicy, UnknownLogLevelEmptyValuesAndUnreadableValuesAreReported) {
  registry_.set(Hive::LocalMachine, kPolicyLogLevel, V::string("verbose"));
  registry_.set(Hive::LocalMachine, kPolicyAllowedOrigins, V::string("  ; "));
  RegistryValue denied;
  denied.kind = RegistryValue::Kind::Unreadable;
  denied.typeName = "access denied";
  registry_.set(Hive::CurrentUser, kPolicyCardProfiles, denied);
  const HostConfig config = load().config;
  EXPECT_EQ(config.logLevel, "warn");
  ASSERT_EQ(config.cardProfiles.size(), 1u);
  EXPECT_EQ(config.cardProfiles[0].id, "file-profile");
  const std::string text = problems(config);
  EXPECT_NE(text.find("LogLevel | \"verbose\" is not a log level (trace, debug, info, warn, error, critical, off)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("AllowedOrigins | holds no origin: ignored"), std::string::npos) << text;
  EXPECT_NE(text.find("HKCU policy | CardProfiles | cannot be read (access denied)"), std::string::npos) << text;
}

TEST_F(HostPolicy, CardProfilesFromPolicyReplaceTheFilesTable) {
  registry_.set(Hive::LocalMachine, kPolicyCardProfiles, V::string(kPolicyProfiles));
  const HostConfig config = load().config;
  ASSERT_EQ(config.cardProfiles.size(), 1u) << problems(config);
  EXPECT_EQ(config.cardProfiles[0].id, "policy-profile");
  EXPECT_EQ(config.policy.cardProfilesFrom, std::vector<std::string>{"HKLM policy"});
}

TEST_F(HostPolicy, CardProfilesMayNameAFile) {
  const auto table = dir_.path() / "profiles.json";
  std::ofstream(table, std::ios::binary) << kPolicyProfiles;
  registry_.set(Hive::CurrentUser, kPolicyCardProfiles, V::string(table.string()));
  const HostConfig config = load().config;
  ASSERT_EQ(config.cardProfiles.size(), 1u) << problems(config);
  EXPECT_EQ(config.cardProfiles[0].id, "policy-profile");
}

TEST_F(HostPolicy, BrokenCardProfilesAreIgnoredAndTheFilesTableStays) {
  registry_.set(Hive::LocalMachine, kPolicyCardProfiles, V::string(R"([{"id": "x", )"));
  registry_.set(Hive::CurrentUser, kPolicyCardProfiles, V::string((dir_.path() / "missing.json").string()));
  const HostConfig config = load().config;
  ASSERT_EQ(config.cardProfiles.size(), 1u);
  EXPECT_EQ(config.cardProfiles[0].id, "file-profile");
  EXPECT_EQ(config.policy.cardProfilesFrom, std::vector<std::string>{"config file"});
  const std::string text = problems(config);
  EXPECT_NE(text.find("HKLM policy | CardProfiles | not valid JSON"), std::string::npos) << text;
  EXPECT_NE(text.find("HKCU policy | CardProfiles | is neither a JSON array nor a readable file"), std::string::npos)
      << text;
}

TEST_F(HostPolicy, ABrokenConfigFileIsAProblemAndPolicyStillApplies) {
  std::ofstream(file_, std::ios::binary | std::ios::trunc) << "{\"logLevel\": ";
  registry_.set(Hive::LocalMachine, kPolicyAllowedOrigins, V::string("https://machine.example"));
  ConfigLoad loaded = loadConfig(file_, true);
  applyRegistryPolicy(loaded, registry_);
  const HostConfig& config = loaded.config;
  EXPECT_TRUE(config.isOriginAllowed("https://machine.example"));
  EXPECT_EQ(config.policy.allowedOriginsFrom, (std::vector<std::string>{"HKLM policy", "built-in defaults"}));
  const std::string text = problems(config);
  EXPECT_NE(text.find("config file | (file) | configuration file"), std::string::npos) << text;
  EXPECT_NE(text.find("the built-in defaults apply"), std::string::npos) << text;
}

}  // namespace
}  // namespace certbridge::host
