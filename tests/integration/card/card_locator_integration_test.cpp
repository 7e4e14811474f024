// CardLocator against the test bed: reader -> virtual card ATR -> card profile -> SoftHSM token.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "testbed.hpp"

namespace certbridge::card {
namespace {

using testing::TestBed;
using namespace std::chrono_literals;

// The test bed's own card profile (see testbed.sh), with the parts a test may change.
CardProfile virtualCardProfile(const std::string& atr = testing::kCardAtr, const std::string& atrMask = "",
                               const std::string& module = CERTBRIDGE_SOFTHSM_MODULE,
                               const std::string& tokenLabel = testing::kTokenLabel) {
  CardProfile profile;
  profile.id = "certbridge-virtual";
  profile.displayName = "CertBridge virtual test card";
  profile.atr = parseHexBytes(atr);
  profile.atrMask = parseHexBytes(atrMask);
  profile.modulePath = module;
  profile.tokenLabel = tokenLabel;
  profile.pins = {PinRules{"PIN", 6, 16, 3}};
  profile.keySizes = {2048, 3072, 4096};
  return profile;
}

CardLocator locatorFor(CardProfile profile) {
  return CardLocator(CardProfileTable({std::move(profile)}));
}

ErrorKind findError(CardLocator& locator, const std::string& reader = {},
                    std::optional<std::chrono::steady_clock::time_point> readersSince = std::nullopt) {
  try {
    locator.find(reader, readersSince);
  } catch (const CardError& error) {
    return error.kind();
  }
  ADD_FAILURE() << "find(\"" << reader << "\") found a card";
  return ErrorKind::Pcsc;
}

// Finds the card in reader 0 until the reader watch has caught up with the service and the card is tied to it
// (or 10 s pass: then the slot comes back untied and the caller's assertion says so).
CardSlot findWatched(CardLocator& locator) {
  locator.watchReaders();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    CardSlot slot = locator.find(testing::kCardReader);
    if (slot.watchConnection || std::chrono::steady_clock::now() > deadline) return slot;
    std::this_thread::sleep_for(10ms);
  }
}

// Whether stillInserted comes to answer `expected` within 5 s: the watch learns of a change when its thread
// wakes, a moment after the service knows.
bool comesToSay(CardLocator& locator, const CardSlot& slot, bool expected) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (locator.stillInserted(slot) != expected) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(CardLocator, ScanBindsTheCardReaderToItsTokenAndReportsNoCardForTheEmptyReader) {
  auto locator = locatorFor(virtualCardProfile());
  const auto slots = locator.scan();
  ASSERT_EQ(slots.size(), 2U);

  const CardSlot& card = slots[0];
  EXPECT_EQ(card.reader.name, testing::kCardReader);
  EXPECT_FALSE(card.problem) << card.problem->what();
  ASSERT_NE(card.profile, nullptr);
  EXPECT_EQ(card.profile->id, "certbridge-virtual");
  ASSERT_TRUE(card.token);
  EXPECT_EQ(card.token->label, TestBed::get().env("CERTBRIDGE_TESTBED_TOKEN"));
  EXPECT_EQ(card.token->label, testing::kTokenLabel);
  ASSERT_NE(card.module, nullptr);
  EXPECT_EQ(card.module->path(), CERTBRIDGE_SOFTHSM_MODULE);

  const CardSlot& empty = slots[1];
  EXPECT_EQ(empty.reader.name, testing::kEmptyReader);
  ASSERT_TRUE(empty.problem);
  EXPECT_EQ(empty.problem->kind(), ErrorKind::NoCard);
  EXPECT_NE(std::string(empty.problem->what()).find(testing::kEmptyReader), std::string::npos);
  EXPECT_EQ(empty.profile, nullptr);
  EXPECT_FALSE(empty.token);
}

TEST(CardLocator, FindWithoutAReaderNameReturnsTheInsertedCard) {
  auto locator = locatorFor(virtualCardProfile());
  const CardSlot slot = locator.find();
  EXPECT_EQ(slot.reader.name, testing::kCardReader);
  ASSERT_TRUE(slot.token);
  EXPECT_EQ(slot.token->label, testing::kTokenLabel);
}

TEST(CardLocator, FindInTheEmptyReaderIsNoCardAndInAnUnknownReaderIsNoReader) {
  auto locator = locatorFor(virtualCardProfile());
  EXPECT_EQ(findError(locator, testing::kEmptyReader), ErrorKind::NoCard);
  EXPECT_EQ(findError(locator, "Reader That Is Not There 00 00"), ErrorKind::NoReader);
}

TEST(CardLocator, FindWithTheCardRemovedIsNoCard) {
  auto locator = locatorFor(virtualCardProfile());
  testing::CardOutGuard cardOut;
  EXPECT_EQ(findError(locator), ErrorKind::NoCard);
  EXPECT_EQ(findError(locator, testing::kCardReader), ErrorKind::NoCard);
}

TEST(CardLocator, AFoundCardIsStillInsertedUntilItIsPulledEvenWhenItIsPutBack) {
  auto locator = locatorFor(virtualCardProfile());
  const CardSlot slot = locator.find(testing::kCardReader);
  EXPECT_TRUE(locator.stillInserted(slot));
  EXPECT_TRUE(locator.stillInserted(slot)) << "asking does not change the answer";
  {
    testing::CardOutGuard cardOut;
    EXPECT_FALSE(locator.stillInserted(slot)) << "the card is out";
  }
  // The same ATR is back in the reader, but it may be another card: the reader counted the removal.
  EXPECT_FALSE(locator.stillInserted(slot)) << "pulled and put back";
  EXPECT_TRUE(locator.stillInserted(locator.find(testing::kCardReader))) << "found again, it counts as in";
}

TEST(CardLocator, KeepsWorkingWhenThePcscServiceRestarts) {
  auto locator = locatorFor(virtualCardProfile());
  const CardSlot before = locator.find(testing::kCardReader);
  ASSERT_TRUE(before.token);
  {
    testing::PcscdStoppedGuard stopped;
    EXPECT_EQ(findError(locator), ErrorKind::PcscUnavailable);
    EXPECT_THROW(locator.stillInserted(before), CardError);
  }
  const CardSlot after = locator.find(testing::kCardReader);
  ASSERT_TRUE(after.token) << "the locator connected to the restarted service";
  EXPECT_TRUE(locator.stillInserted(after));
  // A restart the locator did not see happen: its kept connection is dead and gets replaced on first use.
  { testing::PcscdStoppedGuard stoppedAndStartedAgain; }
  EXPECT_TRUE(locator.stillInserted(after)) << "the service counts card events from zero again: presence decides";
  ASSERT_TRUE(locator.find(testing::kCardReader).token);
}

TEST(CardLocator, AWatchedCardIsCheckedThroughTheWatchUntilItIsPulledEvenWhenItIsPutBack) {
  auto locator = locatorFor(virtualCardProfile());
  EXPECT_FALSE(locator.find(testing::kCardReader).watchConnection) << "no watch before watchReaders";
  const CardSlot slot = findWatched(locator);
  ASSERT_TRUE(slot.watchConnection) << "the watch never saw the reader as find did";
  EXPECT_TRUE(locator.stillInserted(slot));

  // The watch, not the service, judges a tied slot: this copy claims a card event the watch never saw, on a
  // direct context that no longer counts (asking the service would go by presence alone and say yes).
  CardSlot claimed = slot;
  claimed.reader.cardEvents += 1;
  claimed.pcscContext += 1;
  EXPECT_FALSE(locator.stillInserted(claimed));

  {
    testing::CardOutGuard cardOut;
    EXPECT_TRUE(comesToSay(locator, slot, false)) << "the card is out";
  }
  EXPECT_FALSE(locator.stillInserted(slot)) << "pulled and put back";
  const CardSlot again = findWatched(locator);
  EXPECT_TRUE(again.watchConnection);
  EXPECT_EQ(again.watchConnection, slot.watchConnection) << "the same connection to the service";
  EXPECT_TRUE(locator.stillInserted(again));
}

TEST(CardLocator, ACardFoundBeforeTheWatchCaughtUpIsStillJudgedRight) {
  auto locator = locatorFor(virtualCardProfile());
  findWatched(locator);  // the watch is following the readers now
  CardSlot early = locator.find(testing::kCardReader);
  early.watchConnection.reset();  // as if found before the watch had read the readers
  EXPECT_TRUE(locator.stillInserted(early));
  testing::CardOutGuard cardOut;
  EXPECT_TRUE(comesToSay(locator, early, false)) << "the card is out";
}

TEST(CardLocator, TheFirstFindOfARequestTakesTheWatchsFirstReading) {
  auto locator = locatorFor(virtualCardProfile());
  const auto requestArrived = std::chrono::steady_clock::now();
  locator.watchReaders();
  const CardSlot slot = locator.find(testing::kCardReader, requestArrived);
  ASSERT_TRUE(slot.token);
  EXPECT_EQ(slot.token->label, testing::kTokenLabel);
  EXPECT_TRUE(slot.watchConnection) << "the reading came from the watch, which now vouches for the card";
  EXPECT_TRUE(locator.stillInserted(slot));
  testing::CardOutGuard cardOut;
  EXPECT_TRUE(comesToSay(locator, slot, false)) << "the card is out";
}

TEST(CardLocator, ProblemsInTheWatchsReadingAreConfirmedByTheService) {
  auto locator = locatorFor(virtualCardProfile());
  testing::CardOutGuard cardOut;
  const auto requestArrived = std::chrono::steady_clock::now();
  locator.watchReaders();
  EXPECT_EQ(findError(locator, {}, requestArrived), ErrorKind::NoCard);
  EXPECT_EQ(findError(locator, "Reader That Is Not There 00 00", std::chrono::steady_clock::now()),
            ErrorKind::NoReader);
}

TEST(CardLocator, AModuleLoadedWhileTheWatchReadsDoesNotHideThatThereIsNoCard) {
  // Every profile uses this (missing) module, so the first find loads it while the watch reads the readers.
  const auto modulePath = std::filesystem::path(TestBed::get().dir()) / "middleware" / "libnot-installed.so";
  auto locator = locatorFor(virtualCardProfile(testing::kCardAtr, "", modulePath.string()));
  testing::CardOutGuard cardOut;
  const auto requestArrived = std::chrono::steady_clock::now();
  locator.watchReaders();
  EXPECT_EQ(findError(locator, {}, requestArrived), ErrorKind::NoCard)
      << "no card comes before a module that cannot load";
  EXPECT_EQ(findError(locator), ErrorKind::NoCard);
}

TEST(CardLocator, TheWatchReconnectsWhenThePcscServiceRestarts) {
  auto locator = locatorFor(virtualCardProfile());
  const CardSlot before = findWatched(locator);
  ASSERT_TRUE(before.watchConnection);
  {
    testing::PcscdStoppedGuard stopped;
    // Once the watch has lost the service, the check asks the service itself, which is not there.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    bool threw = false;
    while (!threw && std::chrono::steady_clock::now() < deadline) {
      try {
        locator.stillInserted(before);
        std::this_thread::sleep_for(5ms);
      } catch (const CardError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable) << error.what();
        threw = true;
      }
    }
    EXPECT_TRUE(threw) << "the watch kept vouching for a service that stopped";
  }
  const CardSlot after = findWatched(locator);
  ASSERT_TRUE(after.watchConnection) << "the watch did not reconnect";
  EXPECT_NE(*after.watchConnection, *before.watchConnection);
  EXPECT_TRUE(locator.stillInserted(after));
  EXPECT_TRUE(locator.stillInserted(before)) << "counts from the old connection mean nothing now: presence decides";
}

// How long destroying the locator takes: it stops the watch, which may be waiting on the service (in waits of
// 5 s) or pausing between attempts to connect.
std::chrono::steady_clock::duration timeToDestroy(std::unique_ptr<CardLocator>& locator) {
  const auto started = std::chrono::steady_clock::now();
  locator.reset();
  return std::chrono::steady_clock::now() - started;
}

TEST(CardLocator, TheWatchWaitsForAServiceThatIsNotRunningAndStopsPromptly) {
  auto locator = std::make_unique<CardLocator>(CardProfileTable({virtualCardProfile()}));
  {
    testing::PcscdStoppedGuard stopped;
    locator->watchReaders();  // no service: the watch keeps trying in the background
    EXPECT_EQ(findError(*locator), ErrorKind::PcscUnavailable);

    auto idle = std::make_unique<CardLocator>(CardProfileTable({virtualCardProfile()}));
    idle->watchReaders();
    EXPECT_LT(timeToDestroy(idle), 2s) << "stopping a watch that cannot reach the service";
  }
  EXPECT_TRUE(findWatched(*locator).watchConnection) << "the watch connected once the service was back";
  EXPECT_LT(timeToDestroy(locator), 2s) << "stopping a watch that waits for a change";
}

TEST(CardLocator, MaskedAtrProfileFindsTheCard) {
  // A profile for the whole card family: the last two ATR bytes may be anything.
  auto locator = locatorFor(virtualCardProfile("3B 95 13 81 01 80 73 FF 01 AA BB", "FF FF FF FF FF FF FF FF FF 00 00"));
  const CardSlot slot = locator.find(testing::kCardReader);
  ASSERT_TRUE(slot.token);
  EXPECT_EQ(slot.token->label, testing::kTokenLabel);
}

TEST(CardLocator, CardWithAnUnknownAtrIsCardNotSupported) {
  auto locator = locatorFor(virtualCardProfile("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A"));
  const auto slots = locator.scan();
  ASSERT_EQ(slots.size(), 2U);
  ASSERT_TRUE(slots[0].problem);
  EXPECT_EQ(slots[0].problem->kind(), ErrorKind::CardNotSupported);
  EXPECT_NE(std::string(slots[0].problem->what()).find(testing::kCardAtr), std::string::npos)
      << "the message should show the card's ATR: " << slots[0].problem->what();
  EXPECT_EQ(slots[0].profile, nullptr);
  EXPECT_EQ(findError(locator), ErrorKind::CardNotSupported);
}

TEST(CardLocator, ProfileNamingAnAbsentTokenIsTokenNotFound) {
  auto locator = locatorFor(virtualCardProfile(testing::kCardAtr, "", CERTBRIDGE_SOFTHSM_MODULE, "No Such Token"));
  try {
    locator.find(testing::kCardReader);
    FAIL() << "found a token that does not exist";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::TokenNotFound);
    EXPECT_NE(std::string(error.what()).find("No Such Token"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(testing::kTokenLabel), std::string::npos)
        << "the message should list the tokens that are there: " << error.what();
  }
}

TEST(CardLocator, MissingModuleIsModuleUnavailableUntilItIsInstalled) {
  const auto modulePath = std::filesystem::path(TestBed::get().dir()) / "middleware" / "libcard-pkcs11.so";
  auto locator = locatorFor(virtualCardProfile(testing::kCardAtr, "", modulePath.string()));

  const auto before = locator.scan();
  ASSERT_TRUE(before[0].problem);
  EXPECT_EQ(before[0].problem->kind(), ErrorKind::ModuleUnavailable);
  EXPECT_NE(std::string(before[0].problem->what()).find(modulePath.string()), std::string::npos)
      << before[0].problem->what();
  ASSERT_NE(before[0].profile, nullptr) << "the card itself was recognised";
  EXPECT_EQ(findError(locator), ErrorKind::ModuleUnavailable);

  // The middleware gets installed while the host keeps running: the next scan must find the token.
  std::filesystem::create_directories(modulePath.parent_path());
  std::filesystem::create_symlink(CERTBRIDGE_SOFTHSM_MODULE, modulePath);
  const auto after = locator.scan();
  EXPECT_FALSE(after[0].problem) << after[0].problem->what();
  ASSERT_TRUE(after[0].token);
  EXPECT_EQ(after[0].token->label, testing::kTokenLabel);
}

}  // namespace
}  // namespace certbridge::card
