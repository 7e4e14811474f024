// Card errors to protocol codes: each ErrorKind, and the native codes that refine Pkcs11 and Pcsc.

#include <gtest/gtest.h>

#include "certbridge/host/error_mapping.hpp"

namespace certbridge::host {
namespace {

using card::CardError;
using card::ErrorKind;

ErrorCode codeOf(const CardError& error) {
  return toProtocolError(error).code();
}

TEST(ErrorMapping, EachKindHasItsCode) {
  const std::vector<std::pair<ErrorKind, ErrorCode>> expected = {
      {ErrorKind::PcscUnavailable, ErrorCode::PcscUnavailable},
      {ErrorKind::NoReader, ErrorCode::NoReader},
      {ErrorKind::NoCard, ErrorCode::NoCard},
      {ErrorKind::CardRemoved, ErrorCode::CardRemoved},
      {ErrorKind::CardNotSupported, ErrorCode::CardNotSupported},
      {ErrorKind::ModuleUnavailable, ErrorCode::Pkcs11ModuleUnavailable},
      {ErrorKind::ModuleFailed, ErrorCode::Pkcs11ModuleFailed},
      {ErrorKind::TokenNotFound, ErrorCode::TokenNotFound},
      {ErrorKind::Pkcs11, ErrorCode::Pkcs11Error},
      {ErrorKind::Pcsc, ErrorCode::PcscError},
      {ErrorKind::Cancelled, ErrorCode::UserCancelled},
      {ErrorKind::InvalidArgument, ErrorCode::InternalError},
      {ErrorKind::PinIncorrect, ErrorCode::PinIncorrect},
      {ErrorKind::PinLocked, ErrorCode::PinLocked},
      {ErrorKind::PinPolicy, ErrorCode::PinPolicy},
      {ErrorKind::KeyNotFound, ErrorCode::KeyNotFound},
  };
  for (const auto& [kind, code] : expected) {
    EXPECT_EQ(codeOf(CardError(kind, "detail")), code) << card::toString(kind);
  }
}

TEST(ErrorMapping, TriesLeftReachesTheUser) {
  CardError wrong(ErrorKind::PinIncorrect, "detail");
  wrong.setTriesLeft(2);
  EXPECT_EQ(toProtocolError(wrong).details()["triesLeft"], 2);
  // Unknown tries left: the detail is absent rather than a guess.
  EXPECT_FALSE(toProtocolError(CardError(ErrorKind::PinIncorrect, "detail")).details().contains("triesLeft"));
  EXPECT_EQ(toProtocolError(CardError(ErrorKind::PinLocked, "detail")).details()["triesLeft"], 0);
}

TEST(ErrorMapping, TheKindDecidesNeverTheNativeName) {
  // A name that once re-classified a generic kind no longer does: the card library classifies each code where
  // it is returned, so a Pkcs11 or Pcsc kind is an unclassified failure whatever its name.
  const ProtocolError pkcs11 =
      toProtocolError(CardError(ErrorKind::Pkcs11, "detail", "C_Login", 0xA0, "CKR_PIN_INCORRECT"));
  EXPECT_EQ(pkcs11.code(), ErrorCode::Pkcs11Error);
  EXPECT_EQ(pkcs11.details()["ckr"], "CKR_PIN_INCORRECT") << "the name stays for the help desk";
  const ProtocolError pcsc =
      toProtocolError(CardError(ErrorKind::Pcsc, "detail", "SCardConnect", 1, "SCARD_E_SHARING_VIOLATION"));
  EXPECT_EQ(pcsc.code(), ErrorCode::PcscError);
  EXPECT_EQ(pcsc.details()["pcsc"], "SCARD_E_SHARING_VIOLATION");
}

TEST(ErrorMapping, KindsTheCardLibraryClassifiesHaveTheirCodes) {
  EXPECT_EQ(codeOf(CardError(ErrorKind::PinNotInitialized, "detail")), ErrorCode::CardNotInitialized);
  EXPECT_EQ(codeOf(CardError(ErrorKind::CardBusy, "detail")), ErrorCode::Busy);
  EXPECT_EQ(codeOf(CardError(ErrorKind::Timeout, "detail")), ErrorCode::Timeout);
}

TEST(ErrorMapping, DetailsNeverCarryTheFreeTextOrLocation) {
  const ProtocolError mapped =
      toProtocolError(CardError(ErrorKind::TokenNotFound, "tokens found: \"secret label\"", "C_GetSlotList"));
  EXPECT_EQ(mapped.details(), nlohmann::json::object());
  const std::string wire = errorObject(mapped).dump();
  EXPECT_EQ(wire.find("secret"), std::string::npos);
  EXPECT_EQ(wire.find(".cpp"), std::string::npos);
}

}  // namespace
}  // namespace certbridge::host
