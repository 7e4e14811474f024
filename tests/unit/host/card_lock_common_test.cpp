// The card lock between host processes, on every platform (card_lock.cpp on POSIX, card_lock_windows.cpp on
// Windows, where `windows.unit` runs this under wine): one host holds a reader, another waits, then answers
// BUSY, or USER_CANCELLED when the user cancels; other readers stay free.

#include <chrono>

#include <gtest/gtest.h>

#include "card_lock.hpp"
#include "card_lock_test_support.hpp"

namespace certbridge::host {
namespace {

using namespace std::chrono_literals;
using test::lockError;
using test::OtherHolder;

class CardLockCommon : public testing::Test {
 protected:
  test::LockFolder locks_;
};

TEST_F(CardLockCommon, HoldsTheReaderAgainstOtherProcessesUntilReleased) {
  {
    CardLock lock("Virtual PCD 00 00", 0ms, [] { return false; });
    EXPECT_FALSE(lock.waited());
    const OtherHolder other(locks_.folder() / "card-Virtual_PCD_00_00.lock");
    EXPECT_FALSE(other.tryLock()) << "held while the CardLock lives";
  }
  const OtherHolder other(locks_.folder() / "card-Virtual_PCD_00_00.lock");
  EXPECT_TRUE(other.tryLock()) << "released with the CardLock";
}

TEST_F(CardLockCommon, ACardHeldByAnotherProcessIsBusyAfterTheWaitOrCancelled) {
  ASSERT_FALSE(lockError("Reader A")) << "makes the lock file";
  const OtherHolder other(locks_.folder() / "card-Reader_A.lock");
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

}  // namespace
}  // namespace certbridge::host
