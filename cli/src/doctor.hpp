#pragma once
// `certbridge doctor`: the environment check's rows from the host's own `environment` command, plus the
// rows only this computer can give (local_checks.hpp), as the plain-text report or JSON.

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.hpp"
#include "certbridge/host/dispatcher.hpp"
#include "environment_rows.hpp"
#include "local_checks.hpp"

namespace certbridge::cli {

struct DoctorReport {
  std::vector<Row> rows;       ///< In display order.
  nlohmann::json environment;  ///< The host's environment answer (null when it failed).
  std::time_t checkedAt = 0;
};

/// Asks the command layer for the environment and adds the local rows.
DoctorReport runDoctor(const host::HostState& host, const LocalCheckOptions& options);

/// The rows of a saved environment answer (a fixture, or a support bundle's doctor.json), without local rows.
DoctorReport doctorFromSaved(const nlohmann::json& saved);

/// {"language", "checkedAt", "summary", "exitCode", "rows": [{...row, "text": {"label", "lines"}}], "environment"}.
nlohmann::json doctorJson(const DoctorReport& report, const Catalogue& catalogue, const std::string& language);

/// The environment answer's "host" (null when the answer is missing), for the report's header.
nlohmann::json reportHost(const DoctorReport& report);

/// 0 when every row is OK, 1 when the worst is a warning (or unknown), 2 when any row is a problem.
int doctorExitCode(const std::vector<Row>& rows);

}  // namespace certbridge::cli
