// The card lock between host processes (POSIX): never runs unlocked when its folder is not private to the
// user (holding, BUSY and USER_CANCELLED, the same on every platform, are in card_lock_common_test.cpp).

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "card_lock.hpp"
#include "card_lock_test_support.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {
namespace {

using test::lockError;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const auto kNeverStop = [] { return false; };

// A throw-away XDG_RUNTIME_DIR, so the lock folder is <runtime>/certbridge (card_lock_test_support.hpp).
class CardLockTest : public testing::Test {
 protected:
  fs::path folder() const { return locks_.folder(); }
  const fs::path& runtime() const { return locks_.base(); }

  test::LockFolder locks_;
};

TEST_F(CardLockTest, TheLockFolderIsPrivateToTheUser) {
  CardLock lock("Virtual PCD 00 00", 0ms, kNeverStop);
  struct stat info {};
  ASSERT_EQ(::stat(folder().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_EQ(info.st_uid, ::getuid());
}

TEST_F(CardLockTest, AFolderOfAnotherUserIsRefusedNamingIt) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to give the folder to another user";
  ASSERT_EQ(::mkdir(folder().c_str(), 0700), 0);
  ASSERT_EQ(::chown(folder().c_str(), 65534, 65534), 0);
  const auto error = lockError("Reader A");
  ASSERT_TRUE(error) << "ran with a folder another user controls";
  EXPECT_EQ(error->code(), ErrorCode::CardLockUnavailable);
  EXPECT_EQ(error->details().value("folder", ""), folder().string());
  EXPECT_NE(error->details().value("reason", "").find("belongs to user 65534"), std::string::npos)
      << error->details().dump();
}

TEST_F(CardLockTest, ALinkInPlaceOfTheFolderIsRefused) {
  const fs::path elsewhere = runtime() / "elsewhere";
  ASSERT_EQ(::mkdir(elsewhere.c_str(), 0700), 0);
  fs::create_directory_symlink(elsewhere, folder());
  const auto error = lockError("Reader A");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), ErrorCode::CardLockUnavailable);
  EXPECT_EQ(error->details().value("folder", ""), folder().string());
  EXPECT_TRUE(fs::is_empty(elsewhere)) << "nothing made through the link";
}

TEST_F(CardLockTest, AFolderOfTheUserOpenToOthersIsMadePrivateAgain) {
  ASSERT_EQ(::mkdir(folder().c_str(), 0700), 0);
  ASSERT_EQ(::chmod(folder().c_str(), 0777), 0);
  EXPECT_FALSE(lockError("Reader A"));
  struct stat info {};
  ASSERT_EQ(::stat(folder().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST_F(CardLockTest, ALinkInPlaceOfTheLockFileIsRefused) {
  ASSERT_EQ(::mkdir(folder().c_str(), 0700), 0);
  const fs::path target = runtime() / "target";
  fs::create_symlink(target, folder() / "card-Reader_A.lock");
  const auto error = lockError("Reader A");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), ErrorCode::CardLockUnavailable);
  EXPECT_FALSE(fs::exists(target)) << "nothing made through the link";
}

}  // namespace
}  // namespace certbridge::host
