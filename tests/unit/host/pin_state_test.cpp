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

TEST(PinState, NoFlagsMeansAllTriesLeftWhenKnown) {
  EXPECT_EQ(userPinStatus(token(), 3).state, PinState::Ok);
  EXPECT_EQ(userPinStatus(token(), 3).triesLeft, 3);
  EXPECT_EQ(userPinStatus(token(), 0).triesLeft, std::nullopt);
}

TEST(PinState, CountLowDeducesOneWrongEntry) {
  auto info = token();
  info.userPinCountLow = true;
  EXPECT_EQ(userPinStatus(info, 3).state, PinState::CountLow);
  EXPECT_EQ(userPinStatus(info, 3).triesLeft, 2);
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
