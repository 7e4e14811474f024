// Error reporting: every PC/SC and PKCS#11 failure becomes a CardError that names the kind, the failing
// function, the native code and where it happened. Built for Linux and Windows alike (winscard.h is
// pcsc-lite's or Windows' own); libp11's error queue is libp11_call_test.cpp's, Linux only.

#include <gtest/gtest.h>
#include <winscard.h>

#include <set>

#include "certbridge/card/error.hpp"
#include "pcsc_call.hpp"
#include "pkcs11_call.hpp"

namespace certbridge::card {
namespace {

constexpr unsigned long kCkrPinIncorrect = 0xA0;

// Stand-ins for C API functions, so the wrappers can be exercised without a service or a module. The PC/SC one
// stands in for SCardReleaseContext in the library's PC/SC table and returns the code it is given as context.
LONG releaseReturning(SCARDCONTEXT code) {
  return static_cast<LONG>(code);
}

detail::PcscFunctions returningFunctions() {
  detail::PcscFunctions functions = detail::systemPcscFunctions();
  functions.SCardReleaseContext = releaseReturning;
  return functions;
}

// The PC/SC wrapper calls through the table in use: these tests install the stand-in for their duration.
class PcscCallWrapper : public ::testing::Test {
 protected:
  const detail::PcscFunctions functions_ = returningFunctions();
  const detail::ScopedPcscFunctions installed_{functions_};
};

SCARDCONTEXT code(LONG rv) {
  return static_cast<SCARDCONTEXT>(rv);
}

TEST(ErrorKindNames, EveryKindHasItsOwnStableName) {
  const std::set<std::string> names{toString(ErrorKind::PcscUnavailable),
                                    toString(ErrorKind::NoReader),
                                    toString(ErrorKind::NoCard),
                                    toString(ErrorKind::CardRemoved),
                                    toString(ErrorKind::CardNotSupported),
                                    toString(ErrorKind::ModuleUnavailable),
                                    toString(ErrorKind::TokenNotFound),
                                    toString(ErrorKind::Pkcs11),
                                    toString(ErrorKind::Pcsc),
                                    toString(ErrorKind::Cancelled),
                                    toString(ErrorKind::InvalidArgument),
                                    toString(ErrorKind::PinIncorrect),
                                    toString(ErrorKind::PinLocked),
                                    toString(ErrorKind::PinPolicy),
                                    toString(ErrorKind::KeyNotFound),
                                    toString(ErrorKind::ModuleFailed),
                                    toString(ErrorKind::PinNotInitialized),
                                    toString(ErrorKind::CardBusy),
                                    toString(ErrorKind::Timeout)};
  EXPECT_EQ(names.size(), 19U);
  EXPECT_STREQ(toString(ErrorKind::PinIncorrect), "PinIncorrect");
  EXPECT_STREQ(toString(ErrorKind::KeyNotFound), "KeyNotFound");
  EXPECT_STREQ(toString(ErrorKind::PcscUnavailable), "PcscUnavailable");
  EXPECT_STREQ(toString(ErrorKind::ModuleUnavailable), "ModuleUnavailable");
}

TEST(CardErrorFields, CarryKindFunctionCodeNameAndCallSite) {
  const std::string function = "SCardConnect", name = "SCARD_E_NO_SMARTCARD";
  const int line = __LINE__ + 1;
  const CardError error(ErrorKind::NoCard, "There is no card in reader X", function, 0x8010000C, name);
  EXPECT_EQ(error.kind(), ErrorKind::NoCard);
  EXPECT_EQ(error.function(), "SCardConnect");
  EXPECT_EQ(error.nativeCode(), 0x8010000C);
  EXPECT_EQ(error.nativeName(), "SCARD_E_NO_SMARTCARD");
  EXPECT_EQ(error.location(), "errors_test.cpp:" + std::to_string(line));
  EXPECT_STREQ(error.what(), "There is no card in reader X (SCardConnect: SCARD_E_NO_SMARTCARD)");
  EXPECT_TRUE(error.retriable());
  EXPECT_FALSE(CardError(ErrorKind::InvalidArgument, "bad").retriable());
  EXPECT_STREQ(CardError(ErrorKind::Cancelled, "Cancelled").what(), "Cancelled");
}

TEST(CardErrorFields, TriesLeftIsUnknownUntilAPinOperationSetsIt) {
  CardError error(ErrorKind::PinIncorrect, "PIN is incorrect", "C_Login", 0xA0, "CKR_PIN_INCORRECT");
  EXPECT_FALSE(error.triesLeft());
  error.setTriesLeft(2);
  EXPECT_EQ(error.triesLeft(), 2);
  const CardError copy = error;  // CardSlot::problem and the host keep errors by value.
  EXPECT_EQ(copy.triesLeft(), 2);
  EXPECT_TRUE(copy.retriable());
}

TEST(PcscErrorNames, NamesComeFromTheTable) {
  EXPECT_STREQ(detail::pcscErrorName(SCARD_S_SUCCESS), "SCARD_S_SUCCESS");
  EXPECT_STREQ(detail::pcscErrorName(SCARD_E_NO_SERVICE), "SCARD_E_NO_SERVICE");
  EXPECT_STREQ(detail::pcscErrorName(SCARD_E_NO_READERS_AVAILABLE), "SCARD_E_NO_READERS_AVAILABLE");
  EXPECT_STREQ(detail::pcscErrorName(SCARD_W_REMOVED_CARD), "SCARD_W_REMOVED_CARD");
  EXPECT_STREQ(detail::pcscErrorName(0x12345), "SCARD_E_UNRECOGNIZED");
}

TEST(PcscErrorKinds, UserVisibleConditionsGetTheirOwnKind) {
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_NO_SERVICE), ErrorKind::PcscUnavailable);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_SERVICE_STOPPED), ErrorKind::PcscUnavailable);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_NO_READERS_AVAILABLE), ErrorKind::NoReader);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_UNKNOWN_READER), ErrorKind::NoReader);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_NO_SMARTCARD), ErrorKind::NoCard);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_W_REMOVED_CARD), ErrorKind::CardRemoved);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_W_UNSUPPORTED_CARD), ErrorKind::CardNotSupported);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_CANCELLED), ErrorKind::Cancelled);
}

TEST(PcscErrorKinds, EveryCodeTheUserCanActOnIsClassifiedHereNotByNameLater) {
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_SHARING_VIOLATION), ErrorKind::CardBusy);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_E_TIMEOUT), ErrorKind::Timeout);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_W_RESET_CARD), ErrorKind::CardRemoved);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_W_UNRESPONSIVE_CARD), ErrorKind::CardNotSupported);
  EXPECT_EQ(detail::pcscErrorKind(SCARD_F_INTERNAL_ERROR), ErrorKind::Pcsc);
}

TEST_F(PcscCallWrapper, ThrowsTypedErrorNamingFunctionCodeAndCallSite) {
  try {
    CERTBRIDGE_PCSC_CALL(SCardReleaseContext, (code(SCARD_E_NO_SERVICE)));
    FAIL() << "no exception";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PcscUnavailable);
    EXPECT_EQ(error.function(), "SCardReleaseContext");
    EXPECT_EQ(error.nativeCode(), static_cast<long>(SCARD_E_NO_SERVICE));
    EXPECT_EQ(error.nativeName(), "SCARD_E_NO_SERVICE");
    EXPECT_EQ(error.location().rfind("errors_test.cpp:", 0), 0U) << error.location();
    EXPECT_NE(std::string(error.what()).find("not running"), std::string::npos) << error.what();
  }
}

TEST_F(PcscCallWrapper, ReportsTheLineOfTheCallSite) {
  int line = 0;
  try {
    line = __LINE__ + 1;
    CERTBRIDGE_PCSC_CALL(SCardReleaseContext, (code(SCARD_E_NO_SMARTCARD)));
  } catch (const CardError& error) {
    EXPECT_EQ(error.location(), "errors_test.cpp:" + std::to_string(line));
    return;
  }
  FAIL() << "no exception";
}

TEST_F(PcscCallWrapper, PassesSuccessAndTheListedCodesBackToTheCaller) {
  EXPECT_EQ(CERTBRIDGE_PCSC_CALL(SCardReleaseContext, (code(SCARD_S_SUCCESS))), SCARD_S_SUCCESS);
  EXPECT_EQ(CERTBRIDGE_PCSC_CALL(SCardReleaseContext, (code(SCARD_E_TIMEOUT)), SCARD_E_TIMEOUT, SCARD_E_CANCELLED),
            SCARD_E_TIMEOUT);
  EXPECT_THROW(CERTBRIDGE_PCSC_CALL(SCardReleaseContext, (code(SCARD_E_NO_SMARTCARD)), SCARD_E_TIMEOUT), CardError);
}

TEST(Pkcs11ErrorNames, NamesComeFromTheTable) {
  EXPECT_STREQ(detail::pkcs11ErrorName(0), "CKR_OK");
  EXPECT_STREQ(detail::pkcs11ErrorName(kCkrPinIncorrect), "CKR_PIN_INCORRECT");
  EXPECT_STREQ(detail::pkcs11ErrorName(0xA4), "CKR_PIN_LOCKED");
  EXPECT_STREQ(detail::pkcs11ErrorName(0x190), "CKR_CRYPTOKI_NOT_INITIALIZED");
  EXPECT_STREQ(detail::pkcs11ErrorName(0x1C3), "CKR_PIN_TOO_WEAK");
  EXPECT_STREQ(detail::pkcs11ErrorName(0x80000123UL), "CKR_VENDOR_DEFINED");
  EXPECT_STREQ(detail::pkcs11ErrorName(0x4), "CKR_UNRECOGNIZED");
}

TEST(Pkcs11ErrorKinds, PinAndSessionCodesGetTheirOwnKind) {
  EXPECT_EQ(detail::pkcs11ErrorKind(0xA0), ErrorKind::PinIncorrect);  // CKR_PIN_INCORRECT
  EXPECT_EQ(detail::pkcs11ErrorKind(0xA4), ErrorKind::PinLocked);     // CKR_PIN_LOCKED
  EXPECT_EQ(detail::pkcs11ErrorKind(0xA1), ErrorKind::PinPolicy);     // CKR_PIN_INVALID
  EXPECT_EQ(detail::pkcs11ErrorKind(0xA2), ErrorKind::PinPolicy);     // CKR_PIN_LEN_RANGE
  EXPECT_EQ(detail::pkcs11ErrorKind(0x1C3), ErrorKind::PinPolicy);    // CKR_PIN_TOO_WEAK
  EXPECT_EQ(detail::pkcs11ErrorKind(0x32), ErrorKind::CardRemoved);   // CKR_DEVICE_REMOVED
  EXPECT_EQ(detail::pkcs11ErrorKind(0xE0), ErrorKind::CardRemoved);   // CKR_TOKEN_NOT_PRESENT
  EXPECT_EQ(detail::pkcs11ErrorKind(0xB3), ErrorKind::CardRemoved);   // CKR_SESSION_HANDLE_INVALID
  EXPECT_EQ(detail::pkcs11ErrorKind(0xB0), ErrorKind::CardRemoved);   // CKR_SESSION_CLOSED
  // Classified here once; the host maps kinds only and never reads the CKR name again.
  EXPECT_EQ(detail::pkcs11ErrorKind(0xA3), ErrorKind::PinLocked);           // CKR_PIN_EXPIRED
  EXPECT_EQ(detail::pkcs11ErrorKind(0x102), ErrorKind::PinNotInitialized);  // CKR_USER_PIN_NOT_INITIALIZED
  EXPECT_EQ(detail::pkcs11ErrorKind(0x60), ErrorKind::KeyNotFound);         // CKR_KEY_HANDLE_INVALID
  EXPECT_EQ(detail::pkcs11ErrorKind(0x05), ErrorKind::Pkcs11);              // CKR_GENERAL_ERROR
}

}  // namespace
}  // namespace certbridge::card
