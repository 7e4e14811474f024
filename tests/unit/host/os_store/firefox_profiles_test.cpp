// Finding the user's Firefox profiles (each has its own NSS database) from profiles.ini.

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "os_store/firefox_profiles.hpp"

namespace certbridge::host::os_store {
namespace {

namespace fs = std::filesystem;

// What Firefox ESR 115 writes for a user with two profiles, one of them outside the profiles directory.
constexpr const char* kProfilesIni = R"([Install4F96D1932A9F858E]
Default=abcd1234.default-esr
Locked=1

[Profile1]
Name=work
IsRelative=0
Path=/data/firefox/work

[Profile0]
Name=default-esr
IsRelative=1
Path=abcd1234.default-esr
Default=1

[General]
StartWithLastProfile=1
Version=2
)";

TEST(FirefoxProfiles, ReadsEveryProfileSectionWithRelativeAndAbsolutePaths) {
  const auto profiles = parseProfilesIni(kProfilesIni, "/home/u/.mozilla/firefox");
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].name, "work");
  EXPECT_EQ(profiles[0].directory, fs::path("/data/firefox/work"));
  EXPECT_EQ(profiles[1].name, "default-esr");
  EXPECT_EQ(profiles[1].directory, fs::path("/home/u/.mozilla/firefox/abcd1234.default-esr"));
}

TEST(FirefoxProfiles, ToleratesWindowsLineEndsByteOrderMarkCommentsAndSpaces) {
  const auto profiles = parseProfilesIni(
      "\xEF\xBB\xBF; written by hand\r\n[Profile0]\r\nName = main \r\nPath=x.main\r\n# no IsRelative: relative\r\n",
      "/p");
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].name, "main");
  EXPECT_EQ(profiles[0].directory, fs::path("/p/x.main"));
}

TEST(FirefoxProfiles, SkipsSectionsThatAreNotProfilesOrHaveNoPath) {
  EXPECT_TRUE(parseProfilesIni("[General]\nPath=not-a-profile\n[Profile0]\nName=nameless-path\n", "/p").empty());
  EXPECT_TRUE(parseProfilesIni("", "/p").empty());
  // A profile without a name is still a profile: it is named after its path.
  const auto unnamed = parseProfilesIni("[Profile3]\nPath=q.default\n", "/p");
  ASSERT_EQ(unnamed.size(), 1u);
  EXPECT_EQ(unnamed[0].name, "q.default");
}

TEST(FirefoxProfiles, LooksWhereDebianMozillaNewerReleasesAndSnapsKeepThem) {
  const auto roots = firefoxProfileRoots("/home/u", "");
  ASSERT_EQ(roots.size(), 3u);
  EXPECT_EQ(roots[0], fs::path("/home/u/.mozilla/firefox"));
  EXPECT_EQ(roots[1], fs::path("/home/u/.config/mozilla/firefox"));
  EXPECT_EQ(roots[2], fs::path("/home/u/snap/firefox/common/.mozilla/firefox"));
  EXPECT_EQ(firefoxProfileRoots("/home/u", "/cfg")[1], fs::path("/cfg/mozilla/firefox"));
}

class FirefoxProfilesOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() / ("certbridge-firefox-profiles-" + std::to_string(::getpid()));
    fs::remove_all(home_);
    fs::create_directories(home_);
  }
  void TearDown() override { fs::remove_all(home_); }
  void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  fs::path home_;
};

TEST_F(FirefoxProfilesOnDisk, NoFirefoxMeansNoProfiles) {
  EXPECT_TRUE(findFirefoxProfiles(home_, "").empty());
}

TEST_F(FirefoxProfilesOnDisk, ProfilesWhoseDirectoryIsGoneAreLeftOutAndNoneIsListedTwice) {
  const fs::path root = home_ / ".mozilla" / "firefox";
  fs::create_directories(root / "a.default");
  write(root / "profiles.ini",
        "[Profile0]\nName=a\nPath=a.default\n[Profile1]\nName=gone\nPath=gone.default\n"
        "[Profile2]\nName=a-again\nIsRelative=0\nPath=" +
            (root / "." / "a.default").string() + "\n");
  const auto profiles = findFirefoxProfiles(home_, "");
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].name, "a");
  EXPECT_EQ(profiles[0].directory, root / "a.default");
}

}  // namespace
}  // namespace certbridge::host::os_store
