#pragma once
// The plain-text environment report: what `certbridge doctor` prints and what the page's "copy report"
// button copies. Defined in extension/page-library/environment-check/README.md ("Plain-text report").

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

/// "YYYY-MM-DD HH:MM:SS UTC".
std::string reportTime(std::time_t time);

/// The report text in one language (rows already in display order).
std::string reportText(const std::vector<Row>& rows, const Catalogue& catalogue, std::string_view language,
                       std::time_t checkedAt);

/// The row's heading on one line.
std::string rowLabel(const Row& row, const Catalogue& catalogue, std::string_view language);

/// The lines of a row's result, in the page's order (problem, details, fix, code), without indentation.
std::vector<std::string> rowLines(const Row& row, const Catalogue& catalogue, std::string_view language);

}  // namespace certbridge::cli
