// PC/SC against the test bed's pcscd: readers with card state, and a stopped or restarted service.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/readers.hpp"
#include "testbed.hpp"

namespace certbridge::card {
namespace {

using testing::millisecondsSince;
using testing::PcscdStoppedGuard;
using testing::TestBed;
using Clock = std::chrono::steady_clock;

TEST(Readers, ListsBothReadersWithCardPresenceAndAtr) {
  PcscContext context;
  const auto readers = context.readers();
  ASSERT_EQ(readers.size(), 2U);

  EXPECT_EQ(readers[0].name, testing::kCardReader);
  EXPECT_EQ(readers[0].name, TestBed::get().env("CERTBRIDGE_TESTBED_READER"));
  EXPECT_TRUE(readers[0].cardPresent);
  EXPECT_FALSE(readers[0].cardExclusive);
  EXPECT_EQ(formatAtr(readers[0].atr), testing::kCardAtr);
  EXPECT_FALSE(readers[0].pinPad) << "the virtual reader has no pin pad";

  EXPECT_EQ(readers[1].name, testing::kEmptyReader);
  EXPECT_FALSE(readers[1].cardPresent);
  EXPECT_TRUE(readers[1].atr.empty());
  EXPECT_FALSE(readers[1].pinPad);
}

TEST(PcscService, StoppedServiceIsPcscUnavailableWithinTwoSeconds) {
  PcscdStoppedGuard stopped;
  const auto start = Clock::now();
  try {
    PcscContext context;
    FAIL() << "a PC/SC context was established without pcscd";
  } catch (const CardError& error) {
    const auto elapsed = millisecondsSince(start);
    std::printf("[ timing   ] PcscUnavailable after %lld ms\n", elapsed);
    EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable);
    EXPECT_EQ(error.function(), "SCardEstablishContext");
    EXPECT_EQ(error.nativeName(), "SCARD_E_NO_SERVICE");
    EXPECT_LT(elapsed, 2000);
  }
  CardLocator locator(CardProfileTable({}));
  try {
    locator.scan();
    FAIL() << "scan() worked without pcscd";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable);
  }
}

TEST(PcscService, WorksAgainAfterTheServiceRestarts) {
  { PcscdStoppedGuard stopped; }
  PcscContext context;
  const auto readers = context.readers();
  ASSERT_EQ(readers.size(), 2U);
  EXPECT_TRUE(readers[0].cardPresent);
}

}  // namespace
}  // namespace certbridge::card
