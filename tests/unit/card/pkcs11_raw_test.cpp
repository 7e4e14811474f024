// The module's own function list, as the token code uses it: return values become typed CardErrors, and a
// CK_TOKEN_INFO becomes a TokenInfo with the padding gone and every PIN flag read.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "certbridge/card/error.hpp"
#include "pkcs11_raw.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {
namespace {

namespace ck = detail::ck;

// A function list whose C_Logout returns what the test wants.
ck::Rv logoutResult = ck::kCkrOk;
ck::Rv fakeLogout(ck::SessionHandle) {
  return logoutResult;
}

ck::FunctionList fakeFunctions() {
  ck::FunctionList functions{};
  functions.C_Logout = fakeLogout;
  return functions;
}

template <std::size_t N>
void setPadded(ck::Byte (&field)[N], const std::string& text) {
  std::fill(std::begin(field), std::end(field), ck::Byte{' '});
  std::memcpy(field, text.data(), std::min(N, text.size()));
}

TEST(CkCall, ReturnsSuccessAndTheListedValues) {
  const auto functions = fakeFunctions();
  logoutResult = ck::kCkrOk;
  EXPECT_EQ(CERTBRIDGE_CK_CALL(functions, C_Logout, (1)), ck::kCkrOk);
  logoutResult = ck::kCkrUserNotLoggedIn;
  EXPECT_EQ(CERTBRIDGE_CK_CALL(functions, C_Logout, (1), ck::kCkrUserNotLoggedIn), ck::kCkrUserNotLoggedIn);
}

TEST(CkCall, ThrowsTheKindOfTheReturnValueNamingFunctionCodeAndCallSite) {
  const auto functions = fakeFunctions();
  logoutResult = ck::kCkrSessionHandleInvalid;
  try {
    CERTBRIDGE_CK_CALL(functions, C_Logout, (1), ck::kCkrUserNotLoggedIn);
    FAIL() << "no exception";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::CardRemoved) << "a session the module dropped means the token went away";
    EXPECT_EQ(error.function(), "C_Logout");
    EXPECT_EQ(error.nativeName(), "CKR_SESSION_HANDLE_INVALID");
    EXPECT_EQ(error.location().rfind("pkcs11_raw_test.cpp:", 0), 0U) << error.location();
  }
  logoutResult = ck::kCkrPinLocked;
  try {
    CERTBRIDGE_CK_CALL(functions, C_Logout, (1));
    FAIL() << "no exception";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::PinLocked);
  }
}

TEST(CkTokenInfo, BecomesTokenInfoWithoutPaddingAndWithEveryPinFlag) {
  ck::TokenInfo info{};
  setPadded(info.label, "CertBridge OCK");
  setPadded(info.manufacturerId, "IBM Corp.");
  setPadded(info.model, "IBM SoftTok");
  setPadded(info.serialNumber, "123");
  info.flags = ck::kCkfTokenInitialized | ck::kCkfLoginRequired | ck::kCkfUserPinInitialized | ck::kCkfUserPinCountLow |
               ck::kCkfUserPinFinalTry | ck::kCkfSoPinLocked | ck::kCkfProtectedAuthenticationPath;

  const TokenInfo token = detail::toTokenInfo(info, 4, "Virtual PCD 00 00");
  EXPECT_EQ(token.slotId, 4UL);
  EXPECT_EQ(token.slotDescription, "Virtual PCD 00 00");
  EXPECT_EQ(token.label, "CertBridge OCK");
  EXPECT_EQ(token.manufacturer, "IBM Corp.");
  EXPECT_EQ(token.model, "IBM SoftTok");
  EXPECT_EQ(token.serial, "123");
  EXPECT_TRUE(token.initialized);
  EXPECT_TRUE(token.loginRequired);
  EXPECT_TRUE(token.userPinInitialized);
  EXPECT_TRUE(token.userPinCountLow);
  EXPECT_TRUE(token.userPinFinalTry);
  EXPECT_FALSE(token.userPinLocked);
  EXPECT_TRUE(token.soPinLocked);
  EXPECT_FALSE(token.soPinCountLow);
  EXPECT_TRUE(token.protectedAuthPath);
  EXPECT_FALSE(token.readOnly);
}

TEST(CkTokenInfo, AFullWidthLabelKeepsAllItsCharacters) {
  ck::TokenInfo info{};
  setPadded(info.label, std::string(32, 'L'));
  EXPECT_EQ(detail::toTokenInfo(info, 0, "").label, std::string(32, 'L'));
}

}  // namespace
}  // namespace certbridge::card
