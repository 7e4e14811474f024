// A port of the page's environment-rows.js; keep the two in step (the cross-check test compares them).

#include "environment_rows.hpp"

#include "row_parts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string_view>

namespace certbridge::cli {
namespace {

using json = nlohmann::json;
using namespace row_parts;

json versionOf(const json& part) {
  if (!truthy(part)) return nullptr;
  if (part.is_string()) return part;
  return get(part, "version");
}

std::string listText(const json& value) {
  if (!value.is_array() || value.empty()) return "-";
  std::string joined;
  for (const auto& item : value) joined += (joined.empty() ? "" : ", ") + text(item);
  return joined;
}

struct PolicyLines {
  std::vector<json> details;
  std::vector<json> ignored;
};

PolicyLines hostPolicyLines(const json& policy) {
  PolicyLines lines;
  if (!policy.is_object()) return lines;
  json sources = json::array();
  for (const auto& source : get(policy, "sources").is_array() ? get(policy, "sources") : json::array()) {
    if (truthy(get(source, "location"))) {
      sources.push_back(line("envCheck.value.sourceAt", {{"source", json::array({sourcePart(get(source, "name"))})},
                                                         {"location", text(get(source, "location"))}}));
    } else {
      sources.push_back(sourcePart(get(source, "name")));
    }
  }
  if (sources.empty()) sources.push_back(literal("-"));
  lines.details.push_back(line("envCheck.value.hostPolicySources", {{"sources", sources}}));
  constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kSettings = {
      {{"envCheck.value.hostPolicyOrigins", "allowedOrigins"},
       {"envCheck.value.hostPolicyLogLevel", "logLevel"},
       {"envCheck.value.hostPolicyCardProfiles", "cardProfiles"}}};
  for (const auto& [key, name] : kSettings) {
    const json& setting = get(policy, name);
    if (!truthy(setting)) continue;
    const json& value = get(setting, "value");
    const std::string shown = value.is_array() ? listText(value) : (value.is_null() ? "-" : text(value));
    lines.details.push_back(line(key, {{"value", shown}, {"from", sourceParts(get(setting, "from"))}}));
  }
  for (const auto& problem : get(policy, "problems").is_array() ? get(policy, "problems") : json::array()) {
    lines.ignored.push_back(
        line("envCheck.value.hostPolicyIgnored", {{"source", json::array({sourcePart(text(get(problem, "source")))})},
                                                  {"entry", text(get(problem, "entry"))},
                                                  {"reason", text(get(problem, "reason"))}}));
  }
  return lines;
}

Row hostRow(const json& host, std::optional<int> expectedProtocol) {
  Row row{"host", nullptr, "software", "ok", line("envCheck.row.host"), {}, nullptr, nullptr};
  const json version = versionOf(host);
  const json& protocol = get(host, "protocol");
  if (truthy(version) && !protocol.is_null() && expectedProtocol &&
      !(protocol.is_number() && protocol.get<double>() == static_cast<double>(*expectedProtocol))) {
    row.status = "error";
    row.details = {line("envCheck.value.protocolMismatch",
                        {{"version", version}, {"protocol", orText(protocol, "?")}, {"expected", *expectedProtocol}})};
    row.error = {{"code", "PROTOCOL_MISMATCH"}};
    return row;
  }
  if (!truthy(version)) {
    row.status = "unknown";
    row.details = {line("envCheck.value.unknown")};
    return row;
  }
  row.details = {line("envCheck.value.version", {{"version", version}}),
                 line("envCheck.value.protocolCompatible", {{"protocol", orText(protocol, "?")}})};
  if (truthy(get(host, "logFile")))
    row.details.push_back(line("envCheck.value.logFile", {{"path", get(host, "logFile")}}));
  PolicyLines policy = hostPolicyLines(get(host, "policy"));
  row.details.insert(row.details.end(), policy.details.begin(), policy.details.end());
  if (!policy.ignored.empty()) {
    row.status = "warning";
    row.details.insert(row.details.end(), policy.ignored.begin(), policy.ignored.end());
    // Group Policy exists on Windows only: a value ignored in the configuration file is fixed there.
    const json& problems = get(get(host, "policy"), "problems");
    const bool fromGroupPolicy = std::any_of(problems.begin(), problems.end(), [](const json& problem) {
      const json& source = get(problem, "source");
      return source == "HKLM policy" || source == "HKCU policy";
    });
    const json& file = get(host, "configFile");
    row.fix = fromGroupPolicy ? line("envCheck.fix.hostPolicyIgnored")
                              : line("envCheck.fix.hostConfigIgnored", {{"path", file.is_null() ? "-" : text(file)}});
  }
  return row;
}

std::optional<Row> osRow(const json& host) {
  const std::string shown = osText(get(host, "os"));
  if (shown.empty()) return std::nullopt;
  return Row{"os", nullptr, "software", "ok", line("envCheck.row.os"), {literal(shown)}, nullptr, nullptr};
}

Row pcscRow(const json& environment) {
  const json& pcsc = get(environment, "pcsc");
  if (truthy(get(pcsc, "available"))) {
    return Row{"pcsc",  nullptr, "cards", "ok", line("envCheck.row.pcsc"), {line("envCheck.value.running")},
               nullptr, nullptr};
  }
  const json& error = get(pcsc, "error");
  return Row{"pcsc",
             nullptr,
             "cards",
             "error",
             line("envCheck.row.pcsc"),
             {line("envCheck.value.notRunning")},
             error.is_null() ? json{{"code", "PCSC_UNAVAILABLE"}} : error,
             nullptr};
}

/// "3b951381..." or "3B 95 13 81 ..." -> "3B 95 13 81 ...".
json formatAtr(const json& atr) {
  if (!atr.is_string()) return nullptr;
  std::string hex;
  for (const char c : atr.get_ref<const std::string&>()) {
    if (std::isxdigit(static_cast<unsigned char>(c)))
      hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.empty()) return nullptr;
  std::string spaced;
  for (std::size_t i = 0; i < hex.size(); i += 2) spaced += (i == 0 ? "" : " ") + hex.substr(i, 2);
  return spaced;
}

bool isEmptyReaderNotice(const json& reader) {
  return !truthy(get(reader, "cardPresent")) && get(get(reader, "problem"), "code") == "NO_CARD";
}

Row readerRow(const json& reader) {
  Row row{"reader",
          get(reader, "name"),
          "cards",
          "ok",
          line("envCheck.row.reader", {{"name", get(reader, "name")}}),
          {},
          nullptr,
          nullptr};
  const json problem = isEmptyReaderNotice(reader) ? json(nullptr) : get(reader, "problem");
  row.error = problem;
  if (truthy(get(reader, "cardPresent"))) {
    row.details.push_back(line("envCheck.value.cardPresent"));
    const json atr = formatAtr(get(reader, "atr"));
    if (truthy(atr)) row.details.push_back(line("envCheck.value.atr", {{"atr", atr}}));
    const json& profile = get(reader, "profile");
    if (truthy(profile)) {
      const json& name = get(profile, "displayName");
      row.details.push_back(line("envCheck.value.profile", {{"name", name.is_null() ? get(profile, "id") : name}}));
    } else if (!truthy(row.error)) {
      row.details.push_back(line("envCheck.value.profileUnknown"));
      row.status = "warning";
      row.error = {{"code", "CARD_NOT_SUPPORTED"}};
    }
    const json& token = get(reader, "token");
    if (truthy(token)) {
      row.details.push_back(line("envCheck.value.readerToken", {{"label", orText(get(token, "label"), "")},
                                                                {"serial", orText(get(token, "serial"), "")}}));
    }
  } else {
    row.details.push_back(line("envCheck.value.noCard"));
  }
  if (truthy(get(reader, "pinPad"))) row.details.push_back(line("envCheck.value.pinPad"));
  if (truthy(problem)) row.status = "error";
  return row;
}

Row moduleRow(const json& module) {
  const json& path = get(module, "path");
  if (truthy(get(module, "loaded"))) {
    return Row{"module",
               path,
               "cards",
               "ok",
               line("envCheck.row.module"),
               {line("envCheck.value.moduleLoaded"), literal(text(path))},
               nullptr,
               nullptr};
  }
  const json& error = get(module, "error");
  return Row{"module",
             path,
             "cards",
             "error",
             line("envCheck.row.module"),
             {line("envCheck.value.moduleNotLoaded"), literal(text(path))},
             truthy(error) ? error : json{{"code", "PKCS11_MODULE_UNAVAILABLE"}},
             nullptr};
}

// Each PIN state the host reports: the row status, the detail line, and the code or fix it brings.
struct PinStateRow {
  std::string_view state;
  std::string_view status;
  std::string_view key;
  std::string_view code;
  std::string_view fix;
};
constexpr std::array<PinStateRow, 5> kPinStates = {{
    {"ok", "ok", "envCheck.value.pin.ok", "", ""},
    {"countLow", "warning", "envCheck.value.pin.countLow", "", "envCheck.fix.pinCountLow"},
    {"finalTry", "warning", "envCheck.value.pin.finalTry", "", "envCheck.fix.pinFinalTry"},
    {"locked", "error", "envCheck.value.pin.locked", "PIN_LOCKED", ""},
    {"notInitialized", "error", "envCheck.value.pin.notInitialized", "CARD_NOT_INITIALIZED", ""},
}};

constexpr std::array<std::string_view, 4> kStatusOrder = {"ok", "unknown", "warning", "error"};

std::size_t statusRank(std::string_view status) {
  return static_cast<std::size_t>(std::find(kStatusOrder.begin(), kStatusOrder.end(), status) - kStatusOrder.begin());
}

std::string worse(const std::string& a, std::string_view b) {
  return statusRank(b) > statusRank(a) ? std::string(b) : a;
}

Row tokenRow(const json& token) {
  Row row{"token",
          get(token, "label"),
          "cards",
          "ok",
          line("envCheck.row.token", {{"label", orText(get(token, "label"), "")}}),
          {},
          nullptr,
          nullptr};
  if (truthy(get(token, "serial")))
    row.details.push_back(line("envCheck.value.serial", {{"serial", get(token, "serial")}}));
  std::string maker;
  for (const json* part : {&get(token, "manufacturer"), &get(token, "model")}) {
    if (truthy(*part)) maker += (maker.empty() ? "" : " / ") + text(*part);
  }
  if (!maker.empty()) row.details.push_back(line("envCheck.value.manufacturer", {{"manufacturer", maker}}));
  if (truthy(get(token, "reader")))
    row.details.push_back(line("envCheck.value.inReader", {{"reader", get(token, "reader")}}));
  if (truthy(get(token, "protectedAuthPath"))) row.details.push_back(line("envCheck.value.pinPad"));
  json fix = nullptr;
  if (get(token, "initialized") == false) {
    row.status = "error";
    row.error = {{"code", "CARD_NOT_INITIALIZED"}};
  }
  for (const auto& pin : get(token, "pins").is_array() ? get(token, "pins") : json::array()) {
    const PinStateRow* state = &kPinStates[0];
    for (const auto& candidate : kPinStates) {
      if (get(pin, "state") == candidate.state) state = &candidate;
    }
    const bool hasTries = get(pin, "triesLeft").is_number();
    const json locksAfter = get(pin, "locksAfter").is_number() ? get(pin, "locksAfter") : json(nullptr);
    // A count the card does not report is never shown: say when it locks instead (the card profile's).
    std::string_view key = state->key;
    if (state->state == "ok" && !hasTries) {
      key = locksAfter.is_null() ? "envCheck.value.pin.okNoCount" : "envCheck.value.pin.okLocksAfter";
    }
    if (state->state == "countLow" && !hasTries) key = "envCheck.value.pin.countLowNoCount";
    row.details.push_back(line(key, {{"name", orText(get(pin, "name"), "PIN")},
                                     {"triesLeft", hasTries ? get(pin, "triesLeft") : json("?")},
                                     {"locksAfter", locksAfter},
                                     {"minLength", get(pin, "minLength")},
                                     {"maxLength", get(pin, "maxLength")}}));
    row.status = worse(row.status, state->status);
    if (!state->code.empty() && row.error.is_null()) row.error = {{"code", state->code}};
    if (!state->fix.empty() && fix.is_null()) fix = line(state->fix);
  }
  row.fix = row.error.is_null() ? fix : json(nullptr);
  return row;
}

Row certificateRow(const json& certificate) {
  const json& subjectValue = get(certificate, "subject");
  const json subject = subjectValue.is_null()
                           ? (get(certificate, "serial").is_null() ? json("") : get(certificate, "serial"))
                           : subjectValue;
  Row row{"certificate", subject, "certificates", "ok", line("envCheck.row.certificate", {{"subject", subject}}), {},
          nullptr,       nullptr};
  if (truthy(get(certificate, "notAfter"))) {
    row.details.push_back(
        line("envCheck.value.notAfter", {{"date", text(get(certificate, "notAfter")).substr(0, 10)}}));
  }
  const json& days = get(certificate, "daysToExpiry");
  if (days.is_number()) {
    if (days.get<double>() < 0) {
      row.status = "error";
      row.details.push_back(line("envCheck.value.expired"));
      row.fix = line("envCheck.fix.expired");
    } else {
      row.details.push_back(line("envCheck.value.daysToExpiry", {{"days", days}}));
      if (days.get<double>() <= 30) {
        row.status = "warning";
        row.fix = line("envCheck.fix.renew");
      }
    }
  }
  if (get(certificate, "onCard") == true) row.details.push_back(line("envCheck.value.onCard"));
  if (get(certificate, "inStore") == true) row.details.push_back(line("envCheck.value.inStore"));
  return row;
}

// Host problems about the whole machine that have a row of their own when the host reports them.
struct ProblemRow {
  std::string_view code;
  std::string_view check;
  std::string_view label;
};
constexpr std::array<ProblemRow, 3> kProblemRows = {{{"NO_CARD", "card", "envCheck.row.card"},
                                                     {"NO_READER", "readers", "envCheck.row.readers"},
                                                     {"PCSC_UNAVAILABLE", "pcsc", "envCheck.row.pcsc"}}};

void addProblemRows(const json& problems, std::vector<Row>& rows) {
  const std::size_t shown = rows.size();
  for (const auto& problem : problems.is_array() ? problems : json::array()) {
    const json& code = get(problem, "code");
    const json& subject = get(problem, "subject");
    const bool already = std::any_of(rows.begin(), rows.end(), [&](const Row& row) {
      return get(row.error, "code") == code && (row.subject.is_null() || !truthy(subject) || row.subject == subject);
    });
    if (already) continue;
    const ProblemRow* known = nullptr;
    for (const auto& candidate : kProblemRows) {
      if (!truthy(subject) && code == candidate.code) known = &candidate;
    }
    if (known != nullptr) {
      rows.push_back(
          Row{std::string(known->check), nullptr, "cards", "error", line(known->label), {}, problem, nullptr});
      continue;
    }
    rows.push_back(
        Row{"problem",
            truthy(subject) ? subject : json(nullptr),
            "problems",
            "error",
            truthy(subject) ? line("envCheck.row.problemAbout", {{"subject", subject}}) : line("envCheck.row.problem"),
            {},
            problem,
            nullptr});
  }
  (void)shown;
}

// The OS family this program runs on, as messages.json "fixByOs" names it.
#if defined(_WIN32)
constexpr std::string_view kThisOs = "windows";
#elif defined(__APPLE__)
constexpr std::string_view kThisOs = "macos";
#else
constexpr std::string_view kThisOs = "linux";
#endif

constexpr std::array<std::string_view, 5> kGroupOrder = {"software", "cards", "certificates", "problems", "local"};
constexpr std::array<std::string_view, 7> kCardRowOrder = {"environment", "pcsc",   "readers", "reader",
                                                           "card",        "module", "token"};

std::size_t indexIn(std::span<const std::string_view> list, std::string_view value) {
  return static_cast<std::size_t>(std::find(list.begin(), list.end(), value) - list.begin());
}

}  // namespace

std::vector<Row> environmentRows(const json& environment, std::optional<int> expectedProtocol) {
  const json& host = get(environment, "host");
  // What only a browser can tell: the page's rows for a check with no browser, page library or extension.
  std::vector<Row> rows{Row{"browser",
                            nullptr,
                            "software",
                            "unknown",
                            line("envCheck.row.browser"),
                            {line("envCheck.value.unknownBrowser")},
                            nullptr,
                            nullptr},
                        Row{"pageLibrary",
                            nullptr,
                            "software",
                            "unknown",
                            line("envCheck.row.pageLibrary"),
                            {line("envCheck.value.unknown")},
                            nullptr,
                            nullptr},
                        Row{"extension",
                            nullptr,
                            "software",
                            "unknown",
                            line("envCheck.row.extension"),
                            {line("envCheck.value.unknown")},
                            nullptr,
                            nullptr},
                        hostRow(host, expectedProtocol)};
  if (auto os = osRow(host)) rows.push_back(std::move(*os));
  rows.push_back(pcscRow(environment));
  const json& readers = get(environment, "readers").is_array() ? get(environment, "readers") : json::array();
  if (truthy(get(get(environment, "pcsc"), "available")) && readers.empty()) {
    rows.push_back(Row{"readers",
                       nullptr,
                       "cards",
                       "error",
                       line("envCheck.row.readers"),
                       {line("envCheck.value.noReaders")},
                       {{"code", "NO_READER"}},
                       nullptr});
  }
  bool anyCard = false;
  for (const auto& reader : readers) {
    rows.push_back(readerRow(reader));
    anyCard = anyCard || truthy(get(reader, "cardPresent"));
  }
  const json& problems = get(environment, "problems");
  const bool hostReportsNoCard =
      problems.is_array() &&
      std::any_of(problems.begin(), problems.end(), [](const json& p) { return get(p, "code") == "NO_CARD"; });
  if (!readers.empty() && !anyCard && !hostReportsNoCard) {
    rows.push_back(Row{"card",
                       nullptr,
                       "cards",
                       "error",
                       line("envCheck.row.card"),
                       {line("envCheck.value.noCardAnywhere")},
                       {{"code", "NO_CARD"}},
                       nullptr});
  }
  for (const auto& module : get(environment, "modules").is_array() ? get(environment, "modules") : json::array()) {
    rows.push_back(moduleRow(module));
  }
  // Cards in readers first, then other tokens, each by label.
  std::vector<json> tokens;
  for (const auto& token : get(environment, "tokens").is_array() ? get(environment, "tokens") : json::array()) {
    tokens.push_back(token);
  }
  std::stable_sort(tokens.begin(), tokens.end(), [](const json& a, const json& b) {
    const bool aLoose = !truthy(get(a, "reader"));
    const bool bLoose = !truthy(get(b, "reader"));
    if (aLoose != bLoose) return !aLoose;
    return text(orText(get(a, "label"), "")) < text(orText(get(b, "label"), ""));
  });
  for (const auto& token : tokens) {
    // A module's spare slot is not a card; an uninitialized token in a reader is, and gets a red row.
    if (get(token, "initialized") == false && !truthy(get(token, "reader")) && !truthy(get(token, "label"))) continue;
    rows.push_back(tokenRow(token));
  }
  for (const auto& certificate :
       get(environment, "certificates").is_array() ? get(environment, "certificates") : json::array()) {
    rows.push_back(certificateRow(certificate));
  }
  addRegistrationRows(get(environment, "registration"), rows);
  addProblemRows(problems, rows);
  // Errors the host did not mark with its OS get this computer's, so a fix with steps per OS names this one.
  for (auto& row : rows) {
    if (row.error.is_object() && !row.error.contains("os")) row.error["os"] = kThisOs;
  }
  sortRows(rows);
  return rows;
}

std::string osText(const json& os) {
  if (!os.is_object()) return {};
  std::string shown;
  for (const json* part : {&get(os, "name"), &get(os, "version")}) {
    if (truthy(*part)) shown += (shown.empty() ? "" : " ") + text(*part);
  }
  if (truthy(get(os, "arch"))) shown += (shown.empty() ? "(" : " (") + text(get(os, "arch")) + ")";
  return shown;
}

std::string versionText(const json& part) {
  if (!truthy(part)) return {};
  if (part.is_string()) return part.get<std::string>();
  if (!truthy(get(part, "version"))) return {};
  const std::string version = text(get(part, "version"));
  return get(part, "protocol").is_null() ? version : version + " (protocol " + text(get(part, "protocol")) + ")";
}

bool isBrowserOnlyRow(const Row& row) {
  return row.check == "browser" || row.check == "pageLibrary" || row.check == "extension";
}

Row environmentErrorRow(const json& error) {
  json shown = error;
  if (shown.is_object() && !shown.contains("os")) shown["os"] = kThisOs;
  return Row{"environment", nullptr, "cards", "error", line("envCheck.row.environment"), {}, std::move(shown), nullptr};
}

void sortRows(std::vector<Row>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    const std::size_t groupA = indexIn(kGroupOrder, a.group);
    const std::size_t groupB = indexIn(kGroupOrder, b.group);
    if (groupA != groupB) return groupA < groupB;
    if (a.group != "cards") return false;
    return indexIn(kCardRowOrder, a.check) < indexIn(kCardRowOrder, b.check);
  });
}

json rowJson(const Row& row) {
  json details = json::array();
  for (const auto& part : row.details) details.push_back(part);
  return {{"check", row.check},
          {"subject", row.subject},
          {"group", row.group},
          {"status", row.status},
          {"code", get(row.error, "code")},
          {"label", row.label},
          {"details", std::move(details)},
          {"error", row.error},
          {"fix", row.fix}};
}

}  // namespace certbridge::cli
