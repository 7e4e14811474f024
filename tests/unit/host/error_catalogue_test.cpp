// The generated error catalogue (extension/shared/messages.json) and the wire error object.

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "certbridge/error_codes.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {
namespace {

TEST(ErrorCatalogue, EveryCodeHasMessageAndFixInEveryLanguage) {
  for (const auto code : allErrorCodes()) {
    for (const auto language : {Language::En, Language::ZhTw}) {
      EXPECT_FALSE(errorMessage(code, language).empty()) << toString(code) << " " << toString(language);
      EXPECT_FALSE(errorFix(code, language).empty()) << toString(code) << " " << toString(language);
    }
    EXPECT_NE(errorMessage(code, Language::En), errorMessage(code, Language::ZhTw)) << toString(code);
  }
}

TEST(ErrorCatalogue, NamesRoundTripAndAreUnique) {
  std::set<std::string_view> names;
  for (const auto code : allErrorCodes()) {
    EXPECT_EQ(errorCodeFromString(toString(code)), code);
    EXPECT_TRUE(names.insert(toString(code)).second);
  }
  EXPECT_EQ(names.size(), kErrorCodeCount);
  EXPECT_FALSE(errorCodeFromString("NOT_A_CODE"));
  EXPECT_EQ(toString(Language::ZhTw), "zh-TW");
}

TEST(ErrorCatalogue, MatchesTheSharedSource) {
  std::ifstream in(CERTBRIDGE_MESSAGES_JSON);
  ASSERT_TRUE(in) << CERTBRIDGE_MESSAGES_JSON;
  const auto messages = nlohmann::json::parse(in);
  ASSERT_EQ(messages["errors"].size(), kErrorCodeCount);
  for (const auto& [name, entry] : messages["errors"].items()) {
    const auto code = errorCodeFromString(name);
    ASSERT_TRUE(code) << name;
    EXPECT_EQ(errorMessage(*code, Language::En), entry["message"]["en"].get<std::string>());
    EXPECT_EQ(errorMessage(*code, Language::ZhTw), entry["message"]["zh-TW"].get<std::string>());
    EXPECT_EQ(errorFix(*code, Language::En), entry["fix"]["en"].get<std::string>());
    EXPECT_EQ(errorFix(*code, Language::ZhTw), entry["fix"]["zh-TW"].get<std::string>());
  }
}

TEST(ErrorObject, CarriesCodeEnglishTextsAndDetails) {
  const auto error = errorObject(ProtocolError(ErrorCode::PinIncorrect, {{"triesLeft", 2}}));
  EXPECT_EQ(error["code"], "PIN_INCORRECT");
  EXPECT_EQ(error["message"], std::string(errorMessage(ErrorCode::PinIncorrect)));
  EXPECT_EQ(error["fix"], std::string(errorFix(ErrorCode::PinIncorrect)));
  EXPECT_EQ(error["triesLeft"], 2);
}

TEST(ErrorObject, DetailsCannotOverrideTheCatalogue) {
  const auto error = errorObject(ErrorCode::NoCard, {{"code", "OK"}, {"message", "fine"}, {"fix", "none"}});
  EXPECT_EQ(error["code"], "NO_CARD");
  EXPECT_EQ(error["message"], std::string(errorMessage(ErrorCode::NoCard)));
  EXPECT_EQ(error["fix"], std::string(errorFix(ErrorCode::NoCard)));
}

TEST(ErrorObject, AFixWithStepsPerOsNamesThisHostsOsOnly) {
  // PCSC_UNAVAILABLE's general fix names Windows, Linux and macOS in one line; the host's error names its own.
  ASSERT_TRUE(hasOsSpecificFix(ErrorCode::PcscUnavailable));
  const auto error = errorObject(ErrorCode::PcscUnavailable);
  EXPECT_EQ(error["os"], std::string(toString(kBuildOs)));
  const std::string fix = error["fix"];
  EXPECT_EQ(fix, std::string(errorFix(ErrorCode::PcscUnavailable, Language::En, kBuildOs)));
  EXPECT_NE(fix, std::string(errorFix(ErrorCode::PcscUnavailable)));
  for (const auto os : {OsFamily::Windows, OsFamily::Linux, OsFamily::Macos}) {
    const std::string text(errorFix(ErrorCode::PcscUnavailable, Language::En, os));
    for (const auto* other : {"Windows", "pcscd", "macOS"}) {
      const bool own = (os == OsFamily::Windows && std::string_view(other) == "Windows") ||
                       (os == OsFamily::Linux && std::string_view(other) == "pcscd");
      if (!own) {
        EXPECT_EQ(text.find(other), std::string::npos) << toString(os) << ": " << text;
      }
    }
  }
#if defined(__linux__)
  EXPECT_EQ(error["os"], "linux");
  EXPECT_NE(fix.find("pcscd"), std::string::npos) << fix;
#endif
  // A code without steps per OS says nothing about the OS.
  EXPECT_FALSE(hasOsSpecificFix(ErrorCode::NoCard));
  EXPECT_FALSE(errorObject(ErrorCode::NoCard).contains("os"));
}

TEST(ErrorObject, BadRequestNamesTheField) {
  const auto error = errorObject(badRequest("params.pin", "unexpected key"));
  EXPECT_EQ(error["field"], "params.pin");
  EXPECT_EQ(error["reason"], "unexpected key");
}

}  // namespace
}  // namespace certbridge::host
