// Browser policy files that name the extension: found with the keys they set, broken files reported, files
// for other extensions and other policies left out.

#include <fstream>

#include <gtest/gtest.h>

#include "certbridge/host/browser_policy_files.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

constexpr std::string_view kOurId = "jchbopihgjendkbmjddpblohdhfkllcn";
constexpr std::string_view kOurEdgeId = "almbmfegcfnfjblfbebeegmijgbdljjo";

class BrowserPolicyFilesTest : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_.path() / "managed");
    std::ofstream(dir_.path() / "managed" / name, std::ios::binary) << text;
  }
  std::vector<BrowserPolicyFile> find() {
    return findExtensionPolicyFiles({{"chromium", dir_.path() / "managed"}}, {kOurId, kOurEdgeId});
  }
  test::TempDir dir_;
};

TEST_F(BrowserPolicyFilesTest, FindsOurSectionWithTheKeysItSets) {
  write("certbridge.json", R"({"3rdparty": {"extensions": {"jchbopihgjendkbmjddpblohdhfkllcn":
      {"allowedOriginsMode": "bogus", "allowedOrigins": ["https://ra.example"]}}}})");
  const auto files = find();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].browser, "chromium");
  EXPECT_TRUE(files[0].error.empty());
  EXPECT_EQ(files[0].extensions.at(std::string(kOurId)),
            (std::vector<std::string>{"allowedOrigins", "allowedOriginsMode"}));
  EXPECT_NE(files[0].path.find("certbridge.json"), std::string::npos);
}

TEST_F(BrowserPolicyFilesTest, LeavesOutOtherExtensionsOtherPoliciesAndOtherFileNames) {
  write("other.json", R"({"3rdparty": {"extensions": {"aaaabbbbccccddddeeeeffffgggghhhh": {"x": 1}}}})");
  write("browser.json", R"({"NativeMessagingBlocklist": ["*"]})");
  write("certbridge.json.bak", R"({"3rdparty": {"extensions": {"jchbopihgjendkbmjddpblohdhfkllcn": {"x": 1}}}})");
  EXPECT_TRUE(find().empty());
}

TEST_F(BrowserPolicyFilesTest, ReportsAFileTheBrowserCannotReadAndReadsComments) {
  write("broken.json", R"({"3rdparty": {"extensions": {"jchbopihgjendkbmjddpblohdhfkllcn": {"allowedOrigins": [}}}})");
  write("commented.json", "// IT's note\n{\"3rdparty\": {\"extensions\": {\"almbmfegcfnfjblfbebeegmijgbdljjo\": {}}}}");
  const auto files = find();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_NE(files[0].path.find("broken.json"), std::string::npos);
  EXPECT_NE(files[0].error.find("not valid JSON"), std::string::npos);
  EXPECT_TRUE(files[1].error.empty());
  EXPECT_TRUE(files[1].extensions.at(std::string(kOurEdgeId)).empty());
}

TEST_F(BrowserPolicyFilesTest, AMissingDirectoryIsNoFile) {
  EXPECT_TRUE(findExtensionPolicyFiles({{"chrome", dir_.path() / "absent"}}, {kOurId}).empty());
}

}  // namespace
}  // namespace certbridge::host
