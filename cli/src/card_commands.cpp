#include "card_commands.hpp"

#include <algorithm>
#include <ostream>

#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "command_runner.hpp"
#include "environment_rows.hpp"
#include "local_places.hpp"
#include "pin_prompts.hpp"
#include "report_text.hpp"

namespace certbridge::cli {
namespace {

// The stores a registration changes on this OS, as the extension's window names them (request_details.js).
std::string_view storesKey() {
  const std::string_view os = local_places::thisOs();
  if (os == "windows") return "consent.value.storesWindows";
  if (os == "macos") return "consent.value.storesMac";
  return "consent.value.storesLinux";
}

using json = nlohmann::json;

// The words for a running command's progress, from the window's catalogue keys.
std::string progressText(const json& progress, const Catalogue& catalogue, const std::string& language) {
  const std::string stage = progress.value("stage", std::string());
  const json params = {{"pinName", progress.value("pinName", std::string("PIN"))}};
  if (stage.empty()) return {};
  const std::string key = "consent.stage." + stage;
  const std::string text = catalogue.text(key, language, params);
  return text == key ? std::string() : text;
}

class CardTool {
 public:
  CardTool(const CardOptions& options, const host::HostState& host, const Catalogue& catalogue, std::string language,
           std::ostream& out, std::ostream& err)
      : options_(options),
        catalogue_(catalogue),
        language_(std::move(language)),
        out_(out),
        err_(err),
        runner_(host,
                [this](const json& progress) {
                  const std::string text = progressText(progress, catalogue_, language_);
                  if (!text.empty()) out_ << text << "\n" << std::flush;
                }),
        prompts_(catalogue, language_, SecretInput(options.pinFd), out, err) {}

  int list() {
    const json environment = runner_.run("environment", json::object());
    std::vector<Row> rows;
    for (auto& row : environmentRows(environment)) {
      if (row.group == "cards" && (row.status != "ok" || row.check == "reader" || row.check == "token")) {
        rows.push_back(std::move(row));
      }
    }
    // The doctor's report lines (the page's "copy report" form), so a help desk reads both alike.
    for (const auto& row : rows) out_ << reportLine(row, catalogue_, language_) << "\n";
    return std::any_of(rows.begin(), rows.end(), [](const Row& row) { return row.status == "error"; }) ? 1 : 0;
  }

  int certificates() {
    const json result = runner_.run("listCertificates", readerParams());
    out_ << t("cli.card", {{"card", cardText(result.value("reader", std::string()), result.value("token", json()))}})
         << "\n";
    const json& certificates = result.value("certificates", json::array());
    if (certificates.empty()) out_ << t("consent.value.noCertificates") << "\n";
    std::size_t index = 0;
    for (const auto& certificate : certificates) {
      out_ << "\n" << t("cli.certificate", {{"index", ++index}}) << "\n";
      printCertificate(certificate);
    }
    for (const auto& key : result.value("keysWithoutCertificate", json::array())) {
      out_ << "\n"
           << t("consent.value.keyWithoutCertificate", {{"label", key.value("label", std::string())},
                                                        {"keySize", key.value("keySize", json())},
                                                        {"created", key.value("createdOn", json("?"))}})
           << "\n";
    }
    return 0;
  }

  int registerCertificates(bool add) {
    const json listed = runner_.run("listCertificates", readerParams());
    out_ << t("cli.operation", {{"operation", t(add ? "consent.operation.registerCertificates"
                                                    : "consent.operation.unregisterCertificates")}})
         << "\n";
    out_ << t("cli.card", {{"card", cardText(listed.value("reader", std::string()), listed.value("token", json()))}})
         << "\n";
    out_ << t(add ? "consent.detail.registerCertificates" : "consent.detail.unregisterCertificates") << ":\n";
    bool any = false;
    for (const auto& certificate : listed.value("certificates", json::array())) {
      if (certificate.value("isCa", false)) continue;
      any = true;
      out_ << "  " << t("consent.value.subject", {{"subject", certificate.value("subject", std::string())}}) << "\n";
    }
    if (!any) out_ << "  " << t("consent.value.noCertificates") << "\n";
    out_ << t("consent.detail.stores") << ": " << t(std::string(storesKey())) << "\n";
    if (!prompts_.confirm(options_.yes)) return 1;
    json params = readerParams();
    if (!params.contains("reader")) params["reader"] = listed.value("reader", std::string());
    const json result = runner_.run(add ? "registerCertificates" : "unregisterCertificates", std::move(params));
    for (const auto& store : result.value("stores", json::array())) {
      out_ << "  "
           << t("cli.store", {{"name", store.value("name", std::string())},
                              {"location", store.value("location", std::string())},
                              {"outcome", store.value("outcome", std::string())}})
           << "\n";
    }
    out_ << t(add ? "cli.done.register" : "cli.done.unregister") << "\n";
    return 0;
  }

  int changePin() {
    const CardFacts card = chooseCard();
    const PinFacts& pin = card.pin(options_.pinGroup);
    out_ << t("cli.operation", {{"operation", t("consent.operation.changePin")}}) << "\n";
    printCardAndPin(card, pin);
    if (pin.state == "locked") return refuse({{"code", "PIN_LOCKED"}});
    if (!card.pinPad && !prompts_.available()) return refuseText(t("cli.error.notATerminal"));
    if (!prompts_.confirm(options_.yes)) return 1;
    json base = {{"pinGroup", options_.pinGroup}, {"reader", card.reader}};
    if (card.pinPad) {
      out_ << t("consent.pinPadNow", {{"pinName", pin.name}}) << "\n";
      const json result = runner_.run("changePin", base);
      out_ << t("cli.done.changePin", {{"pinName", result.value("pinName", pin.name)}}) << "\n";
      return 0;
    }
    std::optional<card::SecretString> newPin = prompts_.newPin(pin);
    if (!newPin) return 1;
    for (;;) {
      std::optional<card::SecretString> current = prompts_.pin(pin, "consent.field.currentPin");
      if (!current) return 1;
      json params = base;
      params["pin"] = std::string_view(current->data(), current->size());
      params["newPin"] = std::string_view(newPin->data(), newPin->size());
      current->clear();
      try {
        const json result = runner_.run("changePin", std::move(params));
        out_ << t("cli.done.changePin", {{"pinName", result.value("pinName", pin.name)}}) << "\n";
        printPinState(pin.name, result.value("pinState", json()));
        return 0;
      } catch (const host::ProtocolError& e) {
        if (e.code() != ErrorCode::PinIncorrect) throw;
        err_ << prompts_.retryText(host::errorObject(e), pin) << "\n";
      }
    }
  }

  int unblockRequest() {
    json params = readerParams();
    params["pinGroup"] = options_.pinGroup;
    const json request = runner_.run("unblockRequest", std::move(params));
    // The PIN rules of the card the request was made on (another reader may hold another card).
    const CardFacts card = chooseCard(request.value("reader", std::string()));
    const PinFacts pin = card.pin(options_.pinGroup);
    out_ << t("cli.card", {{"card", cardText(request.value("reader", std::string()), request.value("token", json()))}})
         << "\n";
    if (const std::string state = prompts_.stateText(pin); !state.empty()) out_ << pin.name << ": " << state << "\n";
    out_ << "\n" << t("cli.unblock.intro") << "\n";
    const json forRa = {{"requestId", request["requestId"]},
                        {"hostPublicKey", request["hostPublicKey"]},
                        {"pinGroup", request["pinGroup"]},
                        {"token", request["token"]},
                        {"expiresAt", request["expiresAt"]}};
    out_ << forRa.dump(2) << "\n\n";
    out_ << t("cli.unblock.expires", {{"time", request.value("expiresAt", std::string())}}) << "\n";
    const std::optional<std::string> pasted = SecretInput::readLine(t("cli.unblock.paste"), out_);
    if (!pasted || pasted->find_first_not_of(" \t") == std::string::npos) {
      out_ << t("cli.cancelled") << "\n";
      return 1;
    }
    const json authorization = json::parse(*pasted, nullptr, false);
    if (!authorization.is_object()) return refuseText(t("cli.unblock.badAuthorization"));
    std::optional<card::SecretString> newPin = prompts_.newPin(pin);
    if (!newPin) return 1;
    json unblock = {{"authorization", authorization}, {"newPin", std::string_view(newPin->data(), newPin->size())}};
    newPin->clear();
    const json result = runner_.run("unblockPin", std::move(unblock));
    out_ << t("cli.done.unblock", {{"pinName", result.value("pinName", pin.name)}}) << "\n";
    printPinState(pin.name, result.value("pinState", json()));
    return 0;
  }

  /// A failure as the window would say it: message, tries left where known, fix, code.
  int refuse(const json& error) {
    std::string message = catalogue_.errorMessage(error, language_);
    if (error.value("code", std::string()) == "PIN_INCORRECT" && error.value("triesLeft", json()).is_number()) {
      message += " " + t("envCheck.value.triesLeft", {{"triesLeft", error["triesLeft"]}});
    }
    err_ << t("cli.failed", {{"message", message}}) << "\n";
    if (const std::string fix = catalogue_.errorFix(error, language_); !fix.empty()) {
      err_ << t("envCheck.fixLabel") << " " << fix << "\n";
    }
    err_ << t("envCheck.errorCode", {{"code", error.value("code", std::string("INTERNAL_ERROR"))}}) << "\n";
    return 1;
  }

 private:
  int refuseText(const std::string& text) {
    err_ << text << "\n";
    return 1;
  }

  std::string t(const std::string& key, const json& params = json::object()) const {
    return catalogue_.text(key, language_, params);
  }

  json readerParams() const {
    json params = json::object();
    if (options_.reader) params["reader"] = *options_.reader;
    return params;
  }

  std::string cardText(const std::string& reader, const json& token) const {
    return t("consent.value.card", {{"label", token.value("label", std::string())},
                                    {"serial", token.value("serialNumber", token.value("serial", std::string()))},
                                    {"reader", reader}});
  }

  void printCertificate(const json& certificate) {
    out_ << "  " << t("consent.value.subject", {{"subject", certificate.value("subject", std::string())}}) << "\n";
    out_ << "  " << t("consent.value.issuer", {{"issuer", certificate.value("issuer", std::string())}}) << "\n";
    out_ << "  "
         << t("consent.value.validity", {{"from", certificate.value("notBefore", std::string()).substr(0, 10)},
                                         {"to", certificate.value("notAfter", std::string()).substr(0, 10)}})
         << "\n";
    std::string usage;
    for (const auto& use : certificate.value("usage", json::array())) {
      usage += (usage.empty() ? "" : ", ") + t("consent.usage." + use.get<std::string>());
    }
    if (!usage.empty()) {
      out_ << "  "
           << t("consent.value.usageAndSerial", {{"usage", usage}, {"serial", certificate.value("serialNumber", "")}})
           << "\n";
    }
    if (certificate.value("isCa", false)) {
      out_ << "  " << t("cli.certificate.ca") << "\n";
    } else {
      out_ << "  " << t(certificate.value("hasKey", false) ? "cli.certificate.key" : "cli.certificate.noKey") << "\n";
    }
    const json days = certificate.value("daysToExpiry", json());
    if (days.is_number() && days.get<double>() >= 0) {
      out_ << "  " << t("envCheck.value.daysToExpiry", {{"days", days}}) << "\n";
    } else if (days.is_number()) {
      out_ << "  " << t("envCheck.value.expired") << "\n";
    }
    out_ << "  " << t("cli.certificate.id", {{"id", certificate.value("id", std::string())}}) << "\n";
  }

  void printCardAndPin(const CardFacts& card, const PinFacts& pin) {
    out_ << t("cli.card", {{"card", t("consent.value.card",
                                      {{"label", card.label}, {"serial", card.serial}, {"reader", card.reader}})}})
         << "\n";
    if (const std::string rule = prompts_.ruleText(pin); !rule.empty()) {
      out_ << t("cli.pinRules", {{"pinName", pin.name}, {"rule", rule}}) << "\n";
    }
    if (const std::string state = prompts_.stateText(pin); !state.empty()) out_ << pin.name << ": " << state << "\n";
    if (card.pinPad) out_ << t("consent.pinPad") << "\n";
  }

  void printPinState(const std::string& name, const json& state) {
    PinFacts pin;
    pin.name = name;
    pin.state = state.value("state", std::string("ok"));
    if (state.value("triesLeft", json()).is_number_integer()) pin.triesLeft = state["triesLeft"].get<int>();
    if (state.value("locksAfter", json()).is_number_integer()) pin.locksAfter = state["locksAfter"].get<int>();
    if (const std::string text = prompts_.stateText(pin); !text.empty()) out_ << name << ": " << text << "\n";
  }

  /// The card in reader (by default the one --reader names, else the first usable one, as the extension picks).
  CardFacts chooseCard(const std::string& reader = {}) {
    const json environment = runner_.run("environment", json::object());
    return cardFromEnvironment(environment, reader.empty() ? options_.reader : std::optional<std::string>(reader));
  }

  const CardOptions& options_;
  const Catalogue& catalogue_;
  std::string language_;
  std::ostream& out_;
  std::ostream& err_;
  CommandRunner runner_;
  PinPrompts prompts_;
};

}  // namespace

const std::vector<std::string>& cardSubcommands() {
  static const std::vector<std::string> names = {"list",       "certificates", "register",
                                                 "unregister", "change-pin",   "unblock-request"};
  return names;
}

int runCardCommand(const std::string& subcommand, const CardOptions& options, const host::HostState& host,
                   const Catalogue& catalogue, const std::string& language, std::ostream& out, std::ostream& err) {
  CardTool tool(options, host, catalogue, language, out, err);
  try {
    if (subcommand == "list") return tool.list();
    if (subcommand == "certificates") return tool.certificates();
    if (subcommand == "register") return tool.registerCertificates(true);
    if (subcommand == "unregister") return tool.registerCertificates(false);
    if (subcommand == "change-pin") return tool.changePin();
    if (subcommand == "unblock-request") return tool.unblockRequest();
  } catch (const host::ProtocolError& e) {
    return tool.refuse(host::errorObject(e));
  } catch (const CardRefusal& e) {
    return tool.refuse(e.error);
  }
  err << catalogue.text("cli.error.unknownCommand", language, {{"command", "card " + subcommand}}) << "\n";
  return 2;
}

}  // namespace certbridge::cli
