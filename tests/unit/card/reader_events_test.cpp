// Reader helpers that need no service: ATR formatting and pin-pad feature parsing.

#include <gtest/gtest.h>

#include "certbridge/card/readers.hpp"
#include "pcsc_context.hpp"

namespace certbridge::card {
namespace {

const std::vector<std::uint8_t> kAtr{0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};

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

}  // namespace
}  // namespace certbridge::card
