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

TEST(ErrorMapping, Pkcs11ReturnValuesRefineTheCode) {
  const std::vector<std::pair<const char*, ErrorCode>> expected = {
      {"CKR_PIN_INCORRECT", ErrorCode::PinIncorrect},
      {"CKR_PIN_LOCKED", ErrorCode::PinLocked},
      {"CKR_PIN_LEN_RANGE", ErrorCode::PinPolicy},
      {"CKR_PIN_INVALID", ErrorCode::PinPolicy},
      {"CKR_TOKEN_NOT_PRESENT", ErrorCode::CardRemoved},
      {"CKR_DEVICE_REMOVED", ErrorCode::CardRemoved},
      {"CKR_USER_PIN_NOT_INITIALIZED", ErrorCode::CardNotInitialized},
      {"CKR_FUNCTION_CANCELED", ErrorCode::UserCancelled},
      {"CKR_GENERAL_ERROR", ErrorCode::Pkcs11Error},
      {"CKR_DEVICE_MEMORY", ErrorCode::Pkcs11Error},
  };
  for (const auto& [name, code] : expected) {
    const ProtocolError mapped = toProtocolError(CardError(ErrorKind::Pkcs11, "detail", "C_Login", 1, name));
    EXPECT_EQ(mapped.code(), code) << name;
    EXPECT_EQ(mapped.details()["ckr"], name);
  }
}

TEST(ErrorMapping, PcscReturnValuesRefineTheCode) {
  const std::vector<std::pair<const char*, ErrorCode>> expected = {
      {"SCARD_E_NO_SERVICE", ErrorCode::PcscUnavailable},    {"SCARD_E_SERVICE_STOPPED", ErrorCode::PcscUnavailable},
      {"SCARD_E_NO_READERS_AVAILABLE", ErrorCode::NoReader}, {"SCARD_E_UNKNOWN_READER", ErrorCode::NoReader},
      {"SCARD_E_NO_SMARTCARD", ErrorCode::NoCard},           {"SCARD_W_REMOVED_CARD", ErrorCode::CardRemoved},
      {"SCARD_E_SHARING_VIOLATION", ErrorCode::Busy},        {"SCARD_E_TIMEOUT", ErrorCode::Timeout},
      {"SCARD_E_CANCELLED", ErrorCode::UserCancelled},       {"SCARD_F_INTERNAL_ERROR", ErrorCode::PcscError},
  };
  for (const auto& [name, code] : expected) {
    const ProtocolError mapped = toProtocolError(CardError(ErrorKind::Pcsc, "detail", "SCardConnect", 1, name));
    EXPECT_EQ(mapped.code(), code) << name;
    EXPECT_EQ(mapped.details()["pcsc"], name);
  }
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
