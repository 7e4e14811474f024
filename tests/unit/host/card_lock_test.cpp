// The card lock between host processes (POSIX): serializes, answers BUSY, and never runs unlocked when its
// folder is not private to the user.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "card_lock.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const auto kNeverStop = [] { return false; };

// A throw-away XDG_RUNTIME_DIR, so the lock folder is <runtime>/certbridge; the old value comes back after.
class CardLockTest : public testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("XDG_RUNTIME_DIR")) oldRuntime_ = old;
    char pattern[] = "/tmp/certbridge-lock-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    runtime_ = pattern;
    ::setenv("XDG_RUNTIME_DIR", runtime_.c_str(), 1);
  }
  void TearDown() override {
    if (oldRuntime_) {
      ::setenv("XDG_RUNTIME_DIR", oldRuntime_->c_str(), 1);
    } else {
      ::unsetenv("XDG_RUNTIME_DIR");
    }
    std::error_code ignored;
    fs::remove_all(runtime_, ignored);
  }
  fs::path folder() const { return runtime_ / "certbridge"; }

  // The error CardLock throws for reader, or nullopt when it locks.
  static std::optional<ProtocolError> lockError(const std::string& reader, std::chrono::milliseconds wait = 0ms) {
    try {
      CardLock lock(reader, wait, kNeverStop);
      return std::nullopt;
    } catch (const ProtocolError& error) {
      return error;
    }
  }

  fs::path runtime_;
  std::optional<std::string> oldRuntime_;
};

// Another process's hold on a lock file: flock locks belong to the open file, so a second open conflicts
// even within this process, just as another host process would.
class OtherHolder {
 public:
  explicit OtherHolder(const fs::path& file) : fd_(::open(file.c_str(), O_RDWR)) {}
  ~OtherHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  OtherHolder(const OtherHolder&) = delete;
  OtherHolder& operator=(const OtherHolder&) = delete;
  bool tryLock() const { return fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0; }

 private:
  int fd_;
};

TEST_F(CardLockTest, HoldsTheReaderAgainstOtherProcessesInAPrivateFolder) {
  {
    CardLock lock("Virtual PCD 00 00", 0ms, kNeverStop);
    EXPECT_FALSE(lock.waited());
    struct stat info {};
    ASSERT_EQ(::stat(folder().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    EXPECT_EQ(info.st_uid, ::getuid());
    const OtherHolder other(folder() / "card-Virtual_PCD_00_00.lock");
    EXPECT_FALSE(other.tryLock()) << "held while the CardLock lives";
  }
  const OtherHolder other(folder() / "card-Virtual_PCD_00_00.lock");
  EXPECT_TRUE(other.tryLock()) << "released with the CardLock";
}

TEST_F(CardLockTest, ACardHeldByAnotherProcessIsBusyAfterTheWaitOrCancelled) {
  { CardLock create("Reader A", 0ms, kNeverStop); }
  const OtherHolder other(folder() / "card-Reader_A.lock");
  ASSERT_TRUE(other.tryLock());
  const auto start = std::chrono::steady_clock::now();
  const auto busy = lockError("Reader A", 300ms);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->code(), ErrorCode::Busy);
  EXPECT_EQ(busy->details().value("reason", ""), "cardInUse");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  try {
    CardLock cancelled("Reader A", 10s, [] { return true; });
    FAIL() << "locked a held card";
  } catch (const ProtocolError& error) {
    EXPECT_EQ(error.code(), ErrorCode::UserCancelled);
  }
  EXPECT_FALSE(lockError("Reader B")) << "another reader is free";
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
  const fs::path elsewhere = runtime_ / "elsewhere";
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
  const fs::path target = runtime_ / "target";
  fs::create_symlink(target, folder() / "card-Reader_A.lock");
  const auto error = lockError("Reader A");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), ErrorCode::CardLockUnavailable);
  EXPECT_FALSE(fs::exists(target)) << "nothing made through the link";
}

}  // namespace
}  // namespace certbridge::host
