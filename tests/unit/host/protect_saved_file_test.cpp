// protectSavedFile: the saved PKCS#12 file made readable by its owner only, and everything else refused
// without touching it (a symbolic link's target, a FIFO, another kind of file, a relative path).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "platform/owner_only_file.hpp"

namespace certbridge::host {
namespace {

namespace fs = std::filesystem;

class ProtectSavedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("certbridge-protect-" + std::to_string(::getpid()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path savedFile(const std::string& name, mode_t mode) {
    const fs::path path = folder_ / name;
    std::ofstream(path) << "PKCS#12 bytes";
    ::chmod(path.c_str(), mode);
    return path;
  }

  static mode_t modeOf(const fs::path& path) {
    struct stat status {};
    EXPECT_EQ(::lstat(path.c_str(), &status), 0);
    return status.st_mode & 07777;
  }

  fs::path folder_;
};

// The field BAD_REQUEST names when the command refuses its params, or "accepted".
std::string refusedField(nlohmann::json params) {
  try {
    findCommandEntry("protectSavedFile")->prepare(params);
  } catch (const ProtocolError& error) {
    EXPECT_EQ(error.code(), ErrorCode::BadRequest);
    return error.details().value("field", "");
  }
  return "accepted";
}

TEST_F(ProtectSavedFileTest, ClearsGroupAndOtherBitsOfTheBrowsersFile) {
  const fs::path file = savedFile("王小明-signing-0A (1).p12", 0644);
  const auto outcome = platform::restrictToOwner(file);
  ASSERT_TRUE(std::holds_alternative<platform::OwnerOnlyOutcome>(outcome));
  EXPECT_EQ(std::get<platform::OwnerOnlyOutcome>(outcome).previousMode, "0644");
  EXPECT_EQ(std::get<platform::OwnerOnlyOutcome>(outcome).mode, "0600");
  EXPECT_EQ(modeOf(file), 0600u);
  std::ifstream content(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(content), {}), "PKCS#12 bytes") << "the file is kept as saved";
}

TEST_F(ProtectSavedFileTest, AFileAlreadyPrivateStaysAsItIs) {
  const fs::path file = savedFile("a.pfx", 0600);
  const auto outcome = platform::restrictToOwner(file);
  ASSERT_TRUE(std::holds_alternative<platform::OwnerOnlyOutcome>(outcome));
  EXPECT_EQ(std::get<platform::OwnerOnlyOutcome>(outcome).previousMode, "0600");
  EXPECT_EQ(modeOf(file), 0600u);
}

TEST_F(ProtectSavedFileTest, ASymbolicLinkInTheFilesPlaceIsRefusedAndItsTargetUntouched) {
  const fs::path target = savedFile("target.txt", 0644);
  const fs::path link = folder_ / "a.p12";
  fs::create_symlink(target, link);
  const auto outcome = platform::restrictToOwner(link);
  ASSERT_TRUE(std::holds_alternative<platform::OwnerOnlyRefusal>(outcome));
  EXPECT_TRUE(std::get<platform::OwnerOnlyRefusal>(outcome).notAllowed);
  EXPECT_EQ(modeOf(target), 0644u);
}

TEST_F(ProtectSavedFileTest, AFifoOrAFolderIsRefusedWithoutHanging) {
  const fs::path fifo = folder_ / "pipe.p12";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const auto fromFifo = platform::restrictToOwner(fifo);
  ASSERT_TRUE(std::holds_alternative<platform::OwnerOnlyRefusal>(fromFifo));
  EXPECT_EQ(std::get<platform::OwnerOnlyRefusal>(fromFifo).reason, "the saved file is not a regular file");
  EXPECT_EQ(modeOf(fifo), 0644u);

  const fs::path folder = folder_ / "folder.p12";
  fs::create_directory(folder);
  EXPECT_TRUE(std::holds_alternative<platform::OwnerOnlyRefusal>(platform::restrictToOwner(folder)));
  EXPECT_TRUE(std::holds_alternative<platform::OwnerOnlyRefusal>(platform::restrictToOwner(folder_ / "gone.p12")));
}

TEST(ProtectSavedFileParams, OnlyAnAbsolutePathToAPkcs12File) {
  EXPECT_EQ(refusedField({{"path", "/home/user/Downloads/a.p12"}}), "accepted");
  EXPECT_EQ(refusedField({{"path", "/home/user/Downloads/A.PFX"}}), "accepted");
  EXPECT_EQ(refusedField({{"path", "Downloads/a.p12"}}), "params.path") << "relative";
  EXPECT_EQ(refusedField({{"path", "/home/user/.bashrc"}}), "params.path") << "not a PKCS#12 file";
  EXPECT_EQ(refusedField({{"path", "/home/user/a.p12.sh"}}), "params.path");
  EXPECT_EQ(refusedField({{"path", ""}}), "params.path");
  EXPECT_EQ(refusedField({{"path", std::string(4097, 'a')}}), "params.path");
  EXPECT_EQ(refusedField({{"path", "/a.p12"}, {"mode", "0777"}}), "params.mode") << "unknown keys refused";
  EXPECT_EQ(refusedField(nlohmann::json::object()), "params.path");
}

TEST(ProtectSavedFileParams, NotCheckableThroughCheckParams) {
  nlohmann::json request = {{"command", "protectSavedFile"}, {"params", {{"path", "/a.p12"}}}};
  EXPECT_THROW(findCommandEntry("checkParams")->prepare(request), ProtocolError) << "host-only, like cancel";
}

}  // namespace
}  // namespace certbridge::host
