// Card profiles: ATR text parsing, matching with and without masks, and rejection of broken profiles.

#include <gtest/gtest.h>

#include "certbridge/card/card_profile.hpp"
#include "certbridge/card/error.hpp"

namespace certbridge::card {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The virtual test card's ATR, as the test bed's card profile spells it.
const Bytes kVirtualAtr{0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};

CardProfile profile(std::string id, Bytes atr, Bytes mask = {}) {
  CardProfile p;
  p.id = std::move(id);
  p.displayName = "Test card";
  p.atr = std::move(atr);
  p.atrMask = std::move(mask);
  p.modulePath = "/usr/lib/softhsm/libsofthsm2.so";
  return p;
}

ErrorKind kindOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const CardError& error) {
    return error.kind();
  }
  ADD_FAILURE() << "expected a CardError";
  return ErrorKind::Pcsc;
}

TEST(ParseHexBytes, AcceptsSpacesColonsAndRunsInEitherCase) {
  EXPECT_EQ(parseHexBytes("3B 95 13 81 01 80 73 FF 01 00 0B"), kVirtualAtr);
  EXPECT_EQ(parseHexBytes("3b:95:13:81:01:80:73:ff:01:00:0b"), kVirtualAtr);
  EXPECT_EQ(parseHexBytes("3B9513810180 73FF01000B"), kVirtualAtr);
  EXPECT_EQ(parseHexBytes("  "), Bytes{});
}

TEST(ParseHexBytes, RejectsHalfBytesAndNonHexWithTheOffendingText) {
  EXPECT_EQ(kindOf([] { parseHexBytes("3B 9"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kindOf([] { parseHexBytes("3 B"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kindOf([] { parseHexBytes("3B G5"); }), ErrorKind::InvalidArgument);
  try {
    parseHexBytes("3B ZZ");
    FAIL() << "parsed a non-hex byte";
  } catch (const CardError& error) {
    EXPECT_NE(std::string(error.what()).find("\"ZZ\""), std::string::npos) << error.what();
  }
}

TEST(CardProfileTable, ExactAtrMatchesOnlyThatAtr) {
  const CardProfileTable table({profile("virtual", kVirtualAtr)});
  ASSERT_NE(table.match(kVirtualAtr), nullptr);
  EXPECT_EQ(table.match(kVirtualAtr)->id, "virtual");

  Bytes otherCard = kVirtualAtr;
  otherCard.back() = 0x0C;
  EXPECT_EQ(table.match(otherCard), nullptr);
  EXPECT_EQ(table.match(Bytes(kVirtualAtr.begin(), kVirtualAtr.end() - 1)), nullptr) << "a shorter ATR matched";
  EXPECT_EQ(table.match(Bytes{}), nullptr) << "a mute card (no ATR) matched";
}

TEST(CardProfileTable, MaskIgnoresTheMaskedBits) {
  // Same card family, any value in the last two (historical) bytes.
  Bytes mask(kVirtualAtr.size(), 0xFF);
  mask[9] = 0x00;
  mask[10] = 0x00;
  const CardProfileTable table({profile("family", kVirtualAtr, mask)});

  Bytes sibling = kVirtualAtr;
  sibling[9] = 0x42;
  sibling[10] = 0x99;
  EXPECT_NE(table.match(sibling), nullptr);

  Bytes differentChip = kVirtualAtr;
  differentChip[1] = 0x96;  // An unmasked byte.
  EXPECT_EQ(table.match(differentChip), nullptr);
}

TEST(CardProfileTable, FirstMatchingRowWins) {
  const Bytes anyLastByteMask{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
  const CardProfileTable table({profile("specific", kVirtualAtr), profile("generic", kVirtualAtr, anyLastByteMask)});
  EXPECT_EQ(table.match(kVirtualAtr)->id, "specific");
  Bytes sibling = kVirtualAtr;
  sibling.back() = 0x77;
  EXPECT_EQ(table.match(sibling)->id, "generic");
}

TEST(CardProfileValidation, AcceptsTheTestBedProfile) {
  CardProfile p = profile("certbridge-virtual", kVirtualAtr);
  p.tokenLabel = "CertBridge Card";
  p.pins = {PinRules{"PIN", 6, 16, 3}};
  p.keySizes = {2048, 3072, 4096};
  EXPECT_NO_THROW(CardProfileTable::validate(p));
}

TEST(CardProfileValidation, AcceptsATwoPinProfileWhosePinsLiveOnTwoTokens) {
  CardProfile p = profile("two-pin", kVirtualAtr);
  p.tokenLabel = "CertBridge Card";
  PinRules second{"PIN 2", 6, 16, 3};
  second.tokenLabel = "CertBridge Card 2";
  second.charset = PinCharset::Digits;
  p.pins = {PinRules{"PIN 1", 6, 16, 3}, second};
  EXPECT_NO_THROW(CardProfileTable::validate(p));
  EXPECT_EQ(p.pins[0].charset, PinCharset::Printable) << "the default charset";
  EXPECT_EQ(p.pins[0].tokenLabel, "") << "by default a PIN lives on the card's token";
}

TEST(CardProfileValidation, RejectsEachKindOfBrokenProfile) {
  const auto rejects = [](const std::function<void(CardProfile&)>& breakIt) {
    CardProfile p = profile("broken", kVirtualAtr);
    breakIt(p);
    return kindOf([&] { CardProfileTable::validate(p); }) == ErrorKind::InvalidArgument;
  };
  EXPECT_TRUE(rejects([](CardProfile& p) { p.id.clear(); })) << "empty id";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.atr.clear(); })) << "empty ATR";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.atr.assign(34, 0x3B); })) << "ATR over 33 bytes";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.atrMask = {0xFF, 0xFF}; })) << "mask length differs";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.modulePath.clear(); })) << "no module";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.tokenLabel.assign(33, 'x'); })) << "label over 32 bytes";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.pins.clear(); })) << "no PIN";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.pins[0].name.clear(); })) << "nameless PIN";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.pins[0].minLength = 0; })) << "zero-length PIN allowed";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.pins[0].maxLength = 4; })) << "max below min";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.pins[0].maxTries = -1; })) << "negative tries";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.pins[0].tokenLabel.assign(33, 'x'); })) << "PIN token label over 32";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.keySizes.clear(); })) << "no key size";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.keySizes = {4096, 2048}; })) << "key sizes not ascending";
  EXPECT_TRUE(rejects([](CardProfile& p) { p.keySizes = {512, 2048}; })) << "512-bit RSA";
}

TEST(CardProfileValidation, TableRejectsMalformedRowsAndDuplicateIdsNamingTheProfile) {
  CardProfile broken = profile("no-module", kVirtualAtr);
  broken.modulePath.clear();
  try {
    CardProfileTable table({profile("good", kVirtualAtr), broken});
    FAIL() << "a table with a broken profile was accepted";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(error.what()).find("no-module"), std::string::npos) << error.what();
  }
  EXPECT_EQ(kindOf([] {
              CardProfileTable({profile("twice", kVirtualAtr), profile("twice", kVirtualAtr)});
            }),
            ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace certbridge::card
