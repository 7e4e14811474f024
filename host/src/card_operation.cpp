#include "card_operation.hpp"

#include <cstdlib>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "card_access.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/token_identity.hpp"
#include "certbridge/host/error_mapping.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {

CardOperation::CardOperation(CommandContext& context, const std::optional<std::string>& reader)
    : context_(context), locator_(context.card->locator()) {
  lockAndFindCard(reader.value_or(std::string{}));
  // Resolve each PIN group's token now, since that lists the module's tokens, which no open session may see
  // happen.
  for (std::size_t group = 0; group < slot_.profile->pins.size(); ++group) {
    try {
      tokens_.emplace_back(locator_.pinToken(slot_, group));
      tokenErrors_.emplace_back(std::nullopt);
    } catch (const card::CardError& e) {
      tokens_.emplace_back(std::nullopt);
      tokenErrors_.emplace_back(e);
    }
  }
  // The reader was read a moment ago (after the lock, if it had to wait): only a cancel can be new.
  if (context_.cancel.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
}

void CardOperation::lockAndFindCard(const std::string& reader) {
  // The reader is locked before anything reads its token: another host process may be writing to the card,
  // and a token listed meanwhile reads as missing or broken (TOKEN_NOT_FOUND, CKR_GENERAL_ERROR). So the
  // readers come from PC/SC alone; each candidate is locked, then looked at (the first usable one wins, as in
  // CardLocator::find, else the first one's problem).
  const auto received = context_.request.received;
  const auto stop = [this] { return context_.cancel.cancelled(); };
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::optional<card::CardError> firstProblem;
    for (const auto& name : locator_.candidateReaders(reader, received)) {
      auto lock = std::make_unique<CardLock>(name, context_.host.config.cardBusyWait, stop);
      try {
        // After a wait, the reading from the request's arrival may be stale: another process may have
        // changed the card meanwhile, so look afresh.
        slot_ = lock->waited() ? locator_.find(name) : locator_.find(name, received);
        lock_ = std::move(lock);
        return;
      } catch (const card::CardError& e) {
        if (!firstProblem) firstProblem = e;
      }
    }
    if (firstProblem) throw *firstProblem;
    // No reader to lock: find says why (no reader, no card, an unknown card) without a token to read. It finds
    // a card only when one came in just now; then lock that reader first, like any other.
    locator_.find(reader, received);
  }
  throw ProtocolError(ErrorCode::Busy, {{"reason", "readersChanging"}});
}

CardOperation::~CardOperation() = default;

const card::PinRules& CardOperation::pinRules(std::size_t pinGroup, std::string_view field) const {
  if (pinGroup >= profile().pins.size()) {
    throw badRequest(std::string(field), "this card has " + std::to_string(profile().pins.size()) + " PIN group(s)");
  }
  return profile().pins[pinGroup];
}

const card::TokenInfo& CardOperation::token(std::size_t pinGroup) const {
  pinRules(pinGroup);
  if (tokenErrors_[pinGroup]) throw *tokenErrors_[pinGroup];
  return *tokens_[pinGroup];
}

std::vector<std::size_t> CardOperation::tokenPinGroups() const {
  std::vector<std::size_t> groups;
  for (std::size_t group = 0; group < tokens_.size(); ++group) {
    if (!tokens_[group]) continue;
    bool seen = false;
    for (const std::size_t earlier : groups) seen = seen || tokens_[earlier]->slotId == tokens_[group]->slotId;
    if (!seen) groups.push_back(group);
  }
  if (groups.empty()) token(0);  // throws the first group's error
  return groups;
}

void CardOperation::checkpoint() const {
  if (context_.cancel.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
  if (!cardStillInserted()) throw ProtocolError(ErrorCode::CardRemoved, {{"reader", slot_.reader.name}});
}

bool CardOperation::cardStillInserted() const {
  try {
    if (locator_.stillInserted(slot_)) return true;
  } catch (const card::CardError& e) {
    // PC/SC cannot say (the service stopped): the token's own errors tell whether the card is still there.
    spdlog::warn("request id={}: cannot check reader '{}' for the card: {}", context_.request.id, slot_.reader.name,
                 e.what());
    return true;
  }
  spdlog::warn("request id={}: the card left reader '{}' during the operation", context_.request.id, slot_.reader.name);
  return false;
}

void CardOperation::progress(std::string_view stage, const nlohmann::json& details) const {
  context_.responder.sendProgress(context_.request.id, stage, details);
}

card::TokenSession& CardOperation::session(std::size_t pinGroup, card::SessionMode mode) {
  const card::TokenInfo& info = token(pinGroup);
  auto it = sessions_.find(info.slotId);
  if (it == sessions_.end()) {
    it = sessions_.emplace(info.slotId, card::TokenSession(slot_.module, info, mode, card::TokenCheck::JustRead)).first;
  } else if (it->second.mode() != mode) {
    throw std::logic_error("a command asked for two session modes on one token");
  }
  return it->second;
}

void CardOperation::login(std::size_t pinGroup, const PinList& pins) {
  const card::PinRules& rules = pinRules(pinGroup);
  const auto it = sessions_.find(token(pinGroup).slotId);
  if (it == sessions_.end()) throw std::logic_error("login before the session was opened");
  card::TokenSession& tokenSession = it->second;
  if (tokenSession.loggedIn()) return;
  const card::SecretString* pin = pins.find(pinGroup);
  if (pin == nullptr && !token(pinGroup).protectedAuthPath) {
    throw badRequest("params.pins[" + std::to_string(pinGroup) + "]", "the " + rules.name + " is needed");
  }
  progress("login", {{"pinGroup", pinGroup}, {"pinName", rules.name}, {"pinPad", pin == nullptr}});
  withPinGroup(pinGroup, [&] {
    if (pin != nullptr) {
      tokenSession.loginUser(*pin, rules);
    } else {
      tokenSession.loginUserOnPinPad(rules);
    }
  });
  checkpoint();
}

nlohmann::json CardOperation::tokenJson(std::size_t pinGroup) const {
  const card::TokenInfo& info = token(pinGroup);
  return {{"label", info.label}, {"serialNumber", info.serial}, {"serialUnique", card::serialIdentifiesToken(info)}};
}

void CardOperation::rethrowWithPinGroup(std::size_t pinGroup) const {
  const auto addGroup = [&](const ProtocolError& error) {
    const bool pinError = error.code() == ErrorCode::PinIncorrect || error.code() == ErrorCode::PinLocked ||
                          error.code() == ErrorCode::PinPolicy;
    if (!pinError) throw error;
    nlohmann::json details = error.details();
    details["pinGroup"] = pinGroup;
    if (pinGroup < profile().pins.size()) details["pinName"] = profile().pins[pinGroup].name;
    throw ProtocolError(error.code(), std::move(details));
  };
  try {
    throw;
  } catch (const card::CardError& e) {
    const ProtocolError mapped = toProtocolError(e);
    if (mapped.code() != ErrorCode::PinIncorrect && mapped.code() != ErrorCode::PinLocked &&
        mapped.code() != ErrorCode::PinPolicy) {
      throw;
    }
    spdlog::warn("request id={}: {} for PIN group {}", context_.request.id, toString(mapped.code()), pinGroup);
    addGroup(mapped);
  } catch (const ProtocolError& e) {
    addGroup(e);
  }
  std::abort();  // unreachable: every path above throws
}

}  // namespace certbridge::host
