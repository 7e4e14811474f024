// The card library against openCryptoki's software token, which (unlike SoftHSM2) counts wrong PINs and
// locks, and which rejects the extra certificate attributes libp11 writes. Runs inside the test bed's
// openCryptoki namespace (see opencryptoki_main.cpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pin_operations.hpp"
#include "certbridge/card/token_objects.hpp"
#include "token_fixture.hpp"

namespace certbridge::card {
namespace {

using testing::Bytes;
using testing::errorOf;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (!value) throw std::runtime_error(std::string(name) + " is not set: run through testbed.sh exec");
  return value;
}

class OpenCryptoki : public testing::TokenFixture {
 protected:
  // As the test bed's certbridge-config-ock.json profile says: 4 to 8 characters, locked after 3 tries.
  testing::TokenUnderTest target() const override {
    return {env("CERTBRIDGE_TESTBED_OCK_MODULE"), env("CERTBRIDGE_TESTBED_OCK_TOKEN"),
            env("CERTBRIDGE_TESTBED_OCK_USER_PIN"), env("CERTBRIDGE_TESTBED_OCK_SO_PIN"), PinRules{"PIN", 4, 8, 3}};
  }

  CardError wrongLogin() {
    TokenSession session(module(), token(), SessionMode::ReadOnly);
    return errorOf([&] { session.loginUser(SecretString("0000"), rules()); });
  }
};

TEST_F(OpenCryptoki, WrongPinsCountDownToALockThatTheSecurityOfficerClears) {
  const auto first = wrongLogin();
  EXPECT_EQ(first.kind(), ErrorKind::PinIncorrect);
  EXPECT_EQ(first.triesLeft(), 2) << "count low with 3 tries -> 2 left";

  const auto second = wrongLogin();
  EXPECT_EQ(second.kind(), ErrorKind::PinIncorrect);
  EXPECT_EQ(second.triesLeft(), 1) << "final try";
  EXPECT_NE(std::string(second.what()).find("1 try left"), std::string::npos) << second.what();

  const auto third = wrongLogin();
  EXPECT_EQ(third.kind(), ErrorKind::PinLocked);
  EXPECT_EQ(third.triesLeft(), 0);

  {
    TokenSession session(module(), token(), SessionMode::ReadOnly);
    EXPECT_TRUE(session.token().userPinLocked);
    const auto locked = errorOf([&] { session.loginUser(userPin(), rules()); });
    EXPECT_EQ(locked.kind(), ErrorKind::PinLocked) << "even the right PIN is refused";
    EXPECT_EQ(locked.triesLeft(), 0);
    EXPECT_EQ(locked.function(), "") << "a locked PIN is refused without asking the token";
  }

  const SecretString newPin("n3wPIN");
  {
    TokenSession officer(module(), token(), SessionMode::ReadWrite);
    officer.loginSecurityOfficer(soPin());
    unblockPin(officer, newPin, rules());
    EXPECT_FALSE(officer.token().userPinLocked);
    EXPECT_FALSE(officer.token().userPinCountLow);
    EXPECT_FALSE(officer.token().userPinFinalTry);
  }
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  EXPECT_EQ(errorOf([&] { session.loginUser(userPin(), rules()); }).kind(), ErrorKind::PinIncorrect);
  session.loginUser(newPin, rules());
  EXPECT_EQ(session.loggedIn(), UserType::User);
}

TEST_F(OpenCryptoki, UnblockingClearsALockButOnlyAGoodLoginClearsTheCount) {
  // openCryptoki 3.8's C_InitPIN clears CKF_USER_PIN_LOCKED only; the session reports the flags as they are.
  EXPECT_EQ(wrongLogin().triesLeft(), 2);
  {
    TokenSession officer(module(), token(), SessionMode::ReadWrite);
    officer.loginSecurityOfficer(soPin());
    unblockPin(officer, userPin(), rules());
    EXPECT_TRUE(officer.token().userPinCountLow);
  }
  TokenSession session = loggedIn(SessionMode::ReadOnly);
  EXPECT_FALSE(session.refreshToken().userPinCountLow);
  EXPECT_FALSE(session.token().userPinFinalTry);
}

TEST_F(OpenCryptoki, APinOutsideTheProfileUsesNoTry) {
  {
    TokenSession session(module(), token(), SessionMode::ReadOnly);
    for (const char* pin : {"123", "123456789", "12 34"})
      EXPECT_EQ(errorOf([&] { session.loginUser(SecretString(pin), rules()); }).kind(), ErrorKind::PinPolicy) << pin;
    const auto& fresh = session.refreshToken();
    EXPECT_FALSE(fresh.userPinCountLow) << "a policy failure reached the token";
    EXPECT_FALSE(fresh.userPinFinalTry);
  }
  const auto wrong = wrongLogin();
  EXPECT_EQ(wrong.triesLeft(), 2) << "the first real wrong PIN still finds all 3 tries";
}

TEST_F(OpenCryptoki, AGoodLoginResetsTheCount) {
  EXPECT_EQ(wrongLogin().triesLeft(), 2);
  {
    TokenSession session = loggedIn(SessionMode::ReadOnly);
    EXPECT_FALSE(session.refreshToken().userPinCountLow);
  }
  EXPECT_EQ(wrongLogin().triesLeft(), 2);
}

TEST_F(OpenCryptoki, WrongOldPinsOnChangeCountDownToALockLikeWrongLogins) {
  // openCryptoki 3.8 does not count a wrong old PIN in C_SetPIN: changePin checks it with C_Login, which counts.
  for (const int left : {2, 1}) {
    TokenSession session(module(), token(), SessionMode::ReadWrite);
    const auto error = errorOf([&] { changePin(session, SecretString("0000"), SecretString("5678"), rules()); });
    EXPECT_EQ(error.kind(), ErrorKind::PinIncorrect);
    EXPECT_EQ(error.function(), "C_Login");
    EXPECT_EQ(error.triesLeft(), left);
    const TokenInfo fresh = session.refreshToken();
    EXPECT_TRUE(left == 2 ? fresh.userPinCountLow : fresh.userPinFinalTry) << "the token counted the wrong PIN";
  }
  {
    TokenSession session(module(), token(), SessionMode::ReadWrite);
    const auto error = errorOf([&] { changePin(session, SecretString("0000"), SecretString("5678"), rules()); });
    EXPECT_EQ(error.kind(), ErrorKind::PinLocked) << "the third wrong old PIN must lock the PIN";
    // Locked: even the right PIN cannot change it now, and no try is spent finding that out.
    EXPECT_EQ(errorOf([&] { changePin(session, userPin(), SecretString("5678"), rules()); }).kind(),
              ErrorKind::PinLocked);
  }
}

TEST_F(OpenCryptoki, TheRightOldPinChangesThePinAndClearsTheCount) {
  EXPECT_EQ(wrongLogin().triesLeft(), 2);
  {
    TokenSession session(module(), token(), SessionMode::ReadWrite);
    changePin(session, userPin(), SecretString("5678"), rules());
    EXPECT_FALSE(session.refreshToken().userPinCountLow);
  }
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  session.loginUser(SecretString("5678"), rules());
}

TEST_F(OpenCryptoki, GeneratedKeysAreSensitiveAndNotExtractable) {
  // libp11 0.4.12's PKCS11_generate_key leaves CKA_EXTRACTABLE to openCryptoki, which makes it true; the
  // library's own template must not.
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "ock key");
  EXPECT_EQ(key.bits, 2048);
  EXPECT_TRUE(key.protection.sensitive);
  EXPECT_FALSE(key.protection.extractable);
  EXPECT_TRUE(key.protection.neverExtractable);
  EXPECT_TRUE(key.protection.privateObject);
  EXPECT_TRUE(key.protection.tokenObject);

  const auto objects = testing::pkcs11ToolObjects(env("CERTBRIDGE_TESTBED_OCK_MODULE"), token().slotId,
                                                  env("CERTBRIDGE_TESTBED_OCK_USER_PIN"));
  const auto listed = std::find_if(objects.begin(), objects.end(), [&](const testing::ListedObject& object) {
    return object.kind.rfind("Private Key Object", 0) == 0 && object.id == testing::hex(key.id);
  });
  ASSERT_NE(listed, objects.end());
  EXPECT_TRUE(listed->access.count("sensitive"));
  EXPECT_FALSE(listed->access.count("extractable")) << "pkcs11-tool sees an extractable key";

  const PrivateKey evp = privateKey(session, key);
  const Bytes signature = testing::sign(evp.get(), "renewal request");
  EXPECT_TRUE(testing::verify(key.publicKey, "renewal request", signature));
}

TEST_F(OpenCryptoki, CertificatesAreStoredBesideTheirKeysOnce) {
  const auto ca = testing::makeTestCa();
  forgetCertificateAfterwards(ca.certificate);
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "ock certificate");
  const Bytes certificate = testing::issueCertificate(ca, key.publicKey, "A123456789", 2001);

  const CertificateInfo stored = storeCertificate(session, certificate, "A123456789 signing");
  EXPECT_EQ(stored.id, key.id);
  storeCertificate(session, certificate, "again");
  storeCaCertificate(session, ca.certificate, "CertBridge Test CA");
  storeCaCertificate(session, ca.certificate, "CertBridge Test CA");

  const auto listed = listCertificates(session);
  EXPECT_EQ(std::count_if(listed.begin(), listed.end(), [&](const CertificateInfo& c) { return c.der == certificate; }),
            1);
  EXPECT_EQ(
      std::count_if(listed.begin(), listed.end(), [&](const CertificateInfo& c) { return c.der == ca.certificate; }),
      1);
  const auto mine =
      std::find_if(listed.begin(), listed.end(), [&](const CertificateInfo& c) { return c.der == certificate; });
  ASSERT_NE(mine, listed.end());
  EXPECT_TRUE(mine->keyOnToken);
  EXPECT_EQ(mine->keyId, key.id);
  EXPECT_EQ(mine->label, "A123456789 signing");
}

}  // namespace
}  // namespace certbridge::card
