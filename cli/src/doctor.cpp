#include "doctor.hpp"

#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "command_runner.hpp"
#include "report_text.hpp"

namespace certbridge::cli {

using json = nlohmann::json;

DoctorReport runDoctor(const host::HostState& host, const LocalCheckOptions& options) {
  DoctorReport report;
  report.checkedAt = std::time(nullptr);
  CommandRunner runner(host, nullptr);
  try {
    report.environment = runner.run("environment", json::object());
    report.rows = environmentRows(report.environment);
  } catch (const host::ProtocolError& e) {
    report.environment = nullptr;
    report.rows = {environmentErrorRow(host::errorObject(e))};
  }
  std::vector<Row> local = localRows(host.config, options);
  report.rows.insert(report.rows.end(), local.begin(), local.end());
  sortRows(report.rows);
  return report;
}

DoctorReport doctorFromSaved(const json& saved) {
  DoctorReport report;
  // A doctor.json (support bundle) holds the answer under "environment"; a bare answer is the answer.
  const bool isDoctorJson = saved.is_object() && saved.contains("environment") && saved.contains("rows");
  report.environment = isDoctorJson ? saved["environment"] : saved;
  report.checkedAt = isDoctorJson && saved.value("checkedAtEpoch", json()).is_number_integer()
                         ? saved["checkedAtEpoch"].get<std::time_t>()
                         : std::time(nullptr);
  if (report.environment.is_object()) {
    report.rows = environmentRows(report.environment);
  } else {
    report.rows = {environmentErrorRow({{"code", "INTERNAL_ERROR"}})};
  }
  // The rows about the user's computer come from the saved report as they were (they cannot be made again
  // elsewhere), re-worded in the reader's language from their message keys.
  if (isDoctorJson && saved["rows"].is_array()) {
    for (const auto& row : saved["rows"]) {
      if (!row.is_object() || row.value("group", std::string()) != "local") continue;
      Row local{row.value("check", std::string()),
                row.value("subject", json()),
                "local",
                row.value("status", std::string("unknown")),
                row.value("label", json::object()),
                {},
                row.value("error", json()),
                row.value("fix", json())};
      for (const auto& part : row.value("details", json::array())) local.details.push_back(part);
      report.rows.push_back(std::move(local));
    }
  }
  sortRows(report.rows);
  return report;
}

json doctorJson(const DoctorReport& report, const Catalogue& catalogue, const std::string& language) {
  json rows = json::array();
  for (const auto& row : report.rows) {
    json entry = rowJson(row);
    entry["text"] = {{"label", rowLabel(row, catalogue, language)}, {"lines", rowLines(row, catalogue, language)}};
    rows.push_back(std::move(entry));
  }
  return {{"language", language},
          {"checkedAt", reportTime(report.checkedAt)},
          {"checkedAtEpoch", static_cast<long long>(report.checkedAt)},
          {"summary", summarize(report.rows)},
          {"exitCode", doctorExitCode(report.rows)},
          {"rows", std::move(rows)},
          {"environment", report.environment}};
}

json reportHost(const DoctorReport& report) {
  return report.environment.is_object() ? report.environment.value("host", json()) : json();
}

int doctorExitCode(const std::vector<Row>& rows) {
  int code = 0;
  for (const auto& row : rows) {
    if (isBrowserOnlyRow(row)) continue;  // a terminal cannot check them: no verdict either way
    if (row.status == "error") return 2;
    if (row.status != "ok") code = 1;
  }
  return code;
}

}  // namespace certbridge::cli
