// PIN state and tries left from token flags.

#include <gtest/gtest.h>

#include "certbridge/host/pin_state.hpp"

namespace certbridge::host {
namespace {

card::TokenInfo token() {
  card::TokenInfo info;
  info.initialized = true;
  info.userPinInitialized = true;
  return info;
}

TEST(PinState, NoFlagsNeverInventsACount) {
  // SoftHSM2, and tokens that report a lock only by refusing the login, set no flag: the profile's 3 is
  // when the card locks, not how many tries are left.
  EXPECT_EQ(userPinStatus(token(), 3).state, PinState::Ok);
  EXPECT_EQ(userPinStatus(token(), 3).triesLeft, std::nullopt);
  EXPECT_EQ(userPinStatus(token(), 3).locksAfter, 3);
  EXPECT_EQ(userPinStatus(token(), 0).locksAfter, std::nullopt);
}

TEST(PinState, CountLowDeducesOneWrongEntry) {
  auto info = token();
  info.userPinCountLow = true;
  EXPECT_EQ(userPinStatus(info, 3).state, PinState::CountLow);
  EXPECT_EQ(userPinStatus(info, 3).triesLeft, 2) << "3 tries, count low, not final try: exactly 2";
  EXPECT_EQ(userPinStatus(info, 5).triesLeft, std::nullopt) << "2, 3 or 4: not a number to show";
  EXPECT_EQ(userPinStatus(info, 0).triesLeft, std::nullopt);
}

TEST(PinState, FinalTryAndLockedAreExact) {
  auto info = token();
  info.userPinCountLow = true;
  info.userPinFinalTry = true;
  EXPECT_EQ(userPinStatus(info, 3).state, PinState::FinalTry);
  EXPECT_EQ(userPinStatus(info, 0).triesLeft, 1);
  info.userPinLocked = true;
  EXPECT_EQ(userPinStatus(info, 3).state, PinState::Locked);
  EXPECT_EQ(userPinStatus(info, 3).triesLeft, 0);
}

TEST(PinState, UninitializedPin) {
  auto info = token();
  info.userPinInitialized = false;
  EXPECT_EQ(userPinStatus(info, 3).state, PinState::NotInitialized);
  EXPECT_EQ(userPinStatus(info, 3).triesLeft, std::nullopt);
}

TEST(PinState, WireNames) {
  EXPECT_EQ(toString(PinState::Ok), "ok");
  EXPECT_EQ(toString(PinState::CountLow), "countLow");
  EXPECT_EQ(toString(PinState::FinalTry), "finalTry");
  EXPECT_EQ(toString(PinState::Locked), "locked");
  EXPECT_EQ(toString(PinState::NotInitialized), "notInitialized");
}

}  // namespace
}  // namespace certbridge::host
