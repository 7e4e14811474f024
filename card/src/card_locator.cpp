// CardLocator: reader -> card ATR -> card profile -> PKCS#11 module -> token.

#include "certbridge/card/card_locator.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "certbridge/card/token_identity.hpp"
#include "dynamic_library.hpp"
#include "reader_watch.hpp"

namespace certbridge::card {

namespace {

// How long a module that failed to load is left alone when its file has not changed. Loading runs the
// module's own code, so a broken module is not retried on every scan, yet a fixed configuration (which
// does not touch the module file) is still picked up soon.
constexpr std::chrono::seconds kModuleRetryInterval{30};
// How long find waits for the reader watch's first reading before asking the service itself. The reading
// takes well under a millisecond; a service that answers slower than this is asked directly.
constexpr std::chrono::milliseconds kFreshReadingWait{100};
// CardSlot::pcscContext for readers the watch read: no context of the locator's counts them.
constexpr unsigned kNoPcscContext = 0;

// What the module file looks like now, so that installing or replacing it triggers a retry at once.
std::string fileStamp(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path file = detail::pathFromUtf8(path);  // a UTF-8 path; on Windows a narrow one is not
  std::error_code error;
  const auto size = fs::file_size(file, error);
  if (error) return "missing";
  const auto modified = fs::last_write_time(file, error);
  if (error) return "missing";
  return std::to_string(size) + "@" + std::to_string(modified.time_since_epoch().count());
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

std::string listLabels(const std::vector<TokenInfo>& tokens) {
  std::string labels;
  for (const auto& token : tokens) {
    if (!token.initialized) continue;
    if (!labels.empty()) labels += ", ";
    labels += quoted(token.label);
  }
  return labels.empty() ? "none" : labels;
}

// Real middleware names a slot after its PC/SC reader; software tokens and the test bed are found by label.
std::optional<TokenInfo> chooseToken(const std::vector<TokenInfo>& tokens, const ReaderState& reader,
                                     const CardProfile& profile) {
  const auto bySlot = std::find_if(tokens.begin(), tokens.end(),
                                   [&](const TokenInfo& token) { return token.slotDescription == reader.name; });
  if (bySlot != tokens.end()) return *bySlot;
  if (profile.tokenLabel.empty()) return std::nullopt;
  const auto byLabel = std::find_if(tokens.begin(), tokens.end(), [&](const TokenInfo& token) {
    return token.initialized && token.label == profile.tokenLabel;
  });
  if (byLabel != tokens.end()) return *byLabel;
  return std::nullopt;
}

// The same card as when found: still present, same ATR, and no insertion or removal counted since.
bool sameCard(const ReaderState& now, const ReaderState& found) {
  return now.cardPresent && now.atr == found.atr && now.cardEvents == found.cardEvents;
}

// Whether the watch sees the reader holding the card just as it was found.
bool seenAsFound(const std::optional<detail::ReaderWatch::Sighting>& seen, const ReaderState& found) {
  return seen && seen->reader && sameCard(*seen->reader, found);
}

// The card in the named reader, or the first usable one (see CardLocator::find).
CardSlot chooseSlot(std::vector<CardSlot> slots, const std::string& reader) {
  if (slots.empty()) throw CardError(ErrorKind::NoReader, "No smart card reader is connected");
  if (!reader.empty()) {
    const auto named =
        std::find_if(slots.begin(), slots.end(), [&](const CardSlot& slot) { return slot.reader.name == reader; });
    if (named == slots.end()) throw CardError(ErrorKind::NoReader, "Reader " + quoted(reader) + " is not connected");
    if (named->problem) throw *named->problem;
    return std::move(*named);
  }
  // With several cards inserted, the first usable one in reader order wins; a card we cannot use is only
  // reported when there is no usable one.
  const auto usable = std::find_if(slots.begin(), slots.end(),
                                   [](const CardSlot& slot) { return slot.reader.cardPresent && !slot.problem; });
  if (usable != slots.end()) return std::move(*usable);
  const auto withCard =
      std::find_if(slots.begin(), slots.end(), [](const CardSlot& slot) { return slot.reader.cardPresent; });
  if (withCard == slots.end()) throw CardError(ErrorKind::NoCard, "There is no card in any reader");
  throw *withCard->problem;
}

}  // namespace

CardLocator::CardLocator(CardProfileTable profiles) : profiles_(std::move(profiles)) {}

CardLocator::~CardLocator() = default;

template <typename Call>
auto CardLocator::withPcsc(Call&& call) -> decltype(call(std::declval<PcscContext&>())) {
  const bool kept = pcsc_ != nullptr;
  try {
    if (!pcsc_) {
      pcsc_ = std::make_unique<PcscContext>();
      ++pcscContexts_;
    }
    return call(*pcsc_);
  } catch (const CardError& error) {
    // Only a failure of the service itself can mean a stale context; "no reader" and the like are answers.
    const bool serviceFailure = error.kind() == ErrorKind::PcscUnavailable || error.kind() == ErrorKind::Pcsc;
    if (serviceFailure) pcsc_.reset();
    if (!kept || !serviceFailure) throw;
  }
  pcsc_ = std::make_unique<PcscContext>();
  ++pcscContexts_;
  return call(*pcsc_);
}

std::shared_ptr<Pkcs11Module> CardLocator::module(const std::string& path) {
  if (const auto loaded = modules_.find(path); loaded != modules_.end()) return loaded->second;
  const auto stamp = fileStamp(path);
  const auto now = std::chrono::steady_clock::now();
  if (const auto failed = moduleFailures_.find(path); failed != moduleFailures_.end()) {
    if (failed->second.fileStamp == stamp && now - failed->second.when < kModuleRetryInterval)
      throw failed->second.error;
    moduleFailures_.erase(failed);
  }
  try {
    auto loaded = Pkcs11Module::load(path);
    modules_.emplace(path, loaded);
    return loaded;
  } catch (const CardError& error) {
    if (error.kind() == ErrorKind::ModuleUnavailable || error.kind() == ErrorKind::ModuleFailed)
      moduleFailures_.insert_or_assign(path, ModuleFailure{error, stamp, now});
    throw;
  }
}

std::vector<CardSlot> CardLocator::scan(ReaderDetail detail) {
  const auto readers = withPcsc([detail](PcscContext& context) { return context.readers(detail); });
  return slotsFor(readers, pcscContexts_);
}

std::vector<CardSlot> CardLocator::slotsFor(const std::vector<ReaderState>& readers, unsigned pcscContext) {
  // Listing tokens re-enumerates the module's slots: at most once per module per scan.
  std::set<std::string> listedNow;

  std::vector<CardSlot> slots;
  slots.reserve(readers.size());
  for (const auto& reader : readers) {
    CardSlot& slot = slots.emplace_back();
    slot.reader = reader;
    slot.pcscContext = pcscContext;
    try {
      if (!reader.cardPresent) throw CardError(ErrorKind::NoCard, "There is no card in reader " + quoted(reader.name));
      if (reader.atr.empty())
        throw CardError(ErrorKind::CardNotSupported, "The card in reader " + quoted(reader.name) +
                                                         " does not answer: take it out and insert it chip first");
      slot.profile = profiles_.match(reader.atr);
      if (!slot.profile)
        throw CardError(ErrorKind::CardNotSupported, "The card in reader " + quoted(reader.name) + " (ATR " +
                                                         formatAtr(reader.atr) + ") matches no card profile");
      const auto& profile = *slot.profile;
      slot.module = module(profile.modulePath);
      slot.token = knownOrListedToken(*slot.module, listedNow, [&](const std::vector<TokenInfo>& tokens) {
        return chooseToken(tokens, reader, profile);
      });
      if (!slot.token) {
        throw CardError(ErrorKind::TokenNotFound,
                        "PKCS#11 module " + profile.modulePath + " has no token for the card in reader " +
                            quoted(reader.name) + " (looked for a slot named after the reader" +
                            (profile.tokenLabel.empty() ? "" : " or the token label " + quoted(profile.tokenLabel)) +
                            "; tokens found: " + listLabels(knownTokens_[slot.module->path()]) + ")");
      }
    } catch (const CardError& error) {
      slot.problem = error;
    }
  }
  return slots;
}

CardSlot CardLocator::find(const std::string& reader,
                           std::optional<std::chrono::steady_clock::time_point> readersSince) {
  if (readersSince && watch_) {
    loadTheOnlyModule();
    if (const auto reading = watch_->readingSince(*readersSince, kFreshReadingWait)) {
      // Only a card is taken from the watch's reading; a problem is confirmed by asking the service below.
      try {
        CardSlot slot = chooseSlot(slotsFor(reading->readers, kNoPcscContext), reader);
        slot.watchConnection = reading->connection;
        return slot;
      } catch (const CardError&) {
      }
    }
  }
  CardSlot slot = chooseSlot(scan(ReaderDetail::CardState), reader);
  tieToWatch(slot);
  return slot;
}

std::vector<std::string> CardLocator::candidateReaders(
    const std::string& reader, std::optional<std::chrono::steady_clock::time_point> readersSince) {
  std::optional<std::vector<ReaderState>> readers;
  if (readersSince && watch_) {
    if (auto reading = watch_->readingSince(*readersSince, kFreshReadingWait)) readers = std::move(reading->readers);
  }
  if (!readers) readers = withPcsc([](PcscContext& context) { return context.readers(ReaderDetail::CardState); });
  std::vector<std::string> names;
  for (const auto& state : *readers) {
    if (!reader.empty() ? state.name == reader
                        : state.cardPresent && !state.atr.empty() && profiles_.match(state.atr) != nullptr) {
      names.push_back(state.name);
    }
  }
  return names;
}

void CardLocator::loadTheOnlyModule() {
  if (!modules_.empty() || profiles_.profiles().empty()) return;
  const std::string& path = profiles_.profiles().front().modulePath;
  for (const auto& profile : profiles_.profiles()) {
    if (profile.modulePath != path) return;  // which one depends on the card
  }
  try {
    module(path);
  } catch (const CardError&) {
    // Reported when a card needs the module (a failure to load is remembered, see module()).
  }
}

void CardLocator::watchReaders() {
  if (!watch_) watch_ = std::make_unique<detail::ReaderWatch>();
}

void CardLocator::tieToWatch(CardSlot& slot) const {
  if (!watch_) return;
  const auto seen = watch_->reader(slot.reader.name);
  if (seenAsFound(seen, slot.reader)) slot.watchConnection = seen->connection;
}

bool CardLocator::stillInserted(const CardSlot& slot) {
  if (watch_) {
    const auto seen = watch_->reader(slot.reader.name);
    // Tied to this connection of the watch: it has followed the card since find, and decides either way.
    if (seen && slot.watchConnection == seen->connection) return seenAsFound(seen, slot.reader);
    // Found before the watch caught up, or the watch reconnected since (the service may have restarted): the
    // watch can confirm the card is in as found, but only the service can say it is not.
    if (seenAsFound(seen, slot.reader)) return true;
  }
  const auto now = withPcsc([&](PcscContext& context) { return context.reader(slot.reader.name); });
  if (!now || !now->cardPresent || now->atr != slot.reader.atr) return false;
  // A new context may mean a restarted service, which counts from zero again: then presence is all we know.
  return slot.pcscContext != pcscContexts_ || now->cardEvents == slot.reader.cardEvents;
}

TokenInfo CardLocator::pinToken(const CardSlot& slot, std::size_t pinGroup) {
  if (!slot.profile || !slot.module || !slot.token)
    throw CardError(ErrorKind::InvalidArgument, "Reader " + quoted(slot.reader.name) + " holds no usable card");
  const auto& pins = slot.profile->pins;
  if (pinGroup >= pins.size()) {
    throw CardError(ErrorKind::InvalidArgument,
                    "Card profile " + quoted(slot.profile->id) + " has no PIN group " + std::to_string(pinGroup + 1));
  }
  const PinRules& pin = pins[pinGroup];
  if (pin.tokenLabel.empty() || pin.tokenLabel == slot.token->label) return *slot.token;
  std::set<std::string> listedNow;
  const auto found = knownOrListedToken(*slot.module, listedNow, [&](const std::vector<TokenInfo>& tokens) {
    std::optional<TokenInfo> labelled;
    for (const auto& token : tokens) {
      if (!token.initialized || token.label != pin.tokenLabel) continue;
      if (token.slotDescription == slot.reader.name) return std::optional<TokenInfo>(token);
      if (!labelled) labelled = token;
    }
    return labelled;
  });
  if (!found) {
    throw CardError(ErrorKind::TokenNotFound,
                    "PKCS#11 module " + slot.module->path() + " has no token " + quoted(pin.tokenLabel) + " for " +
                        pin.name + " of the card in reader " + quoted(slot.reader.name) +
                        " (tokens found: " + listLabels(knownTokens_[slot.module->path()]) + ")");
  }
  return *found;
}

std::optional<TokenInfo> CardLocator::knownOrListedToken(
    Pkcs11Module& module, std::set<std::string>& listedNow,
    const std::function<std::optional<TokenInfo>(const std::vector<TokenInfo>&)>& choose) {
  const std::string& path = module.path();
  if (!listedNow.contains(path)) {
    // The token chosen from the last listing, if its slot still holds it: same serial, label, maker and model.
    const auto known = knownTokens_.find(path);
    if (known != knownTokens_.end()) {
      if (const auto chosen = choose(known->second)) {
        auto now = module.tokenInSlot(chosen->slotId, chosen->slotDescription);
        if (now && now->initialized && sameTokenFacts(*now, *chosen)) return now;
      }
    }
    knownTokens_[path] = module.tokens();
    listedNow.insert(path);
  }
  return choose(knownTokens_[path]);
}

}  // namespace certbridge::card
