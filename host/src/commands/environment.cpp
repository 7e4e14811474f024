// environment: a diagnostic report that never fails because one part is missing.
// {"host": {"version", "protocol", "os": {"name", "version", "arch"}, "logFile", "configFile",
//           "policy": {"sources": [{"name", "location"}], "allowedOrigins": {"value": [...], "from": [...]},
//                      "cardProfiles": {"value": [profile ids], "from"}, "logLevel": {"value", "from"},
//                      "problems": [{"source", "entry", "reason"}],
//                      "browserPolicyFiles": [{"browser", "path", "extensions": {<our id>: [keys]}, "error"}]}},
//          (browserPolicyFiles: the Chromium browsers' managed policy files naming our extension, or broken;
//           the extension compares them with what its storage.managed holds: browser_policy_files.hpp)
//  "pcsc": {"available", "error"},
//  "readers": [{"name", "cardPresent", "pinPad", "atr", "profile", "token": {"label", "serial"}|null, "problem"}],
//  "modules": [{"path", "loaded", "error"}],
//  "tokens": [{"reader", "label", "serial", "serialUnique", "manufacturer", "model", "initialized",
//  "protectedAuthPath",
//              "pins": [{"name", "minLength", "maxLength", "state", "triesLeft", "locksAfter"}],
//              "keySizes": the profile's RSA sizes the token says it makes | null (no profile)}],
//  "certificates": [{certificate object of commands.md, "reader", "token", "onCard": true}] (the card holder's
//                   certificates on each card in a reader; CA certificates left out),
//  "keysWithoutCertificate": [{keyId, label, keySize, usage, createdOn, ageDays, "reader", "token"}],
//  "registration": {"supported": false when this OS has no certificate store adapter,
//                   "cards": [{"reader", "token", "profile", "stores": [{"kind", "name", "location", "registered",
//                              "registeredAs"}], "error": STORE_ERROR object | null}]} (each card in a reader
//                   with a profile: is its provider registered in each of the user's stores; inspect() only),
//  "problems": [{...error object, "subject": reader name | module path | null}]}
// Problems: PCSC_UNAVAILABLE, NO_READER, NO_CARD (no card in any reader), CARD_NOT_SUPPORTED, TOKEN_NOT_FOUND
// (per reader), PKCS11_MODULE_UNAVAILABLE or PKCS11_MODULE_FAILED (per module a present card needs), PIN_LOCKED,
// PIN_INCORRECT with triesLeft 1 (final try), CARD_NOT_INITIALIZED (per card in a reader).

#include <ctime>
#include <set>

#include <spdlog/spdlog.h>

#include "card_access.hpp"
#include "card_certificates.hpp"
#include "card_json.hpp"
#include "card_key_provider.hpp"
#include "card_keys.hpp"
#include "certbridge/build_info.hpp"
#include "certbridge/card/orphan_keys.hpp"
#include "certbridge/card/token_identity.hpp"
#include "certbridge/card/token_mechanisms.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/host/browser_policy_files.hpp"
#include "certbridge/host/error_mapping.hpp"
#include "certbridge/host/param_validator.hpp"
#include "certbridge/host/pin_state.hpp"
#include "certbridge/protocol.hpp"
#include "commands.hpp"
#include "os_info.hpp"
#include "os_store/certificate_registry.hpp"
#include "platform/environment.hpp"

namespace certbridge::host::commands {
namespace {

using json = nlohmann::json;

json problem(const ProtocolError& error, json subject) {
  json object = errorObject(error);
  object["subject"] = std::move(subject);
  return object;
}

json pathOrNull(const std::optional<std::filesystem::path>& path) {
  return path ? json(platform::pathToUtf8(*path)) : json(nullptr);
}

// Which policy is in force and where each part came from (sources most precedent first), and what was
// ignored: the environment check shows it to IT.
json policyJson(const HostConfig& config) {
  const PolicyReport& report = config.policy;
  json sources = json::array();
  for (const auto& source : report.sources) {
    sources.push_back(
        {{"name", source.name}, {"location", source.location.empty() ? json(nullptr) : json(source.location)}});
  }
  json origins = json::array();
  for (const auto& pattern : config.allowedOrigins) origins.push_back(pattern.text());
  json profiles = json::array();
  for (const auto& profile : config.cardProfiles) profiles.push_back(profile.id);
  json problems = json::array();
  for (const auto& problem : report.problems) {
    problems.push_back({{"source", problem.source}, {"entry", problem.entry}, {"reason", problem.reason}});
  }
  return {{"sources", std::move(sources)},
          {"allowedOrigins", {{"value", std::move(origins)}, {"from", report.allowedOriginsFrom}}},
          {"cardProfiles", {{"value", std::move(profiles)}, {"from", report.cardProfilesFrom}}},
          {"logLevel", {{"value", config.logLevel}, {"from", report.logLevelFrom}}},
          {"problems", std::move(problems)}};
}

// What the extension cannot see itself: browser policy files that name it (browser_policy_files.hpp).
json browserPolicyFilesJson() {
  const std::vector<std::string_view> ids(protocol::kChromiumExtensionIds.begin(),
                                          protocol::kChromiumExtensionIds.end());
  json files = json::array();
  for (const auto& file : findExtensionPolicyFiles(systemBrowserPolicyDirectories(), ids)) {
    json extensions = json::object();
    for (const auto& [id, keys] : file.extensions) extensions[id] = keys;
    files.push_back({{"browser", file.browser},
                     {"path", file.path},
                     {"extensions", std::move(extensions)},
                     {"error", file.error.empty() ? json(nullptr) : json(file.error)}});
  }
  return files;
}

json withBrowserPolicyFiles(json policy) {
  policy["browserPolicyFiles"] = browserPolicyFilesJson();
  return policy;
}

void throwIfCancelled(const CommandContext& context) {
  if (context.cancel.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
}

class EnvironmentReport {
 public:
  explicit EnvironmentReport(CommandContext& context) : context_(context), locator_(context.card->locator()) {}

  json build() {
    report_["host"] = hostSection();
    section([this] { scanReaders(); });
    throwIfCancelled(context_);
    section([this] { loadModules(); });
    throwIfCancelled(context_);
    section([this] { listTokens(); });
    throwIfCancelled(context_);
    section([this] { listCertificates(); });
    throwIfCancelled(context_);
    section([this] { inspectRegistration(); });
    throwIfCancelled(context_);
    report_["pcsc"] = {{"available", pcscAvailable_}, {"error", pcscError_}};
    report_["readers"] = std::move(readers_);
    report_["modules"] = std::move(modules_);
    report_["tokens"] = std::move(tokens_);
    report_["certificates"] = std::move(certificates_);
    report_["keysWithoutCertificate"] = std::move(keysWithoutCertificate_);
    report_["registration"] = std::move(registration_);
    report_["problems"] = std::move(problems_);
    return std::move(report_);
  }

 private:
  // One part failing unexpectedly must not take the report with it.
  template <typename Body>
  void section(Body&& body) {
    try {
      body();
    } catch (const ProtocolError&) {
      throw;  // cancellation
    } catch (const card::CardError& e) {
      spdlog::warn("environment: {} ({})", e.what(), card::toString(e.kind()));
      problems_.push_back(problem(toProtocolError(e), nullptr));
    } catch (const std::exception& e) {
      spdlog::error("environment: internal error: {}", e.what());
      problems_.push_back(problem(ProtocolError(ErrorCode::InternalError), nullptr));
    }
  }

  json hostSection() const {
    const OsInfo os = currentOsInfo();
    return {{"version", build::kVersion},
            {"protocol", protocol::kProtocolVersion},
            {"os", {{"name", os.name}, {"version", os.version}, {"arch", os.arch}}},
            {"logFile", pathOrNull(context_.host.logFile)},
            {"configFile", pathOrNull(context_.host.config.file)},
            {"policy", withBrowserPolicyFiles(policyJson(context_.host.config))}};
  }

  void scanReaders() {
    try {
      slots_ = locator_.scan();
      pcscAvailable_ = true;
    } catch (const card::CardError& e) {
      spdlog::warn("environment: PC/SC: {} ({})", e.what(), e.nativeName());
      const ProtocolError error = toProtocolError(e);
      pcscError_ = errorObject(error);
      problems_.push_back(problem(error, nullptr));
      return;
    }
    bool anyCard = false;
    for (const auto& slot : slots_) {
      json entry = readerJson(slot.reader, slot.profile);
      entry["token"] = slot.token ? json{{"label", slot.token->label}, {"serial", slot.token->serial}} : json(nullptr);
      entry["problem"] = nullptr;
      anyCard = anyCard || slot.reader.cardPresent;
      if (slot.reader.cardPresent && slot.profile != nullptr) neededModules_.insert(slot.profile->modulePath);
      if (slot.problem) {
        const ProtocolError error = toProtocolError(*slot.problem);
        entry["problem"] = errorObject(error);
        const auto kind = slot.problem->kind();
        // Empty readers are summed up below; module failures are reported once per module.
        if (kind != card::ErrorKind::NoCard && kind != card::ErrorKind::ModuleUnavailable &&
            kind != card::ErrorKind::ModuleFailed) {
          json item = problem(error, slot.reader.name);
          if (kind == card::ErrorKind::CardNotSupported) item["atr"] = atrJson(slot.reader);
          problems_.push_back(std::move(item));
        }
      }
      readers_.push_back(std::move(entry));
    }
    if (slots_.empty()) {
      problems_.push_back(problem(ProtocolError(ErrorCode::NoReader), nullptr));
    } else if (!anyCard) {
      problems_.push_back(problem(ProtocolError(ErrorCode::NoCard), nullptr));
    }
  }

  void loadModules() {
    std::set<std::string> seen;
    for (const auto& profile : locator_.profiles().profiles()) {
      const std::string& path = profile.modulePath;
      if (!seen.insert(path).second) continue;
      try {
        loaded_.push_back(locator_.module(path));
        modules_.push_back({{"path", path}, {"loaded", true}, {"error", nullptr}});
      } catch (const card::CardError& e) {
        spdlog::warn("environment: module {}: {}", path, e.what());
        const ProtocolError error = toProtocolError(e);
        modules_.push_back({{"path", path}, {"loaded", false}, {"error", errorObject(error)}});
        if (neededModules_.count(path) != 0) problems_.push_back(problem(error, path));
      }
      throwIfCancelled(context_);
    }
  }

  const card::CardSlot* boundSlot(const card::Pkcs11Module& module, const card::TokenInfo& token) const {
    for (const auto& slot : slots_) {
      if (slot.module.get() == &module && slot.token && slot.token->slotId == token.slotId &&
          slot.token->serial == token.serial) {
        return &slot;
      }
    }
    return nullptr;
  }

  // The profile of a token no reader is bound to: the one naming this module and token label.
  const card::CardProfile* profileFor(const card::Pkcs11Module& module, const card::TokenInfo& token) const {
    for (const auto& profile : locator_.profiles().profiles()) {
      if (profile.modulePath == module.path() && !profile.tokenLabel.empty() && profile.tokenLabel == token.label) {
        return &profile;
      }
    }
    return nullptr;
  }

  static json pinJson(const std::string& name, json minLength, json maxLength, const PinStatus& status) {
    json pin = pinStatusJson(status);
    pin["name"] = name;
    pin["minLength"] = std::move(minLength);
    pin["maxLength"] = std::move(maxLength);
    return pin;
  }

  json pinsJson(const card::TokenInfo& token, const card::CardProfile* profile) const {
    json pins = json::array();
    if (profile == nullptr) {
      pins.push_back(pinJson("PIN", nullptr, nullptr, userPinStatus(token, 0)));
      return pins;
    }
    // PKCS#11 reports one user PIN: its flags belong to the profile's first PIN group. Other groups are
    // not visible through PKCS#11 flags; they are listed with their rules.
    for (std::size_t i = 0; i < profile->pins.size(); ++i) {
      const auto& rules = profile->pins[i];
      card::TokenInfo flags = token;
      if (i > 0) {
        flags.userPinCountLow = flags.userPinFinalTry = flags.userPinLocked = false;
        flags.userPinInitialized = true;
      }
      pins.push_back(pinJson(rules.name, rules.minLength, rules.maxLength, userPinStatus(flags, rules.maxTries)));
    }
    return pins;
  }

  // The profile's RSA sizes this token says it makes; null without a profile (nothing may be made on it).
  static json keySizesJson(card::Pkcs11Module& module, const card::TokenInfo& token, const card::CardProfile* profile) {
    if (profile == nullptr) return nullptr;
    return card::keySizesTheTokenMakes(profile->keySizes, card::rsaKeyGenerationRange(module, token.slotId));
  }

  void addCardProblems(const card::TokenInfo& token, const card::CardProfile* profile, const std::string& reader) {
    const PinStatus status = userPinStatus(token, profile != nullptr ? profile->pins.front().maxTries : 0);
    if (!token.initialized || status.state == PinState::NotInitialized) {
      problems_.push_back(problem(ProtocolError(ErrorCode::CardNotInitialized), reader));
    } else if (status.state == PinState::Locked) {
      problems_.push_back(problem(ProtocolError(ErrorCode::PinLocked), reader));
    } else if (status.state == PinState::FinalTry) {
      problems_.push_back(problem(ProtocolError(ErrorCode::PinIncorrect, {{"triesLeft", 1}}), reader));
    }
  }

  void listTokens() {
    for (const auto& module : loaded_) {
      std::vector<card::TokenInfo> infos;
      try {
        infos = module->tokens();
      } catch (const card::CardError& e) {
        spdlog::warn("environment: tokens of {}: {}", module->path(), e.what());
        problems_.push_back(problem(toProtocolError(e), module->path()));
        continue;
      }
      for (const auto& token : infos) {
        const card::CardSlot* slot = boundSlot(*module, token);
        // An empty slot no card uses (SoftHSM's free slot, a blank software token) says nothing useful.
        if (slot == nullptr && !token.initialized) continue;
        const card::CardProfile* profile = slot != nullptr ? slot->profile : profileFor(*module, token);
        tokens_.push_back({{"reader", slot != nullptr ? json(slot->reader.name) : json(nullptr)},
                           {"label", token.label},
                           {"serial", token.serial},
                           {"serialUnique", card::serialIdentifiesToken(token)},
                           {"manufacturer", token.manufacturer},
                           {"model", token.model},
                           {"initialized", token.initialized},
                           {"protectedAuthPath", token.protectedAuthPath},
                           {"pins", pinsJson(token, profile)},
                           {"keySizes", keySizesJson(*module, token, profile)}});
        if (slot != nullptr) {
          addCardProblems(token, profile, slot->reader.name);
          cardTokens_.push_back({module, token, slot->reader.name});
        }
      }
      throwIfCancelled(context_);
    }
  }

  // Last: sessions are opened one token at a time, after every module's tokens were listed (listing them
  // while a session is open would close it).
  void listCertificates() {
    const std::time_t now = std::time(nullptr);
    for (const auto& [module, token, reader] : cardTokens_) {
      try {
        card::TokenSession session(module, token, card::SessionMode::ReadOnly);
        for (auto& object : card::listCertificates(session)) {
          auto parsed = crypto::parseCertificateDer(object.der);
          if (!parsed || parsed->isCa) continue;
          json entry = certificateJson({std::move(*parsed), std::move(object), 0}, now);
          entry.erase("pinGroup");
          entry["reader"] = reader;
          entry["token"] = token.label;
          entry["onCard"] = true;
          certificates_.push_back(std::move(entry));
        }
        // Key slots are few on real cards: a key whose certificate never came must be seen to be removed.
        for (const auto& key : card::keysWithoutCertificate(session)) {
          json entry = keyWithoutCertificateJson(key, now);
          entry["reader"] = reader;
          entry["token"] = token.label;
          keysWithoutCertificate_.push_back(std::move(entry));
        }
      } catch (const card::CardError& e) {
        spdlog::warn("environment: certificates of token '{}': {}", token.label, e.what());
      }
      throwIfCancelled(context_);
    }
  }

  // Whether each card's provider is registered in the user's certificate stores: the registry's inspect(),
  // which reads and never changes. A store that cannot be read is that card's STORE_ERROR, not the report's.
  void inspectRegistration() {
    const auto registry = os_store::platformCertificateRegistry();
    if (!registry) {
      registration_ = {{"supported", false}, {"cards", json::array()}};
      return;
    }
    json cards = json::array();
    for (const auto& slot : slots_) {
      if (!slot.reader.cardPresent || slot.profile == nullptr) continue;
      json card = {{"reader", slot.reader.name},
                   {"token", slot.token ? json(slot.token->label) : json(nullptr)},
                   {"profile", slot.profile->id},
                   {"stores", json::array()},
                   {"error", nullptr}};
      try {
        for (const auto& store : registry->inspect(keyProviderFor(*slot.profile)).stores) {
          card["stores"].push_back(
              {{"kind", store.kind},
               {"name", store.name},
               {"location", store.location},
               {"registered", store.outcome == os_store::StoreOutcome::AlreadyPresent},
               {"registeredAs", store.registeredAs.empty() ? json(nullptr) : json(store.registeredAs)}});
        }
      } catch (const os_store::StoreError& e) {
        spdlog::warn("environment: certificate store {} ({}): {}", e.store(), e.location(), e.what());
        card["error"] = errorObject(ProtocolError(
            ErrorCode::StoreError, {{"store", e.store()}, {"location", e.location()}, {"reason", e.what()}}));
      }
      cards.push_back(std::move(card));
      throwIfCancelled(context_);
    }
    registration_ = {{"supported", true}, {"cards", std::move(cards)}};
  }

  struct CardToken {
    std::shared_ptr<card::Pkcs11Module> module;
    card::TokenInfo token;
    std::string reader;
  };

  CommandContext& context_;
  card::CardLocator& locator_;
  std::vector<CardToken> cardTokens_;
  json certificates_ = json::array();
  json keysWithoutCertificate_ = json::array();
  // Before (or without) an inspection: no cards, and no claim that this OS cannot register.
  json registration_ = {{"supported", true}, {"cards", json::array()}};
  json report_ = json::object();
  bool pcscAvailable_ = false;
  json pcscError_ = nullptr;
  std::vector<card::CardSlot> slots_;
  std::set<std::string> neededModules_;
  std::vector<std::shared_ptr<card::Pkcs11Module>> loaded_;
  json readers_ = json::array();
  json modules_ = json::array();
  json tokens_ = json::array();
  json problems_ = json::array();
};

}  // namespace

CommandRun prepareEnvironment(nlohmann::json& params) {
  ParamValidator validator(params, {});
  return [](CommandContext& context) { return EnvironmentReport(context).build(); };
}

}  // namespace certbridge::host::commands
