// Reader helpers that need no service: ATR formatting, pin-pad feature parsing, and turning two
// observations of the readers into the events a user sees.

#include <gtest/gtest.h>

#include "certbridge/card/readers.hpp"
#include "pcsc_context.hpp"

namespace certbridge::card {
namespace {

using Kind = ReaderEvent::Kind;
const std::vector<std::uint8_t> kAtr{0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};
const std::vector<std::uint8_t> kOtherAtr{0x3B, 0x8F, 0x80, 0x01};

ReaderState reader(std::string name, const std::vector<std::uint8_t>& atr = {}) {
  ReaderState state;
  state.name = std::move(name);
  state.cardPresent = !atr.empty();
  state.atr = atr;
  return state;
}

std::vector<std::pair<Kind, std::string>> summary(const std::vector<ReaderEvent>& events) {
  std::vector<std::pair<Kind, std::string>> out;
  for (const auto& event : events) out.emplace_back(event.kind, event.reader);
  return out;
}

TEST(FormatAtr, UpperCaseHexSeparatedBySpaces) {
  EXPECT_EQ(formatAtr(kAtr), "3B 95 13 81 01 80 73 FF 01 00 0B");
  EXPECT_EQ(formatAtr({0x0a}), "0A");
  EXPECT_EQ(formatAtr({}), "");
}

TEST(PinPadFeatures, FindsVerifyPinDirectInTheFeatureList) {
  // A CCID pin-pad reader's answer: VERIFY_PIN_DIRECT (06), MODIFY_PIN_DIRECT (07), IFD_PIN_PROPERTIES (0A).
  const std::vector<std::uint8_t> pinPad{0x06, 0x04, 0x42, 0x33, 0x00, 0x06, 0x07, 0x04, 0x42,
                                         0x33, 0x00, 0x07, 0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A};
  EXPECT_EQ(detail::featureControlCode(pinPad, 0x06), 0x42330006U);
  EXPECT_EQ(detail::featureControlCode(pinPad, 0x0A), 0x4233000AU);
  // A plain reader lists only properties.
  const std::vector<std::uint8_t> plain{0x12, 0x04, 0x42, 0x33, 0x00, 0x12};
  EXPECT_FALSE(detail::featureControlCode(plain, 0x06));
  EXPECT_FALSE(detail::featureControlCode({}, 0x06));
}

TEST(PinPadFeatures, TruncatedAnswerIsNotAPinPad) {
  const std::vector<std::uint8_t> truncated{0x12, 0x04, 0x42, 0x33, 0x00, 0x12, 0x06, 0x04, 0x42, 0x33};
  EXPECT_FALSE(detail::featureControlCode(truncated, 0x06));
}

TEST(ReaderDiff, NothingChangedGivesNoEvents) {
  const std::vector<ReaderState> readers{reader("A", kAtr), reader("B")};
  EXPECT_TRUE(detail::diffReaders(readers, readers, {{"A", 1}}, {{"A", 1}}).empty());
}

TEST(ReaderDiff, CardRemovedAndInserted) {
  const auto removed = detail::diffReaders({reader("A", kAtr)}, {reader("A")}, {}, {});
  EXPECT_EQ(summary(removed), (std::vector<std::pair<Kind, std::string>>{{Kind::CardRemoved, "A"}}));

  const auto inserted = detail::diffReaders({reader("A")}, {reader("A", kAtr)}, {}, {});
  ASSERT_EQ(summary(inserted), (std::vector<std::pair<Kind, std::string>>{{Kind::CardInserted, "A"}}));
  EXPECT_EQ(inserted[0].atr, kAtr) << "the inserted card's ATR is reported";
}

TEST(ReaderDiff, CardSwappedBetweenObservationsIsRemovedThenInserted) {
  // Same kind of card pulled and put back: only pcsc-lite's event counter tells.
  const auto sameAtr = detail::diffReaders({reader("A", kAtr)}, {reader("A", kAtr)}, {{"A", 3}}, {{"A", 5}});
  EXPECT_EQ(summary(sameAtr),
            (std::vector<std::pair<Kind, std::string>>{{Kind::CardRemoved, "A"}, {Kind::CardInserted, "A"}}));
  // A different card.
  const auto otherCard = detail::diffReaders({reader("A", kAtr)}, {reader("A", kOtherAtr)}, {}, {});
  ASSERT_EQ(otherCard.size(), 2U);
  EXPECT_EQ(otherCard[1].atr, kOtherAtr);
}

TEST(ReaderDiff, ReadersComingAndGoingTakeTheirCardsWithThem) {
  const auto events =
      detail::diffReaders({reader("Old", kAtr), reader("Stays")}, {reader("Stays"), reader("New", kOtherAtr)}, {}, {});
  EXPECT_EQ(summary(events), (std::vector<std::pair<Kind, std::string>>{{Kind::CardRemoved, "Old"},
                                                                        {Kind::ReaderRemoved, "Old"},
                                                                        {Kind::ReaderAdded, "New"},
                                                                        {Kind::CardInserted, "New"}}));
}

}  // namespace
}  // namespace certbridge::card
