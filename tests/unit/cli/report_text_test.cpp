// The plain-text report (extension/page-library/environment-check/README.md "Plain-text report"), exactly.

#include <gtest/gtest.h>

#include "report_text.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;

TEST(ReportText, FollowsTheDefinition) {
  const Catalogue& catalogue = Catalogue::embedded();
  std::vector<Row> rows = environmentRows({{"host", nullptr},
                                           {"pcsc", {{"available", true}, {"error", nullptr}}},
                                           {"readers", json::array()},
                                           {"problems", json::array()}},
                                          1);
  const std::string text = reportText(rows, catalogue, "en", 0);
  const std::string expected =
      "CertBridge Environment check\n"
      "Checked 1970-01-01 00:00:00 UTC\n"
      "Check complete. Items that need attention: 1. Follow the fix in each marked row.\n"
      "\n## " +
      catalogue.text("envCheck.group.software", "en") +
      "\n"
      "[" +
      catalogue.text("envCheck.status.unknown", "en") + "] " + catalogue.text("envCheck.row.host", "en") +
      "\n"
      "    " +
      catalogue.text("envCheck.value.unknown", "en") +
      "\n"
      "\n## " +
      catalogue.text("envCheck.group.cards", "en") +
      "\n"
      "[OK] " +
      catalogue.text("envCheck.row.pcsc", "en") +
      "\n"
      "    " +
      catalogue.text("envCheck.value.running", "en") +
      "\n"
      "[Problem] " +
      catalogue.text("envCheck.row.readers", "en") +
      "\n"
      "    " +
      catalogue.errorMessage({{"code", "NO_READER"}}, "en") +
      "\n"
      "    " +
      catalogue.text("envCheck.value.noReaders", "en") +
      "\n"
      "    How to fix: " +
      catalogue.errorFix({{"code", "NO_READER"}}, "en") +
      "\n"
      "    Error code: NO_READER\n";
  EXPECT_EQ(text, expected);
}

TEST(ReportText, KeepsEachRowOnItsLines) {
  const Catalogue& catalogue = Catalogue::embedded();
  Row row{"problem", nullptr, "problems", "error", {{"text", "two\r\nlines "}}, {{{"text", "a\nb"}}}, nullptr, nullptr};
  const std::string text = reportText({row}, catalogue, "en", 0);
  EXPECT_NE(text.find("] two lines\n    a b\n"), std::string::npos) << text;
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
