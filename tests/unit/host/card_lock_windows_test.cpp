// The card lock between host processes on Windows (card_lock_windows.cpp), run under wine by `windows.unit`:
// serializes, answers BUSY or USER_CANCELLED, and refuses with the folder named when it cannot lock.

#include <windows.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "card_lock.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const auto kNeverStop = [] { return false; };

// A throw-away %LOCALAPPDATA%, so the lock folder is <it>\CertBridge\locks.
class WindowsCardLockTest : public testing::Test {
 protected:
  fs::path folder() const { return localAppData_.path() / "CertBridge" / "locks"; }

  static std::optional<ProtocolError> lockError(const std::string& reader, std::chrono::milliseconds wait = 0ms) {
    try {
      CardLock lock(reader, wait, kNeverStop);
      return std::nullopt;
    } catch (const ProtocolError& error) {
      return error;
    }
  }

  test::TempDir localAppData_;
  test::ScopedEnv environment_{"LOCALAPPDATA", test::utf8(localAppData_.path())};
};

// Another process's hold on a lock file: LockFileEx locks belong to the handle, so a second handle conflicts even
// within this process, just as another host process would.
class OtherHolder {
 public:
  explicit OtherHolder(const fs::path& file)
      : file_(CreateFileW(file.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                          OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr)) {}
  ~OtherHolder() {
    if (file_ != INVALID_HANDLE_VALUE) CloseHandle(file_);
  }
  OtherHolder(const OtherHolder&) = delete;
  OtherHolder& operator=(const OtherHolder&) = delete;
  bool tryLock() const {
    OVERLAPPED firstByte{};
    return file_ != INVALID_HANDLE_VALUE &&
           LockFileEx(file_, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &firstByte);
  }

 private:
  HANDLE file_;
};

TEST_F(WindowsCardLockTest, HoldsTheReaderAgainstOtherProcessesUntilReleased) {
  {
    CardLock lock("Virtual PCD 00 00", 0ms, kNeverStop);
    EXPECT_FALSE(lock.waited());
    const OtherHolder other(folder() / "card-Virtual_PCD_00_00.lock");
    EXPECT_FALSE(other.tryLock()) << "held while the CardLock lives";
  }
  const OtherHolder other(folder() / "card-Virtual_PCD_00_00.lock");
  EXPECT_TRUE(other.tryLock()) << "released with the CardLock";
}

TEST_F(WindowsCardLockTest, ACardHeldByAnotherProcessIsBusyAfterTheWaitOrCancelled) {
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

TEST_F(WindowsCardLockTest, WithoutAFolderForLocksTheCardIsNotUsedAndTheFolderIsNamed) {
  const test::ScopedEnv noLocalAppData("LOCALAPPDATA", std::nullopt);
  const auto refused = lockError("Reader A");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code(), ErrorCode::CardLockUnavailable);
  EXPECT_NE(refused->details().value("folder", "").find("CertBridge"), std::string::npos);
}

TEST_F(WindowsCardLockTest, AFileInPlaceOfTheFolderIsRefusedNamingIt) {
  fs::create_directories(folder().parent_path());
  std::ofstream(folder()) << "a file, not a folder";
  const auto refused = lockError("Reader A");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code(), ErrorCode::CardLockUnavailable);
  EXPECT_EQ(refused->details().value("folder", ""), test::utf8(folder()));
}

}  // namespace
}  // namespace certbridge::host
