// PIN rules are enforced before the card sees a PIN, and tries left are deduced from the token's flags.

#include <gtest/gtest.h>

#include <string>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pin_policy.hpp"

namespace certbridge::card {
namespace {

// The RA's cards: 6 to 16 characters, locked after 3 wrong entries.
PinRules raCardPin(PinCharset charset = PinCharset::Printable) {
  PinRules rules{"PIN", 6, 16, 3};
  rules.charset = charset;
  return rules;
}

std::optional<CardError> policyError(const std::string& pin, const PinRules& rules) {
  try {
    checkPinPolicy(SecretString(pin), rules);
  } catch (const CardError& error) {
    return error;
  }
  return std::nullopt;
}

TEST(PinPolicy, AcceptsPinsOfSixToSixteenCharacters) {
  EXPECT_FALSE(policyError("123456", raCardPin()));
  EXPECT_FALSE(policyError("1234567890abcdef", raCardPin()));
  EXPECT_FALSE(policyError("Pa$$w0rd!", raCardPin()));
}

TEST(PinPolicy, RejectsTooShortAndTooLongSayingTheRuleButNotThePin) {
  const auto shortPin = policyError("12345", raCardPin());
  ASSERT_TRUE(shortPin);
  EXPECT_EQ(shortPin->kind(), ErrorKind::PinPolicy);
  EXPECT_NE(std::string(shortPin->what()).find("6 to 16"), std::string::npos) << shortPin->what();
  EXPECT_EQ(std::string(shortPin->what()).find("12345"), std::string::npos) << "the PIN leaked into the message";
  EXPECT_FALSE(shortPin->triesLeft()) << "a policy failure tells nothing about the card's counter";

  const auto longPin = policyError("12345678901234567", raCardPin());
  ASSERT_TRUE(longPin);
  EXPECT_EQ(longPin->kind(), ErrorKind::PinPolicy);
  EXPECT_EQ(std::string(longPin->what()).find("12345678901234567"), std::string::npos) << longPin->what();
  ASSERT_TRUE(policyError("", raCardPin()));
}

TEST(PinPolicy, EnforcesTheCharset) {
  EXPECT_FALSE(policyError("123456", raCardPin(PinCharset::Digits)));
  const auto letters = policyError("12345a", raCardPin(PinCharset::Digits));
  ASSERT_TRUE(letters);
  EXPECT_EQ(letters->kind(), ErrorKind::PinPolicy);
  EXPECT_NE(std::string(letters->what()).find("digits"), std::string::npos) << letters->what();
  EXPECT_EQ(std::string(letters->what()).find("12345a"), std::string::npos) << "the PIN leaked into the message";

  EXPECT_FALSE(policyError("abc123XYZ", raCardPin(PinCharset::Alphanumeric)));
  EXPECT_TRUE(policyError("abc-123", raCardPin(PinCharset::Alphanumeric)));

  EXPECT_TRUE(policyError("123 456", raCardPin())) << "space";
  EXPECT_TRUE(policyError("123456\n", raCardPin())) << "control character";
  EXPECT_TRUE(policyError("12345\xC3\xA9", raCardPin())) << "non-ASCII (its bytes would not be its length)";
}

TEST(PinPolicy, TheOpenCryptokiTestProfileAllowsFourToEight) {
  const PinRules ock{"PIN", 4, 8, 3};
  EXPECT_FALSE(policyError("1234", ock));
  EXPECT_FALSE(policyError("12345678", ock));
  EXPECT_TRUE(policyError("123", ock));
  EXPECT_TRUE(policyError("123456789", ock));
}

TEST(TriesLeft, LockedIsZeroFinalTryIsOneCountLowOnAThreeTryPinIsTwo) {
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = true, .finalTry = true, .locked = true}, 3), 0);
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = false, .finalTry = false, .locked = true}, 3), 0);
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = true, .finalTry = true, .locked = false}, 3), 1);
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = false, .finalTry = true, .locked = false}, 0), 1);
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = true, .finalTry = false, .locked = false}, 3), 2);
}

TEST(TriesLeft, NeverAGuessWhereTheFlagsLeaveSeveralCounts) {
  // Five tries, count low, not final try: 2, 3 or 4 left. Saying 4 would be an invented count.
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = true, .finalTry = false, .locked = false}, 5), std::nullopt);
}

TEST(TriesLeft, UnknownWhenTheTokenDoesNotCountOrTheProfileDoesNotSay) {
  EXPECT_EQ(triesLeftAfterWrongPin({}, 3), std::nullopt) << "SoftHSM2 sets no flag";
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = true, .finalTry = false, .locked = false}, 0), std::nullopt);
}

TEST(TriesLeft, CountLowNeverClaimsZeroTriesOnAnUnlockedPin) {
  EXPECT_EQ(triesLeftAfterWrongPin({.countLow = true, .finalTry = false, .locked = false}, 1), std::nullopt);
}

TEST(PinCounters, ComeFromTheUserOrSoFlags) {
  TokenInfo token;
  token.userPinCountLow = true;
  token.soPinFinalTry = true;
  token.soPinLocked = true;
  const PinCounter user = userPinCounter(token);
  EXPECT_TRUE(user.countLow);
  EXPECT_FALSE(user.finalTry);
  EXPECT_FALSE(user.locked);
  const PinCounter so = soPinCounter(token);
  EXPECT_FALSE(so.countLow);
  EXPECT_TRUE(so.finalTry);
  EXPECT_TRUE(so.locked);
}

}  // namespace
}  // namespace certbridge::card
