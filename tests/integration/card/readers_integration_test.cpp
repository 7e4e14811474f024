// PC/SC against the test bed's pcscd: readers with card state, card events, cancel, and a stopped service.

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/readers.hpp"
#include "testbed.hpp"

namespace certbridge::card {
namespace {

using namespace std::chrono_literals;
using testing::millisecondsSince;
using testing::PcscdStoppedGuard;
using testing::TestBed;
using Clock = std::chrono::steady_clock;

// The virtual card needs about 1.5 s to be seen gone; everything here stays well inside these bounds.
constexpr auto kEventDeadline = 15s;

// Waits (bounded) until the monitor reports `wanted` for `reader`; returns that event or nullopt.
std::optional<ReaderEvent> waitForEvent(ReaderMonitor& monitor, ReaderEvent::Kind wanted, const std::string& reader) {
  const auto deadline = Clock::now() + kEventDeadline;
  while (Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    for (const auto& event : monitor.waitForChange(left))
      if (event.kind == wanted && event.reader == reader) return event;
  }
  return std::nullopt;
}

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

TEST(ReaderMonitor, SeesTheCardRemovedAndInsertedAgain) {
  ReaderMonitor monitor;
  ASSERT_EQ(monitor.current().size(), 2U);
  ASSERT_TRUE(monitor.current()[0].cardPresent);
  testing::CardBackInGuard cardBackIn;

  // The monitor is already blocked in its wait when the card leaves.
  auto removed = std::async(
      std::launch::async, [&] { return waitForEvent(monitor, ReaderEvent::Kind::CardRemoved, testing::kCardReader); });
  std::this_thread::sleep_for(300ms);
  auto start = Clock::now();
  TestBed::get().run("remove");
  ASSERT_EQ(removed.wait_for(kEventDeadline + 5s), std::future_status::ready) << "the monitor hung";
  ASSERT_TRUE(removed.get().has_value()) << "no CardRemoved event";
  std::printf("[ timing   ] card removal reported %lld ms after the card was pulled\n", millisecondsSince(start));
  EXPECT_FALSE(monitor.current()[0].cardPresent);
  EXPECT_TRUE(monitor.current()[0].atr.empty());

  auto inserted = std::async(
      std::launch::async, [&] { return waitForEvent(monitor, ReaderEvent::Kind::CardInserted, testing::kCardReader); });
  std::this_thread::sleep_for(300ms);
  start = Clock::now();
  TestBed::get().run("insert");
  ASSERT_EQ(inserted.wait_for(kEventDeadline + 5s), std::future_status::ready) << "the monitor hung";
  const auto event = inserted.get();
  ASSERT_TRUE(event.has_value()) << "no CardInserted event";
  std::printf("[ timing   ] card insertion reported %lld ms after the card was put in\n", millisecondsSince(start));
  EXPECT_EQ(formatAtr(event->atr), testing::kCardAtr);
  EXPECT_TRUE(monitor.current()[0].cardPresent);
}

TEST(ReaderMonitor, ReturnsNoEventsWhenNothingHappensBeforeTheTimeout) {
  ReaderMonitor monitor;
  const auto start = Clock::now();
  EXPECT_TRUE(monitor.waitForChange(700ms).empty());
  const auto elapsed = millisecondsSince(start);
  EXPECT_GE(elapsed, 650);
  EXPECT_LT(elapsed, 3000) << "the wait overran its timeout";
}

TEST(ReaderMonitor, CancelWakesAWaitingMonitor) {
  ReaderMonitor monitor;
  auto waiting = std::async(std::launch::async, [&] { return monitor.waitForChange(30s); });
  std::this_thread::sleep_for(300ms);  // Let it block in SCardGetStatusChange.
  const auto start = Clock::now();
  monitor.cancel();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready) << "cancel() did not wake the monitor";
  const auto elapsed = millisecondsSince(start);
  std::printf("[ timing   ] cancel() woke the monitor after %lld ms\n", elapsed);
  EXPECT_LT(elapsed, 2000);
  try {
    waiting.get();
    FAIL() << "a cancelled wait returned normally";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Cancelled);
  }
  // Cancelling one wait does not poison the monitor.
  EXPECT_TRUE(monitor.waitForChange(100ms).empty());
}

TEST(ReaderMonitor, CancelBeforeWaitingStopsTheNextWait) {
  ReaderMonitor monitor;
  monitor.cancel();
  const auto start = Clock::now();
  try {
    monitor.waitForChange(30s);
    FAIL() << "the wait ignored the earlier cancel()";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Cancelled);
  }
  EXPECT_LT(millisecondsSince(start), 1000);
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

TEST(PcscService, WaitingMonitorStopsWithPcscUnavailableWhenTheServiceDies) {
  ReaderMonitor monitor;
  auto waiting = std::async(std::launch::async, [&] { return monitor.waitForChange(30s); });
  std::this_thread::sleep_for(300ms);
  const auto start = Clock::now();
  PcscdStoppedGuard stopped;
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready) << "the monitor hung after pcscd stopped";
  std::printf("[ timing   ] waiting monitor failed %lld ms after stop-pcscd began\n", millisecondsSince(start));
  try {
    waiting.get();
    FAIL() << "the wait returned normally without pcscd";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable) << error.what();
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
