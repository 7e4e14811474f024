// libp11 calls (Linux and macOS, where the card library reaches PKCS#11 through libp11): the CKR libp11 leaves
// in OpenSSL's error queue becomes the CardError's kind and name, and never an old one.

#include <gtest/gtest.h>
#include <libp11.h>
#include <openssl/err.h>

#include "certbridge/card/error.hpp"
#include "libp11_call.hpp"

namespace certbridge::card {
namespace {

constexpr unsigned long kCkrPinIncorrect = 0xA0;
constexpr unsigned long kCkrDeviceRemoved = 0x32;

void pushCkr(unsigned long ckr) {
  ERR_new();
  ERR_set_debug(__FILE__, __LINE__, "pushCkr");
  ERR_set_error(ERR_get_CKR_code(), static_cast<int>(ckr), nullptr);
}
int libp11FailingWith(unsigned long ckr) {
  pushCkr(ckr);
  return -1;
}
int libp11FailingWithoutCkr() {
  return -1;
}
int libp11Succeeding() {
  return 0;
}

TEST(Libp11CallWrapper, TakesTheCkrFromTheOpenSslErrorQueue) {
  try {
    CERTBRIDGE_P11_CALL(libp11FailingWith, (kCkrPinIncorrect));
    FAIL() << "no exception";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PinIncorrect);
    EXPECT_EQ(error.function(), "libp11FailingWith");
    EXPECT_EQ(error.nativeCode(), static_cast<long>(kCkrPinIncorrect));
    EXPECT_EQ(error.nativeName(), "CKR_PIN_INCORRECT");
    EXPECT_EQ(error.location().rfind("libp11_call_test.cpp:", 0), 0U);
  }
  EXPECT_EQ(ERR_peek_error(), 0UL) << "the error queue was left dirty";
}

TEST(Libp11CallWrapper, RemovedDeviceIsCardRemoved) {
  try {
    CERTBRIDGE_P11_CALL(libp11FailingWith, (kCkrDeviceRemoved));
    FAIL() << "no exception";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::CardRemoved);
    EXPECT_EQ(error.nativeName(), "CKR_DEVICE_REMOVED");
  }
}

TEST(Libp11CallWrapper, AnOldErrorIsNeverBlamedOnALaterCall) {
  pushCkr(kCkrPinIncorrect);  // Left over from some earlier, unrelated failure.
  try {
    CERTBRIDGE_P11_CALL(libp11FailingWithoutCkr, ());
    FAIL() << "no exception";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Pkcs11);
    EXPECT_EQ(error.nativeCode(), 0);
    EXPECT_EQ(error.nativeName(), "");
  }
  EXPECT_EQ(CERTBRIDGE_P11_CALL(libp11Succeeding, ()), 0);
}

}  // namespace
}  // namespace certbridge::card
