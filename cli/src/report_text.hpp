#pragma once
// The plain-text environment report: what `certbridge doctor` prints and what the page's "copy report"
// button copies (report-text.js). Defined in extension/page-library/environment-check/README.md
// ("Plain-text report", format 1); the doctor adds its "local" rows after the page's groups, in the same form.

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.hpp"
#include "environment_rows.hpp"

namespace certbridge::cli {

/// Counts of rows by status: {"ok", "warning", "error", "unknown"}.
nlohmann::json summarize(const std::vector<Row>& rows);

/// The format number the report's first line names.
inline constexpr int kReportFormat = 1;

/// "YYYY-MM-DDTHH:MM:SSZ" (UTC).
std::string reportTime(std::time_t time);

/// A field of the report: "|" becomes "/", each run of ASCII spaces and control characters one space,
/// no space at either end, "-" when empty.
std::string cleanField(std::string_view value);

/// One row as a line of the report: "STATE | title | detail | code | fix" (no line break).
std::string reportLine(const Row& row, const Catalogue& catalogue, std::string_view language);

/// The report text in one language (rows in display order); host: the environment answer's "host" (for
/// the os and host header lines; null when unknown).
std::string reportText(const std::vector<Row>& rows, const Catalogue& catalogue, std::string_view language,
                       std::time_t checkedAt, const nlohmann::json& host);

/// The row's problem as the page shows it (the error's message; tries left after PIN_INCORRECT).
std::string problemText(const Row& row, const Catalogue& catalogue, std::string_view language);

/// The fix the page shows for the row (the catalogue's for its error, else its own); empty when none.
std::string fixText(const Row& row, const Catalogue& catalogue, std::string_view language);

/// The row's heading on one line.
std::string rowLabel(const Row& row, const Catalogue& catalogue, std::string_view language);

/// The lines of a row's result, in the page's order (problem, details, fix, code), without indentation.
std::vector<std::string> rowLines(const Row& row, const Catalogue& catalogue, std::string_view language);

}  // namespace certbridge::cli
