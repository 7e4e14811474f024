// The card locator against a PC/SC service in memory (FakePcscService): what it reports for each reader and card
// state, how it notices a pulled, swapped or put-back card, with and without its reader watch, and how it copes
// with a service that is not running or restarts. No token is involved: the card profile's module is missing.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "fake_pcsc_service.hpp"

namespace certbridge::card {
namespace {

using namespace std::chrono_literals;

const std::vector<std::uint8_t> kAtr{0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};
const std::vector<std::uint8_t> kUnknownAtr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0};
const std::string kMissingModule = "/nonexistent/certbridge/libmiddleware-pkcs11.so";

bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

CardProfileTable profiles() {
  CardProfile profile;
  profile.id = "test-card";
  profile.displayName = "Test card";
  profile.atr = kAtr;
  profile.modulePath = kMissingModule;
  return CardProfileTable({profile});
}

class CardLocatorTest : public ::testing::Test {
 protected:
  CardError findError(const std::string& reader = {}) {
    try {
      locator_.find(reader);
    } catch (const CardError& error) {
      return error;
    }
    ADD_FAILURE() << "find(\"" << reader << "\") found a card";
    return CardError(ErrorKind::Pcsc, "found");
  }
  CardSlot scannedSlot(const std::string& reader) {
    for (auto& slot : locator_.scan(ReaderDetail::CardState))
      if (slot.reader.name == reader) return slot;
    ADD_FAILURE() << "no reader " << reader;
    return {};
  }

  testing::FakePcscService service_;  // before the locator: its PC/SC context ends first
  CardLocator locator_{profiles()};
};

TEST_F(CardLocatorTest, AServiceThatIsNotRunningIsPcscUnavailable) {
  service_.stop();
  try {
    locator_.scan();
    FAIL() << "scan worked without a service";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable);
    EXPECT_EQ(error.function(), "SCardEstablishContext");
    EXPECT_NE(std::string(error.what()).find("not running"), std::string::npos) << error.what();
  }
}

TEST_F(CardLocatorTest, NoReaderThenAnEmptyReaderThenCardsItCannotUse) {
  EXPECT_TRUE(locator_.scan().empty());
  EXPECT_EQ(findError().kind(), ErrorKind::NoReader);

  service_.connectReader("Reader A");
  EXPECT_EQ(findError().kind(), ErrorKind::NoCard);
  EXPECT_EQ(findError("Reader B").kind(), ErrorKind::NoReader);

  service_.insertCard("Reader A", kUnknownAtr);
  const CardError unknown = findError("Reader A");
  EXPECT_EQ(unknown.kind(), ErrorKind::CardNotSupported);
  EXPECT_NE(std::string(unknown.what()).find("3B 8F 80 01"), std::string::npos) << unknown.what();

  // A card the profiles know, whose middleware is not installed.
  service_.removeCard("Reader A");
  service_.insertCard("Reader A", kAtr);
  const CardError missing = findError();
  EXPECT_EQ(missing.kind(), ErrorKind::ModuleUnavailable);
  EXPECT_NE(std::string(missing.what()).find("not installed"), std::string::npos) << missing.what();
}

TEST_F(CardLocatorTest, ScanListsEveryReaderWithItsCardAndPinPad) {
  service_.connectReader("Plain reader");
  service_.connectReader("Pin pad reader", true);
  service_.insertCard("Pin pad reader", kAtr);
  const auto slots = locator_.scan(ReaderDetail::WithPinPad);
  ASSERT_EQ(slots.size(), 2U);
  EXPECT_EQ(slots[0].reader.name, "Plain reader");
  EXPECT_FALSE(slots[0].reader.cardPresent);
  EXPECT_FALSE(slots[0].reader.pinPad);
  ASSERT_TRUE(slots[0].problem);
  EXPECT_EQ(slots[0].problem->kind(), ErrorKind::NoCard);
  EXPECT_EQ(slots[1].reader.name, "Pin pad reader");
  EXPECT_TRUE(slots[1].reader.cardPresent);
  EXPECT_TRUE(slots[1].reader.pinPad);
  EXPECT_EQ(slots[1].reader.atr, kAtr);
  ASSERT_NE(slots[1].profile, nullptr);
  EXPECT_EQ(slots[1].profile->id, "test-card");
}

TEST_F(CardLocatorTest, ACardIsStillInsertedUntilPulledSwappedOrPutBack) {
  service_.connectReader("Reader A");
  service_.insertCard("Reader A", kAtr);
  const CardSlot found = scannedSlot("Reader A");
  EXPECT_TRUE(locator_.stillInserted(found));

  service_.removeCard("Reader A");
  EXPECT_FALSE(locator_.stillInserted(found));
  service_.insertCard("Reader A", kAtr);
  EXPECT_FALSE(locator_.stillInserted(found)) << "the same ATR put back may be another card";

  const CardSlot again = scannedSlot("Reader A");
  EXPECT_TRUE(locator_.stillInserted(again));
  service_.removeCard("Reader A");
  service_.insertCard("Reader A", kUnknownAtr);
  EXPECT_FALSE(locator_.stillInserted(again));

  const CardSlot third = scannedSlot("Reader A");
  service_.disconnectReader("Reader A");
  EXPECT_FALSE(locator_.stillInserted(third));
}

TEST_F(CardLocatorTest, KeepsWorkingWhenTheServiceRestarts) {
  service_.connectReader("Reader A");
  service_.insertCard("Reader A", kAtr);
  const CardSlot found = scannedSlot("Reader A");
  service_.stop();
  try {
    locator_.stillInserted(found);
    ADD_FAILURE() << "stillInserted answered without a service";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable);
  }
  service_.start();
  // The old context is stale: the locator makes a new one, and judges the card by presence and ATR (event
  // counts start again after a restart).
  EXPECT_TRUE(locator_.stillInserted(found));
  EXPECT_EQ(locator_.scan().size(), 1U);
}

TEST_F(CardLocatorTest, TheReaderWatchAnswersStillInsertedWithoutAskingTheService) {
  service_.connectReader("Reader A");
  service_.insertCard("Reader A", kAtr);
  locator_.watchReaders();
  const CardSlot found = scannedSlot("Reader A");
  // Once the watch has seen the card as found, checking it costs no request to the service.
  ASSERT_TRUE(eventually([&] {
    const int before = service_.requestsOutsideWaits();
    return locator_.stillInserted(found) && service_.requestsOutsideWaits() == before;
  }));
  const int before = service_.requestsOutsideWaits();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(locator_.stillInserted(found));
  EXPECT_EQ(service_.requestsOutsideWaits(), before);

  // A pulled card: as soon as the watch has seen it go (well under a millisecond), the locator says so.
  service_.removeCard("Reader A");
  EXPECT_TRUE(eventually([&] { return !locator_.stillInserted(found); }));
  service_.insertCard("Reader A", kAtr);
  std::this_thread::sleep_for(20ms);  // the watch has seen the card come back: the event count still tells
  EXPECT_FALSE(locator_.stillInserted(found));
}

TEST_F(CardLocatorTest, FindTakesTheWatchsReadingAndConfirmsProblemsWithTheService) {
  service_.connectReader("Reader A");
  locator_.watchReaders();
  ASSERT_TRUE(eventually([&] { return findError().kind() == ErrorKind::NoCard; }));
  service_.insertCard("Reader A", kUnknownAtr);
  // A reading from after the card went in: the watch's, or the service's when the watch has not caught up.
  try {
    locator_.find({}, std::chrono::steady_clock::now());
    FAIL() << "an unknown card was found";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::CardNotSupported) << error.what();
  }
}

}  // namespace
}  // namespace certbridge::card
