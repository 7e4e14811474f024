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
  gmtime_r(&time, &utc);
  std::array<char, 32> buffer{};
  const std::size_t length = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return std::string(buffer.data(), length);
}

std::string rowLabel(const Row& row, const Catalogue& catalogue, std::string_view language) {
  return oneLine(catalogue.partText(row.label, language));
}

std::vector<std::string> rowLines(const Row& row, const Catalogue& catalogue, std::string_view language) {
  std::vector<std::string> lines;
  if (!row.error.is_null()) {
    std::string problem = catalogue.errorMessage(row.error, language);
    const json& triesLeft = row.error.is_object() ? row.error.value("triesLeft", json()) : json();
    if (row.error.value("code", std::string()) == "PIN_INCORRECT" && triesLeft.is_number()) {
      problem += " " + catalogue.text("envCheck.value.triesLeft", language, {{"triesLeft", triesLeft}});
    }
    lines.push_back(problem);
  }
  for (const auto& part : row.details) lines.push_back(catalogue.partText(part, language));
  const std::string fix = !row.error.is_null() ? catalogue.errorFix(row.error, language)
                          : row.fix.is_null()  ? std::string()
                                               : catalogue.partText(row.fix, language);
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

std::string reportText(const std::vector<Row>& rows, const Catalogue& catalogue, std::string_view language,
                       std::time_t checkedAt) {
  const json counts = summarize(rows);
  const int problems = counts["warning"].get<int>() + counts["error"].get<int>();
  std::string out = "CertBridge " + catalogue.text("envCheck.title", language) + "\n";
  out += oneLine(catalogue.text("envCheck.checkedAt", language, {{"time", reportTime(checkedAt)}})) + "\n";
  out += oneLine(problems == 0 ? catalogue.text("envCheck.summary.ok", language)
                               : catalogue.text("envCheck.summary.problems", language, {{"count", problems}})) +
         "\n";
  for (const auto group : kGroups) {
    bool headed = false;
    for (const auto& row : rows) {
      if (row.group != group) continue;
      if (!headed) {
        out += "\n## " + oneLine(catalogue.text("envCheck.group." + std::string(group), language)) + "\n";
        headed = true;
      }
      out += oneLine("[" + catalogue.text("envCheck.status." + row.status, language) + "] " +
                     rowLabel(row, catalogue, language)) +
             "\n";
      for (const auto& text : rowLines(row, catalogue, language)) out += "    " + text + "\n";
    }
  }
  return out;
}

}  // namespace certbridge::cli
