// The certbridge command's catalogue lookups: the page's language choice and {placeholder} filling, over the
// embedded messages.json (the same file the page reads).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "catalogue.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;

TEST(Catalogue, EmbeddedIsTheSharedFile) {
  std::ifstream in(CERTBRIDGE_MESSAGES_JSON);
  std::stringstream text;
  text << in.rdbuf();
  const json shared = json::parse(text.str());
  const Catalogue& catalogue = Catalogue::embedded();
  EXPECT_EQ(catalogue.text("envCheck.title", "en"), shared["ui"]["envCheck.title"]["en"]);
  EXPECT_EQ(catalogue.text("cli.usage", "zh-TW"), shared["ui"]["cli.usage"]["zh-TW"]);
}

TEST(Catalogue, PicksLanguagesAsThePageDoes) {
  const Catalogue& catalogue = Catalogue::embedded();
  EXPECT_EQ(catalogue.pickLanguage("zh-TW"), "zh-TW");
  EXPECT_EQ(catalogue.pickLanguage("zh_TW.UTF-8"), "zh-TW");
  EXPECT_EQ(catalogue.pickLanguage("zh-CN"), "zh-TW");  // same primary language
  EXPECT_EQ(catalogue.pickLanguage("en_US.UTF-8"), "en");
  EXPECT_EQ(catalogue.pickLanguage("fr"), "en");
  EXPECT_EQ(catalogue.pickLanguage(""), "zh-TW");
}

TEST(Catalogue, FillsPlaceholdersAndLeavesUnknownOnes) {
  EXPECT_EQ(fillIn("{a} and {b} and {c}", {{"a", "x"}, {"b", 3}, {"c", nullptr}}), "x and 3 and {c}");
  EXPECT_EQ(fillIn("{ not a name } {", json::object()), "{ not a name } {");
}

TEST(Catalogue, TranslatesListsOfParts) {
  const Catalogue& catalogue = Catalogue::embedded();
  const json parts = json::array({{{"key", "envCheck.value.sourceBuiltIn"}}, {{"text", "HKLM"}}});
  const std::string text = catalogue.text("envCheck.value.hostPolicySources", "en", {{"sources", parts}});
  EXPECT_NE(text.find(catalogue.text("envCheck.value.sourceBuiltIn", "en")), std::string::npos) << text;
  EXPECT_NE(text.find("HKLM"), std::string::npos) << text;
}

TEST(Catalogue, ErrorTextsByCauseAndOs) {
  const Catalogue& catalogue = Catalogue::embedded();
  const std::string plain = catalogue.errorMessage({{"code", "NATIVE_UNAVAILABLE"}}, "en");
  const std::string forbidden = catalogue.errorMessage({{"code", "NATIVE_UNAVAILABLE"}, {"cause", "forbidden"}}, "en");
  EXPECT_NE(plain, forbidden);
  EXPECT_EQ(catalogue.errorMessage({{"code", "NOT_A_CODE"}, {"message", "own words"}}, "en"), "own words");
  EXPECT_NE(catalogue.errorFix({{"code", "PCSC_UNAVAILABLE"}, {"os", "linux"}}, "en").find("pcscd"), std::string::npos);
}

}  // namespace
}  // namespace certbridge::cli
