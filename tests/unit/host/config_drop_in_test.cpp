// Host configuration drop-ins (config.d/*.json beside config.json): what IT writes there is in effect, a
// later file wins key by key, and a bad or misnamed file is reported by name and ignored, never fatal.

#include <fstream>

#include <gtest/gtest.h>

#include "certbridge/build_info.hpp"
#include "certbridge/host/config.hpp"
#include "certbridge/protocol.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

constexpr const char* kProfile = R"({"id": "p1", "displayName": "Card one", "atr": "3B 95", "module": "/m.so"})";

class ConfigDropIns : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dropIns()); }

  std::filesystem::path main() const { return dir_.path() / "config.json"; }
  std::filesystem::path dropIns() const { return dir_.path() / "config.d"; }

  static void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }

  static std::vector<std::string> origins(const HostConfig& config) {
    std::vector<std::string> texts;
    for (const auto& pattern : config.allowedOrigins) texts.push_back(pattern.text());
    return texts;
  }

  static std::string problems(const ConfigLoad& load) {
    std::string text;
    for (const auto& problem : load.config.policy.problems) text += problem.reason + "\n";
    return text;
  }

  test::TempDir dir_;
};

TEST_F(ConfigDropIns, DirectoryIsBesideTheConfigurationFile) {
  EXPECT_EQ(configDropInDirectory("/etc/certbridge/config.json"), std::filesystem::path("/etc/certbridge/config.d"));
}

TEST_F(ConfigDropIns, LaterFilesReplaceEarlierOnesKeyByKey) {
  write(main(), R"({"allowedOrigins": ["https://main.example"], "logLevel": "warn"})");
  write(dropIns() / "20-site.json", R"({"allowedOrigins": ["https://site.example"]})");
  write(dropIns() / "10-cards.json", std::string(R"({"cardProfiles": [)") + kProfile + R"(], "logLevel": "debug"})");

  const ConfigLoad load = loadConfig(main(), true);
  EXPECT_TRUE(load.error.empty()) << load.error;
  EXPECT_EQ(origins(load.config), std::vector<std::string>{"https://site.example"});
  EXPECT_FALSE(load.config.isOriginAllowed("https://main.example"));
  ASSERT_EQ(load.config.cardProfiles.size(), 1u);
  EXPECT_EQ(load.config.cardProfiles[0].id, "p1");
  EXPECT_EQ(load.config.logLevel, "debug");  // 10-cards.json is read after config.json
  EXPECT_EQ(load.config.file, main());
  EXPECT_TRUE(load.config.policy.problems.empty()) << problems(load);

  // The winning file first, then the others, then the built-in defaults.
  const auto& sources = load.config.policy.sources;
  ASSERT_EQ(sources.size(), 4u);
  EXPECT_EQ(sources[0].location, test::utf8(dropIns() / "20-site.json"));
  EXPECT_EQ(sources[1].location, test::utf8(dropIns() / "10-cards.json"));
  EXPECT_EQ(sources[2].location, test::utf8(main()));
  EXPECT_EQ(sources[3].name, kSourceBuiltIn);
  EXPECT_EQ(load.config.policy.allowedOriginsFrom, std::vector<std::string>{std::string(kSourceConfigFile)});
}

TEST_F(ConfigDropIns, DropInsApplyWithoutAMainFile) {
  write(dropIns() / "50-site.json", R"({"allowedOrigins": ["https://site.example"]})");
  const ConfigLoad load = loadConfig(main(), false);
  EXPECT_TRUE(load.error.empty());
  EXPECT_FALSE(load.config.file);
  EXPECT_EQ(origins(load.config), std::vector<std::string>{"https://site.example"});
}

TEST_F(ConfigDropIns, ABadDropInIsReportedByNameAndTheOthersApply) {
  write(main(), R"({"logLevel": "warn"})");
  write(dropIns() / "10-broken.json", R"({"allowedOrigins": ["https://a.example")");
  write(dropIns() / "20-wrong.json", R"({"logLevel": "loud"})");
  write(dropIns() / "30-good.json", R"({"allowedOrigins": ["https://good.example"], "colour": "red"})");

  const ConfigLoad load = loadConfig(main(), true);
  EXPECT_EQ(origins(load.config), std::vector<std::string>{"https://good.example"});
  EXPECT_EQ(load.config.logLevel, "warn");
  const std::string text = problems(load);
  EXPECT_NE(text.find(test::utf8(dropIns() / "10-broken.json") + " is invalid: not valid JSON"), std::string::npos)
      << text;
  EXPECT_NE(text.find(test::utf8(dropIns() / "20-wrong.json") + " is invalid: logLevel"), std::string::npos) << text;
  EXPECT_NE(text.find(test::utf8(dropIns() / "30-good.json") + ": configuration: ignoring unknown key colour"),
            std::string::npos)
      << text;
  EXPECT_EQ(load.config.policy.sources.size(), 3u);  // 30-good.json, config.json, built-in
}

TEST_F(ConfigDropIns, ABadMainFileLeavesTheDropInsInForce) {
  write(main(), "{not json");
  write(dropIns() / "50-site.json", R"({"allowedOrigins": ["https://site.example"]})");
  const ConfigLoad load = loadConfig(main(), true);
  EXPECT_FALSE(load.error.empty());
  EXPECT_FALSE(load.config.file);
  EXPECT_EQ(origins(load.config), std::vector<std::string>{"https://site.example"});
  EXPECT_NE(problems(load).find("the config.d drop-ins and the built-in defaults apply"), std::string::npos);
}

TEST_F(ConfigDropIns, OnlyJsonFilesAreReadAndMisnamedOnesAreReported) {
  write(dropIns() / "10-site.conf", R"({"allowedOrigins": ["https://conf.example"]})");
  write(dropIns() / ".20-site.json.swp", R"({"allowedOrigins": ["https://swap.example"]})");
  std::filesystem::create_directory(dropIns() / "30-dir.json");
  const ConfigLoad load = loadConfig(main(), false);
  EXPECT_EQ(origins(load.config).size(), build::kDefaultAllowedOrigins.size());
  const std::string text = problems(load);
  EXPECT_NE(text.find(test::utf8(dropIns() / "10-site.conf") + " is ignored: only files named *.json are read"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(test::utf8(dropIns() / "30-dir.json") + " is ignored: not a regular file"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("swp"), std::string::npos) << text;
}

TEST_F(ConfigDropIns, OversizedDropInIsRefused) {
  write(dropIns() / "10-big.json",
        "{\"$comment\": \"" + std::string(protocol::kConfigFileMaxBytes, 'x') + "\", \"logLevel\": \"debug\"}");
  const ConfigLoad load = loadConfig(main(), false);
  EXPECT_EQ(load.config.logLevel, "info");
  EXPECT_NE(problems(load).find("10-big.json is too large"), std::string::npos) << problems(load);
}

TEST_F(ConfigDropIns, AtMostTheProtocolsNumberOfDropInsIsRead) {
  const std::size_t count = protocol::kConfigDropInMaxFiles + 2;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string number = std::to_string(i);
    write(dropIns() / (std::string(3 - number.size(), '0') + number + ".json"),
          R"({"logLevel": ")" + std::string(i + 1 < count ? "warn" : "debug") + "\"}");
  }
  const ConfigLoad load = loadConfig(main(), false);
  EXPECT_EQ(load.config.logLevel, "warn");  // the last two files are beyond the limit
  EXPECT_EQ(load.config.policy.sources.size(), protocol::kConfigDropInMaxFiles + 1);
  const std::string text = problems(load);
  EXPECT_NE(text.find(std::to_string(count - 1) + ".json is ignored: at most " +
                      std::to_string(protocol::kConfigDropInMaxFiles) + " drop-ins are read"),
            std::string::npos)
      << text;
}

TEST_F(ConfigDropIns, ADropInPathThatIsAFileIsReported) {
  std::filesystem::remove(dropIns());
  write(dropIns(), "{}");
  const ConfigLoad load = loadConfig(main(), false);
  EXPECT_NE(problems(load).find("config.d is not a directory"), std::string::npos) << problems(load);
}

}  // namespace
}  // namespace certbridge::host
