// Host configuration: a good file, bad files (each falls back to the built-in defaults), unknown keys.

#include <fstream>

#include <gtest/gtest.h>

#include "certbridge/build_info.hpp"
#include "certbridge/host/config.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

constexpr const char* kGoodConfig = R"({
  "allowedOrigins": ["https://ra.example", "http://127.0.0.1:*"],
  "cardProfiles": [{
    "id": "virtual", "displayName": "Virtual card", "atr": "3B 95 13 81 01 80 73 FF 01 00 0B",
    "atrMask": "FF FF FF FF FF FF FF FF FF FF FF", "module": "/usr/lib/softhsm/libsofthsm2.so",
    "tokenLabel": "CertBridge Card",
    "pins": [{"name": "PIN 1", "minLength": 6, "maxLength": 16, "maxTries": 3},
             {"name": "PIN 2", "charset": "digits", "tokenLabel": "CertBridge Card 2"}],
    "keySizes": [2048, 4096]
  }],
  "logLevel": "debug"
})";

HostConfig parse(const std::string& text) {
  std::vector<std::string> warnings;
  return parseConfig(text, warnings);
}

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

TEST(Config, ParsesAGoodFile) {
  std::vector<std::string> warnings;
  const HostConfig config = parseConfig(kGoodConfig, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_TRUE(config.isOriginAllowed("https://ra.example"));
  EXPECT_TRUE(config.isOriginAllowed("http://127.0.0.1:5000"));
  EXPECT_FALSE(config.isOriginAllowed("https://ra.certbridge.example"));  // replaces the built-in list
  ASSERT_EQ(config.cardProfiles.size(), 1u);
  const auto& profile = config.cardProfiles[0];
  EXPECT_EQ(profile.id, "virtual");
  EXPECT_EQ(profile.atr.size(), 11u);
  EXPECT_EQ(profile.atr[0], 0x3B);
  EXPECT_EQ(profile.atrMask.size(), 11u);
  EXPECT_EQ(profile.modulePath, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(profile.tokenLabel, "CertBridge Card");
  ASSERT_EQ(profile.pins.size(), 2u);
  EXPECT_EQ(profile.pins[0].name, "PIN 1");
  EXPECT_EQ(profile.pins[0].maxTries, 3);
  EXPECT_EQ(profile.pins[1].name, "PIN 2");
  EXPECT_EQ(profile.pins[1].minLength, 6);  // the card library's defaults
  EXPECT_EQ(profile.pins[0].charset, card::PinCharset::Printable);
  EXPECT_EQ(profile.pins[0].tokenLabel, "");
  EXPECT_EQ(profile.pins[1].charset, card::PinCharset::Digits);
  EXPECT_EQ(profile.pins[1].tokenLabel, "CertBridge Card 2");
  EXPECT_EQ(profile.keySizes, (std::vector<int>{2048, 4096}));
  EXPECT_EQ(config.logLevel, "debug");
}

TEST(Config, BuiltInDefaultsComeFromTheBuild) {
  const HostConfig config = HostConfig::builtInDefaults();
  EXPECT_EQ(config.allowedOrigins.size(), build::kDefaultAllowedOrigins.size());  // each one parsed
  for (const auto origin : build::kDefaultAllowedOrigins) {
    if (origin.ends_with(":*")) continue;
    EXPECT_TRUE(config.isOriginAllowed(origin)) << origin;
  }
  EXPECT_FALSE(config.isOriginAllowed("https://evil.example"));
  EXPECT_TRUE(config.cardProfiles.empty());
  EXPECT_FALSE(config.file);
}

TEST(Config, AbsentKeysKeepDefaults) {
  const HostConfig config = parse("{}");
  EXPECT_EQ(config.allowedOrigins.size(), build::kDefaultAllowedOrigins.size());
  EXPECT_EQ(config.logLevel, "info");
}

TEST(Config, UnknownKeysAreIgnoredWithAWarning) {
  std::vector<std::string> warnings;
  const HostConfig config = parseConfig(
      R"({"allowedOrigin": [], "cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so",
          "colour": "red", "pins": [{"name": "PIN", "retries": 3}]}]})",
      warnings);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_NE(warnings[0].find("allowedOrigin"), std::string::npos);
  EXPECT_NE(warnings[1].find("cardProfiles[0].colour"), std::string::npos);
  EXPECT_NE(warnings[2].find("cardProfiles[0].pins[0].retries"), std::string::npos);
  EXPECT_EQ(config.cardProfiles.size(), 1u);
}

TEST(Config, RejectsBadContent) {
  const std::vector<std::pair<const char*, const char*>> bad = {
      {"", "not valid JSON"},
      {"[]", "top level"},
      {R"({"allowedOrigins": "https://ra.example"})", "allowedOrigins"},
      {R"({"allowedOrigins": ["https://ra.example/"]})", "allowedOrigins[0]"},
      {R"({"allowedOrigins": ["*"]})", "allowedOrigins[0]"},
      {R"({"allowedOrigins": [1]})", "allowedOrigins[0]"},
      {R"({"cardProfiles": {}})", "cardProfiles"},
      {R"({"cardProfiles": [{"displayName": "A", "atr": "3B", "module": "/m.so"}]})", "cardProfiles[0].id"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3X", "module": "/m.so"}]})", "cardProfiles[0].atr"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B 95", "atrMask": "FF", "module": "/m.so"}]})",
       "cardProfiles[0]"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": ""}]})", "module"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "pins": []}]})", "pins"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "pins": [{"minLength": "6"}]}]})",
       "minLength"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "pins": [{"minLength": 9, "maxLength": 8}]}]})",
       "minLength"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "keySizes": [512]}]})",
       "keySizes"},
      // 1024 is a size RSA can have, but not one the protocol (protocol.json limits.rsaKeySizes) allows.
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "keySizes": [1024, 2048]}]})",
       "protocol's RSA sizes: 2048, 3072, 4096"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "pins": [{"charset": "emoji"}]}]})",
       "charset"},
      {R"({"cardProfiles": [{"id": "a", "displayName": "A", "atr": "3B", "module": "/m.so", "pins": [{"tokenLabel": "0123456789012345678901234567890123"}]}]})",
       "tokenLabel"},
      {R"({"allowedOrigins": ["http://[::1]:*"]})", "use http://127.0.0.1 or http://localhost"},
      {R"({"logLevel": "loud"})", "logLevel"},
      {R"({"logLevel": "info", "logLevel": "debug"})", "duplicate"},
  };
  for (const auto& [text, mention] : bad) {
    try {
      parse(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what() << " for " << text;
    }
  }
}

TEST(ConfigFile, LoadsAndRemembersTheFile) {
  test::TempDir dir;
  const auto file = dir.path() / "config.json";
  write(file, kGoodConfig);
  const ConfigLoad load = loadConfig(file, true);
  EXPECT_TRUE(load.error.empty());
  EXPECT_EQ(load.config.file, file);
  EXPECT_EQ(load.config.cardProfiles.size(), 1u);
}

TEST(ConfigFile, BadFilesFallBackToBuiltInDefaults) {
  test::TempDir dir;
  const auto file = dir.path() / "config.json";
  for (const auto& text :
       std::initializer_list<std::string>{std::string("{not json"), std::string("\xff\xfe{}"), std::string(),
                                          std::string(R"({"cardProfiles": [{"id": 1}]})")}) {
    write(file, text);
    const ConfigLoad load = loadConfig(file, true);
    EXPECT_FALSE(load.error.empty()) << text;
    EXPECT_NE(load.error.find(file.string()), std::string::npos);
    EXPECT_FALSE(load.config.file);
    EXPECT_EQ(load.config.allowedOrigins.size(), build::kDefaultAllowedOrigins.size());
    EXPECT_TRUE(load.config.cardProfiles.empty());
  }
}

TEST(ConfigFile, OversizedFileIsRefused) {
  test::TempDir dir;
  const auto file = dir.path() / "config.json";
  write(file, "{\"$comment\": \"" + std::string(2 * 1024 * 1024, 'x') + "\"}");
  EXPECT_NE(loadConfig(file, true).error.find("too large"), std::string::npos);
}

TEST(ConfigFile, MissingFileIsOnlyAnErrorWhenNamedExplicitly) {
  test::TempDir dir;
  const auto missing = dir.path() / "none.json";
  EXPECT_TRUE(loadConfig(missing, false).error.empty());
  EXPECT_FALSE(loadConfig(missing, true).error.empty());
}

TEST(ConfigFile, PathComesFromTheEnvironment) {
  {
    test::ScopedEnv env("CERTBRIDGE_CONFIG", std::string("/tmp/somewhere/config.json"));
    EXPECT_EQ(configFilePath(), std::filesystem::path("/tmp/somewhere/config.json"));
  }
  test::ScopedEnv env("CERTBRIDGE_CONFIG", std::nullopt);
#if defined(_WIN32)
  // Machine-wide, where the MSI and group policy put it.
  test::ScopedEnv programData("ProgramData", std::string("D:\\Shared Data"));
  EXPECT_EQ(configFilePath(), std::filesystem::path(L"D:\\Shared Data\\CertBridge\\config.json"));
#else
  EXPECT_EQ(configFilePath(), std::filesystem::path("/etc/certbridge/config.json"));
#endif
}

}  // namespace
}  // namespace certbridge::host

namespace certbridge::host {
namespace {

TEST(Config, CardWorkTimings) {
  std::vector<std::string> warnings;
  const HostConfig defaults = parseConfig("{}", warnings);
  EXPECT_EQ(defaults.cardBusyWait, std::chrono::seconds(10));
  EXPECT_EQ(defaults.unblockLifetime, kLongestUnblockLifetime);
  const HostConfig set = parseConfig(R"({"cardBusyWaitSeconds": 0, "unblockLifetimeSeconds": 60})", warnings);
  EXPECT_EQ(set.cardBusyWait, std::chrono::seconds(0));
  EXPECT_EQ(set.unblockLifetime, std::chrono::seconds(60));
  EXPECT_TRUE(warnings.empty());
  EXPECT_THROW(parseConfig(R"({"cardBusyWaitSeconds": -1})", warnings), ConfigError);
  EXPECT_THROW(parseConfig(R"({"cardBusyWaitSeconds": "10"})", warnings), ConfigError);
  // A policy may shorten the unblock lifetime, never lengthen it past what the extension keeps the host for.
  EXPECT_THROW(parseConfig(R"({"unblockLifetimeSeconds": 601})", warnings), ConfigError);
  EXPECT_THROW(parseConfig(R"({"unblockLifetimeSeconds": 0})", warnings), ConfigError);
}

}  // namespace
}  // namespace certbridge::host
