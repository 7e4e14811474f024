#pragma once
// The rows of the environment check, made from the host's `environment` answer exactly as the page makes
// them (extension/page-library/environment-check/environment-rows.js): the same checks, states, error codes
// and message keys. tests/integration/cli/ runs both on the same answers and compares them.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace certbridge::cli {

/// One row. Parts (label, details, fix) are {"key", "params"} (catalogue text) or {"text"} (shown as is).
struct Row {
  std::string check;                    ///< Stable id of the kind of row ("pcsc", "reader", "manifest", ...).
  nlohmann::json subject;               ///< What the row is about when there can be several (reader name), else null.
  std::string group;                    ///< "software", "cards", "certificates", "problems" or "local" (doctor only).
  std::string status;                   ///< "ok", "warning", "error" or "unknown".
  nlohmann::json label;                 ///< A part: the row heading.
  std::vector<nlohmann::json> details;  ///< One part per line of the result.
  nlohmann::json error;                 ///< {code, ...} or null: what is wrong (its text comes from the catalogue).
  nlohmann::json fix;                   ///< A part or null: a hint of our own when there is no error to look up.
};

/// The rows the page shows for an environment answer when no browser, page library or extension says
/// anything (those three rows "unknown", as in the page's doctor view). expectedProtocol: the protocol the
/// host must speak, when something expects one (nullopt: not checked, as the page without a page library).
std::vector<Row> environmentRows(const nlohmann::json& environment, std::optional<int> expectedProtocol = std::nullopt);

/// The rows only a browser can fill in (browser, page library, extension): never a verdict of the doctor.
bool isBrowserOnlyRow(const Row& row);

/// The row the page shows when the environment command itself failed.
Row environmentErrorRow(const nlohmann::json& error);

/// Rows in display order: by group (software, cards, certificates, problems, local), the cards group in
/// the page's order of kinds, otherwise as made.
void sortRows(std::vector<Row>& rows);

/// Appends the rows about each card's registration in this computer's certificate stores (environment's
/// "registration"), as the page makes them.
void addRegistrationRows(const nlohmann::json& registration, std::vector<Row>& rows);

/// The host's OS as the OS row and the report header show it: "Debian GNU/Linux 12 (x86_64)"; empty if unknown.
std::string osText(const nlohmann::json& os);

/// A component's version with its protocol when known: "1.0.0 (protocol 1)"; empty if unknown.
std::string versionText(const nlohmann::json& part);

/// The row as JSON: {check, subject, group, status, code, label, details, error, fix}.
nlohmann::json rowJson(const Row& row);

}  // namespace certbridge::cli
