// The reader watch against a PC/SC service in memory (FakePcscService): it follows readers and cards as they come
// and go, drops its view while the service is down and reconnects when it is back, and stops promptly.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "fake_pcsc_service.hpp"
#include "reader_watch.hpp"

namespace certbridge::card {
namespace {

using namespace std::chrono_literals;
using detail::ReaderWatch;

const std::vector<std::uint8_t> kAtr{0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};
const std::vector<std::uint8_t> kOtherAtr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0};

// Waits up to 2 s for condition; the watch learns of a change within a millisecond, so this only bounds failures.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class ReaderWatchTest : public ::testing::Test {
 protected:
  // What the watch sees of reader name now: nullopt while it has no view, else the reader (or none).
  std::optional<std::optional<ReaderState>> seen(ReaderWatch& watch, const std::string& name) {
    const auto sighting = watch.reader(name);
    if (!sighting) return std::nullopt;
    return sighting->reader;
  }
  bool seesNoReader(ReaderWatch& watch, const std::string& name) {
    const auto view = seen(watch, name);
    return view && !*view;
  }
  bool seesCard(ReaderWatch& watch, const std::string& name, const std::vector<std::uint8_t>& atr) {
    const auto view = seen(watch, name);
    return view && *view && (*view)->cardPresent && (*view)->atr == atr;
  }
  bool seesEmptyReader(ReaderWatch& watch, const std::string& name) {
    const auto view = seen(watch, name);
    return view && *view && !(*view)->cardPresent && (*view)->atr.empty();
  }

  testing::FakePcscService service_;
};

TEST_F(ReaderWatchTest, FollowsAReaderAndItsCardsAsTheyComeAndGo) {
  ReaderWatch watch;
  EXPECT_TRUE(eventually([&] { return seesNoReader(watch, "Reader A"); }));

  service_.connectReader("Reader A");
  EXPECT_TRUE(eventually([&] { return seesEmptyReader(watch, "Reader A"); }));

  service_.insertCard("Reader A", kAtr);
  ASSERT_TRUE(eventually([&] { return seesCard(watch, "Reader A", kAtr); }));
  const unsigned insertedEvents = (*seen(watch, "Reader A"))->cardEvents;

  service_.removeCard("Reader A");
  EXPECT_TRUE(eventually([&] { return seesEmptyReader(watch, "Reader A"); }));

  // Another card: another ATR, and the event count tells it from the first one anyway.
  service_.insertCard("Reader A", kOtherAtr);
  ASSERT_TRUE(eventually([&] { return seesCard(watch, "Reader A", kOtherAtr); }));
  EXPECT_EQ((*seen(watch, "Reader A"))->cardEvents, insertedEvents + 2);

  service_.disconnectReader("Reader A");
  EXPECT_TRUE(eventually([&] { return seesNoReader(watch, "Reader A"); }));
}

TEST_F(ReaderWatchTest, SeesASecondReaderArriveWhileItWaits) {
  service_.connectReader("Reader A");
  ReaderWatch watch;
  ASSERT_TRUE(eventually([&] { return seesEmptyReader(watch, "Reader A"); }));
  service_.connectReader("Reader B");
  service_.insertCard("Reader B", kAtr);
  EXPECT_TRUE(eventually([&] { return seesCard(watch, "Reader B", kAtr); }));
  EXPECT_TRUE(seesEmptyReader(watch, "Reader A"));
}

TEST_F(ReaderWatchTest, HasNoViewWhileTheServiceIsDownAndReconnectsWhenItIsBack) {
  service_.connectReader("Reader A");
  service_.insertCard("Reader A", kAtr);
  ReaderWatch watch;
  ASSERT_TRUE(eventually([&] { return seesCard(watch, "Reader A", kAtr); }));
  const unsigned firstConnection = watch.reader("Reader A")->connection;

  service_.stop();
  EXPECT_TRUE(eventually([&] { return !watch.reader("Reader A"); })) << "a view of a stopped service is no view";

  service_.start();
  ASSERT_TRUE(eventually([&] { return seesCard(watch, "Reader A", kAtr); }));
  // A new connection: event counts from before the restart do not compare with the new ones.
  EXPECT_GT(watch.reader("Reader A")->connection, firstConnection);
}

TEST_F(ReaderWatchTest, AReadingSinceAMomentIsFreshOrNothing) {
  service_.connectReader("Reader A");
  service_.insertCard("Reader A", kAtr);
  const auto before = std::chrono::steady_clock::now();
  ReaderWatch watch;
  const auto reading = watch.readingSince(before, 1000ms);
  ASSERT_TRUE(reading);
  ASSERT_EQ(reading->readers.size(), 1U);
  EXPECT_EQ(reading->readers.front().atr, kAtr);
  // A moment after the watch's reading began, while nothing changes: the watch cannot vouch for it.
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(watch.readingSince(std::chrono::steady_clock::now(), 20ms));
}

TEST_F(ReaderWatchTest, StopsPromptlyWhileWaitingForAChange) {
  service_.connectReader("Reader A");
  auto watch = std::make_unique<ReaderWatch>();
  ASSERT_TRUE(eventually([&] { return seesEmptyReader(*watch, "Reader A"); }));
  std::this_thread::sleep_for(10ms);  // well into its wait, which lasts 5 s unless cancelled
  const auto start = std::chrono::steady_clock::now();
  watch.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST_F(ReaderWatchTest, StopsPromptlyWhileTheServiceIsDown) {
  service_.stop();
  auto watch = std::make_unique<ReaderWatch>();
  std::this_thread::sleep_for(20ms);  // it has failed to connect and pauses before trying again
  EXPECT_FALSE(watch->reader("Reader A"));
  const auto start = std::chrono::steady_clock::now();
  watch.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

}  // namespace
}  // namespace certbridge::card
