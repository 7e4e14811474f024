#include "report_text.hpp"

#include <array>

namespace certbridge::cli {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 5> kGroups = {"software", "cards", "certificates", "problems", "local"};

// One row never spills into a line that looks like another: CR and LF runs become one space.
std::string oneLine(const std::string& text) {
  std::string out;
  bool inBreak = false;
  for (const char c : text) {
    if (c == '\r' || c == '\n') {
      if (!inBreak) out += ' ';
      inBreak = true;
      continue;
    }
    inBreak = false;
    out += c;
  }
  // No line ends in a space.
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

}  // namespace

json summarize(const std::vector<Row>& rows) {
  json counts = {{"ok", 0}, {"warning", 0}, {"error", 0}, {"unknown", 0}};
  for (const auto& row : rows) counts[row.status] = counts.value(row.status, 0) + 1;
  return counts;
}

std::string reportTime(std::time_t time) {
  std::tm utc{};
#if defined(_WIN32)
  gmtime_s(&utc, &time);
#else
  gmtime_r(&time, &utc);
#endif
  std::array<char, 32> buffer{};
  const std::size_t length = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer.data(), length);
}

std::string rowLabel(const Row& row, const Catalogue& catalogue, std::string_view language) {
  return oneLine(catalogue.partText(row.label, language));
}

std::string problemText(const Row& row, const Catalogue& catalogue, std::string_view language) {
  std::string problem = catalogue.errorMessage(row.error, language);
  const json& triesLeft = row.error.is_object() ? row.error.value("triesLeft", json()) : json();
  if (row.error.value("code", std::string()) == "PIN_INCORRECT" && triesLeft.is_number()) {
    problem += " " + catalogue.text("envCheck.value.triesLeft", language, {{"triesLeft", triesLeft}});
  }
  return problem;
}

std::string fixText(const Row& row, const Catalogue& catalogue, std::string_view language) {
  if (!row.error.is_null()) return catalogue.errorFix(row.error, language);
  return row.fix.is_null() ? std::string() : catalogue.partText(row.fix, language);
}

std::vector<std::string> rowLines(const Row& row, const Catalogue& catalogue, std::string_view language) {
  std::vector<std::string> lines;
  if (!row.error.is_null()) lines.push_back(problemText(row, catalogue, language));
  for (const auto& part : row.details) lines.push_back(catalogue.partText(part, language));
  const std::string fix = fixText(row, catalogue, language);
  if (!fix.empty()) {
    lines.push_back(row.status != "ok" ? catalogue.text("envCheck.fixLabel", language) + " " + fix : fix);
  }
  if (row.error.is_object() && row.error.value("code", json()).is_string()) {
    lines.push_back(catalogue.text("envCheck.errorCode", language, {{"code", row.error["code"]}}));
  }
  std::vector<std::string> shown;
  for (auto& text : lines) {
    std::string flat = oneLine(text);
    if (!flat.empty()) shown.push_back(std::move(flat));
  }
  return shown;
}

std::string cleanField(std::string_view value) {
  std::string cleaned;
  bool inSpace = false;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) {
      inSpace = true;
      continue;
    }
    if (inSpace && !cleaned.empty()) cleaned += ' ';
    inSpace = false;
    cleaned += c == '|' ? '/' : c;
  }
  return cleaned.empty() ? "-" : cleaned;
}

std::string reportLine(const Row& row, const Catalogue& catalogue, std::string_view language) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kStateWords = {
      {{"ok", "OK"}, {"warning", "WARNING"}, {"error", "ERROR"}, {"unknown", "UNKNOWN"}}};
  std::string_view state = "UNKNOWN";
  for (const auto& [status, word] : kStateWords) {
    if (row.status == status) state = word;
  }
  // The detail field: the problem, then each detail line.
  std::string detail;
  const auto append = [&](const std::string& part) {
    if (!part.empty()) detail += (detail.empty() ? "" : "; ") + part;
  };
  if (!row.error.is_null()) append(problemText(row, catalogue, language));
  for (const auto& part : row.details) append(catalogue.partText(part, language));
  const std::string code =
      row.error.is_object() && row.error.value("code", json()).is_string() ? row.error["code"].get<std::string>() : "";
  return std::string(state) + " | " + cleanField(catalogue.partText(row.label, language)) + " | " + cleanField(detail) +
         " | " + cleanField(code) + " | " + cleanField(fixText(row, catalogue, language));
}

std::string reportText(const std::vector<Row>& rows, const Catalogue& catalogue, std::string_view language,
                       std::time_t checkedAt, const json& host) {
  const json counts = summarize(rows);
  std::string out = "CertBridge environment report, format " + std::to_string(kReportFormat) + "\n";
  out += "date: " + cleanField(reportTime(checkedAt)) + "\n";
  out += "language: " + cleanField(language) + "\n";
  // What only a browser knows is "-" here: the doctor has no browser, extension or page library.
  out += "browser: -\n";
  out += "os: " + cleanField(osText(host.is_object() ? host.value("os", json()) : json())) + "\n";
  out += "extension: -\n";
  out += "host: " + cleanField(versionText(host)) + "\n";
  out += "page library: -\n";
  out += "summary: error=" + counts["error"].dump() + " warning=" + counts["warning"].dump() +
         " unknown=" + counts["unknown"].dump() + " ok=" + counts["ok"].dump() + "\n\n";
  for (const auto group : kGroups) {
    for (const auto& row : rows) {
      if (row.group == group) out += reportLine(row, catalogue, language) + "\n";
    }
  }
  return out;
}

}  // namespace certbridge::cli
