// The card lock on Windows (card_lock_windows.cpp), run under wine by `windows.unit`: refused with the folder
// named when it cannot lock (what every platform does is in card_lock_common_test.cpp).

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "card_lock.hpp"
#include "card_lock_test_support.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

using test::lockError;
namespace fs = std::filesystem;
// A throw-away %LOCALAPPDATA%, so the lock folder is <it>\CertBridge\locks (card_lock_test_support.hpp). Holding,
// releasing, BUSY and USER_CANCELLED are card_lock_common_test.cpp's, for both platforms.
class WindowsCardLockTest : public testing::Test {
 protected:
  fs::path folder() const { return locks_.folder(); }

  test::LockFolder locks_;
};

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
