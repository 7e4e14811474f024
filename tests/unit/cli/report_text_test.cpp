// The plain-text report (extension/page-library/environment-check/README.md "Plain-text report"), exactly.

#include <gtest/gtest.h>

#include "report_text.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;

TEST(ReportText, FollowsTheDefinition) {
  const Catalogue& catalogue = Catalogue::embedded();
  const json host = {
      {"version", "1.2.3"}, {"protocol", 1}, {"os", {{"name", "Debian"}, {"version", "12"}, {"arch", "x86_64"}}}};
  std::vector<Row> rows = environmentRows(
      {{"host", host}, {"pcsc", {{"available", true}, {"error", nullptr}}}, {"readers", json::array()}}, 1);
  const std::string text = reportText(rows, catalogue, "en", 0, host);
  const std::string expected =
      "CertBridge environment report, format 1\n"
      "date: 1970-01-01T00:00:00Z\n"
      "language: en\n"
      "browser: -\n"
      "os: Debian 12 (x86_64)\n"
      "extension: -\n"
      "host: 1.2.3 (protocol 1)\n"
      "page library: -\n"
      "summary: error=1 warning=0 unknown=3 ok=3\n"
      "\n"
      "UNKNOWN | " +
      catalogue.text("envCheck.row.browser", "en") + " | " + catalogue.text("envCheck.value.unknownBrowser", "en") +
      " | - | -\n"
      "UNKNOWN | " +
      catalogue.text("envCheck.row.pageLibrary", "en") + " | " + catalogue.text("envCheck.value.unknown", "en") +
      " | - | -\n"
      "UNKNOWN | " +
      catalogue.text("envCheck.row.extension", "en") + " | " + catalogue.text("envCheck.value.unknown", "en") +
      " | - | -\n"
      "OK | " +
      catalogue.text("envCheck.row.host", "en") + " | " +
      catalogue.text("envCheck.value.version", "en", {{"version", "1.2.3"}}) + "; " +
      catalogue.text("envCheck.value.protocolCompatible", "en", {{"protocol", 1}}) +
      " | - | -\n"
      "OK | " +
      catalogue.text("envCheck.row.os", "en") +
      " | Debian 12 (x86_64) | - | -\n"
      "OK | " +
      catalogue.text("envCheck.row.pcsc", "en") + " | " + catalogue.text("envCheck.value.running", "en") +
      " | - | -\n"
      "ERROR | " +
      catalogue.text("envCheck.row.readers", "en") + " | " + catalogue.errorMessage({{"code", "NO_READER"}}, "en") +
      "; " + catalogue.text("envCheck.value.noReaders", "en") + " | NO_READER | " +
      catalogue.errorFix({{"code", "NO_READER"}}, "en") + "\n";
  EXPECT_EQ(text, expected);
}

TEST(ReportText, CleansEveryField) {
  EXPECT_EQ(cleanField(" a|b \r\n\tc  "), "a/b c");
  EXPECT_EQ(cleanField(""), "-");
  EXPECT_EQ(cleanField(" \n "), "-");
  EXPECT_EQ(cleanField("智慧卡"), "智慧卡");  // UTF-8 bytes are not control characters
}

TEST(ReportText, KeepsEachRowOnOneLine) {
  const Catalogue& catalogue = Catalogue::embedded();
  Row row{"problem", nullptr, "problems", "error", {{"text", "two\r\nlines "}}, {{{"text", "a\nb|c"}}},
          nullptr,   nullptr};
  const std::string text = reportText({row}, catalogue, "en", 0, nullptr);
  EXPECT_NE(text.find("\nERROR | two lines | a b/c | - | -\n"), std::string::npos) << text;
}

TEST(ReportText, TriesLeftFollowTheProblem) {
  const Catalogue& catalogue = Catalogue::embedded();
  Row row{"problem", nullptr, "problems", "error", {{"text", "x"}}, {}, {{"code", "PIN_INCORRECT"}, {"triesLeft", 1}},
          nullptr};
  const std::vector<std::string> lines = rowLines(row, catalogue, "en");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], catalogue.errorMessage(row.error, "en") + " " +
                          catalogue.text("envCheck.value.triesLeft", "en", {{"triesLeft", 1}}));
}

}  // namespace
}  // namespace certbridge::cli
