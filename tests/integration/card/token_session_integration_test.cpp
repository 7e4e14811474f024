// Token sessions, logins and PIN operations against the test bed's SoftHSM2 tokens: what the host's
// authenticate, changePin and unblockPin commands rest on.

#include <gtest/gtest.h>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/pin_operations.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/card/token_session.hpp"
#include "pkcs11_module_impl.hpp"
#include "testbed.hpp"
#include "token_fixture.hpp"

namespace certbridge::card {
namespace {

using testing::Bytes;
using testing::errorOf;

class SoftHsmSession : public testing::TokenFixture {
 protected:
  testing::TokenUnderTest target() const override {
    const auto& bed = testing::TestBed::get();
    return {CERTBRIDGE_SOFTHSM_MODULE, testing::kTokenLabel, bed.env("CERTBRIDGE_TESTBED_USER_PIN"),
            bed.env("CERTBRIDGE_TESTBED_SO_PIN"), PinRules{"PIN", 6, 16, 3}};
  }
};

TEST_F(SoftHsmSession, TheCardHolderLogsInAndOutWithThePin) {
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  EXPECT_EQ(session.token().label, testing::kTokenLabel);
  EXPECT_FALSE(session.loggedIn());
  session.loginUser(userPin(), rules());
  EXPECT_EQ(session.loggedIn(), UserType::User);
  session.logout();
  EXPECT_FALSE(session.loggedIn());
  session.logout();  // A second logout is a no-op.
}

TEST_F(SoftHsmSession, AWrongPinIsPinIncorrectWithTheTriesLeftReadFromTheFreshFlags) {
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  EXPECT_FALSE(session.token().userPinCountLow);
  const auto error = errorOf([&] { session.loginUser(SecretString("999999"), rules()); });
  EXPECT_EQ(error.kind(), ErrorKind::PinIncorrect);
  EXPECT_EQ(error.nativeName(), "CKR_PIN_INCORRECT");
  EXPECT_EQ(error.function(), "C_Login");
  // SoftHSM2 raises count low after a wrong PIN (it never locks): with the profile's 3 tries, 2 are left.
  EXPECT_TRUE(session.token().userPinCountLow) << "the flags were not read again after the failure";
  EXPECT_EQ(error.triesLeft(), 2);
  EXPECT_NE(std::string(error.what()).find("2 tries left"), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find("999999"), std::string::npos) << "the PIN is in the message";
  EXPECT_FALSE(session.loggedIn());
  session.loginUser(userPin(), rules());  // The session is still usable.
  EXPECT_EQ(session.loggedIn(), UserType::User);
}

TEST_F(SoftHsmSession, APinThatBreaksTheProfileIsRefusedBeforeTheTokenIsAsked) {
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  const auto error = errorOf([&] { session.loginUser(SecretString("12345"), rules()); });
  EXPECT_EQ(error.kind(), ErrorKind::PinPolicy);
  EXPECT_EQ(error.function(), "") << "a PKCS#11 function was called";
  EXPECT_EQ(error.nativeName(), "");
  EXPECT_FALSE(session.loggedIn());
}

TEST_F(SoftHsmSession, OneSessionPerTokenAndNoRelistingWhileItIsOpen) {
  const TokenInfo secondToken = tokenLabelled(testing::kSecondTokenLabel);
  {
    TokenSession session(module(), token(), SessionMode::ReadOnly);
    EXPECT_EQ(errorOf([&] { TokenSession second(module(), token(), SessionMode::ReadOnly); }).kind(),
              ErrorKind::InvalidArgument);
    EXPECT_EQ(errorOf([&] { module()->tokens(); }).kind(), ErrorKind::InvalidArgument)
        << "re-enumerating would make libp11 close the session";
    // Another token of the same module may have its own session (two-PIN cards).
    TokenSession other(module(), secondToken, SessionMode::ReadOnly);
  }
  EXPECT_NO_THROW(module()->tokens()) << "closing the sessions allows listing again";
  EXPECT_NO_THROW(TokenSession(module(), token(), SessionMode::ReadOnly));
}

TEST_F(SoftHsmSession, ASwappedCardIsCardRemoved) {
  TokenInfo other = token();
  other.serial = "0000000000000000";
  EXPECT_EQ(errorOf([&] { TokenSession session(module(), other, SessionMode::ReadOnly); }).kind(),
            ErrorKind::CardRemoved);
}

TEST_F(SoftHsmSession, ASessionTheModuleDropsIsCardRemovedAndStillClosesCleanly) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  // What a pulled card does to a real module's sessions.
  module()->impl().functions().C_CloseAllSessions(token().slotId);
  const auto error = errorOf([&] { listKeys(session); });
  EXPECT_EQ(error.kind(), ErrorKind::CardRemoved);
  EXPECT_EQ(error.nativeName(), "CKR_SESSION_HANDLE_INVALID");
  // The session is abandoned here (destructor) without a crash or an exception; a new one works.
}

TEST_F(SoftHsmSession, AnAbandonedSessionLeavesNoLoginBehindAndLosesNothing) {
  Bytes publicKey;
  {
    TokenSession session = loggedIn(SessionMode::ReadWrite);
    publicKey = generateKey(session, "abandoned after keygen").publicKey;
    // The operation stops here (card pulled, page closed): no certificate was written.
  }
  TokenSession later(module(), token(), SessionMode::ReadOnly);
  EXPECT_FALSE(later.loggedIn());
  EXPECT_TRUE(listKeys(later).empty()) << "private keys are visible: a login outlived its session";
  later.loginUser(userPin(), rules());
  EXPECT_TRUE(findKeyByPublicKey(later, publicKey)) << "the key made before the interruption is still found";
}

TEST_F(SoftHsmSession, ChangingThePinMakesTheOldOneFailAndTheNewOneWork) {
  const SecretString newPin("n3w-PIN-42");
  {
    TokenSession session = loggedIn(SessionMode::ReadWrite);
    changePin(session, userPin(), newPin, rules());
  }
  {
    TokenSession session(module(), token(), SessionMode::ReadOnly);
    EXPECT_EQ(errorOf([&] { session.loginUser(userPin(), rules()); }).kind(), ErrorKind::PinIncorrect);
    session.loginUser(newPin, rules());
    EXPECT_EQ(session.loggedIn(), UserType::User);
  }
  {
    // Also without logging in first, as the portal's "change PIN" page does.
    TokenSession session(module(), token(), SessionMode::ReadWrite);
    changePin(session, newPin, userPin(), rules());
  }
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  session.loginUser(userPin(), rules());
}

TEST_F(SoftHsmSession, AWrongOldPinOrABadNewPinLeavesThePinAsItWas) {
  TokenSession session(module(), token(), SessionMode::ReadWrite);
  const auto wrongOld = errorOf([&] { changePin(session, SecretString("999999"), SecretString("abcdefg"), rules()); });
  EXPECT_EQ(wrongOld.kind(), ErrorKind::PinIncorrect);
  EXPECT_EQ(wrongOld.function(), "C_Login");  // the old PIN is checked by a login first
  const auto tooShort = errorOf([&] { changePin(session, userPin(), SecretString("abc"), rules()); });
  EXPECT_EQ(tooShort.kind(), ErrorKind::PinPolicy);
  EXPECT_EQ(tooShort.function(), "") << "the token was asked";
  session.loginUser(userPin(), rules());
}

TEST_F(SoftHsmSession, TheSecurityOfficerSetsANewPinThatThenWorks) {
  const SecretString newPin("unblocked-9");
  {
    TokenSession officer(module(), token(), SessionMode::ReadWrite);
    const auto wrongSoPin = errorOf([&] { officer.loginSecurityOfficer(SecretString("11111111")); });
    EXPECT_EQ(wrongSoPin.kind(), ErrorKind::PinIncorrect);
    EXPECT_EQ(std::string(wrongSoPin.what()).find("11111111"), std::string::npos);
    officer.loginSecurityOfficer(soPin());
    EXPECT_EQ(officer.loggedIn(), UserType::SecurityOfficer);
    EXPECT_EQ(errorOf([&] { changePin(officer, userPin(), newPin, rules()); }).kind(), ErrorKind::InvalidArgument)
        << "C_SetPIN as SO would change the SO PIN";
    EXPECT_EQ(errorOf([&] { unblockPin(officer, SecretString("short"), rules()); }).kind(), ErrorKind::PinPolicy);
    unblockPin(officer, newPin, rules());
  }
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  EXPECT_EQ(errorOf([&] { session.loginUser(userPin(), rules()); }).kind(), ErrorKind::PinIncorrect);
  session.loginUser(newPin, rules());
}

TEST_F(SoftHsmSession, SecurityOfficerAndWritesNeedAReadWriteSession) {
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  EXPECT_EQ(errorOf([&] { session.loginSecurityOfficer(soPin()); }).kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { unblockPin(session, userPin(), rules()); }).kind(), ErrorKind::InvalidArgument);
  session.loginUser(userPin(), rules());
  EXPECT_EQ(errorOf([&] { generateRsaKeyPair(session, {2048, "read-only"}); }).kind(), ErrorKind::InvalidArgument);
}

TEST_F(SoftHsmSession, PinPadLoginIsRefusedOnATokenWithoutPinPad) {
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  EXPECT_FALSE(session.token().protectedAuthPath);
  EXPECT_EQ(errorOf([&] { session.loginUserOnPinPad(rules()); }).kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { changePinOnPinPad(session, rules()); }).kind(), ErrorKind::InvalidArgument);
}

// A two-PIN card as the test bed models it: PIN 1 on "CertBridge Card", PIN 2 on "CertBridge Card 2".
CardProfile twoPinProfile() {
  CardProfile profile;
  profile.id = "certbridge-virtual-two-pin";
  profile.displayName = "CertBridge virtual two-PIN card";
  profile.atr = parseHexBytes(testing::kCardAtr);
  profile.modulePath = CERTBRIDGE_SOFTHSM_MODULE;
  profile.tokenLabel = testing::kTokenLabel;
  PinRules second{"PIN 2", 6, 16, 3};
  second.tokenLabel = testing::kSecondTokenLabel;
  profile.pins = {PinRules{"PIN 1", 6, 16, 3}, second};
  return profile;
}

TEST_F(SoftHsmSession, EachPinGroupOfATwoPinCardIsChangedOnItsOwnToken) {
  CardLocator locator(CardProfileTable({twoPinProfile()}));
  const CardSlot slot = locator.find(testing::kCardReader);
  const TokenInfo first = locator.pinToken(slot, 0);
  const TokenInfo second = locator.pinToken(slot, 1);
  EXPECT_EQ(first.label, testing::kTokenLabel);
  EXPECT_EQ(second.label, testing::kSecondTokenLabel);
  EXPECT_EQ(errorOf([&] { locator.pinToken(slot, 2); }).kind(), ErrorKind::InvalidArgument);

  const PinRules& pin2 = slot.profile->pins[1];
  const SecretString newPin2("second-PIN");
  {
    TokenSession session(slot.module, second, SessionMode::ReadWrite);
    changePin(session, userPin(), newPin2, pin2);
  }
  {
    TokenSession session(slot.module, first, SessionMode::ReadOnly);
    session.loginUser(userPin(), slot.profile->pins[0]);  // PIN 1 is untouched.
  }
  {
    TokenSession session(slot.module, second, SessionMode::ReadOnly);
    session.loginUser(newPin2, pin2);
  }
  // Back to the test PIN (TearDown only resets the first token).
  TokenSession officer(slot.module, second, SessionMode::ReadWrite);
  officer.loginSecurityOfficer(soPin());
  unblockPin(officer, userPin(), pin2);
}

TEST_F(SoftHsmSession, APinGroupWhoseTokenIsMissingIsTokenNotFound) {
  CardProfile profile = twoPinProfile();
  profile.pins[1].tokenLabel = "No Such Token";
  CardLocator locator(CardProfileTable({profile}));
  const CardSlot slot = locator.find(testing::kCardReader);
  const auto error = errorOf([&] { locator.pinToken(slot, 1); });
  EXPECT_EQ(error.kind(), ErrorKind::TokenNotFound);
  EXPECT_NE(std::string(error.what()).find("No Such Token"), std::string::npos) << error.what();
}

}  // namespace
}  // namespace certbridge::card
