#pragma once
// One card command's hold on the card, from finding it to the answer: the card in the reader the caller
// named (or the first supported one), a lock against other host processes, checks that the card was not
// pulled, the token of each PIN group, sessions and logins. Commands build on this and stay short.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "card_lock.hpp"
#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/card/token_session.hpp"
#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "crypto/crypto_error.hpp"
#include "secret_params.hpp"

namespace certbridge::host {

class CardOperation {
 public:
  /// Finds the card (NO_READER, NO_CARD, CARD_NOT_SUPPORTED, ...), takes the card lock (BUSY) and resolves
  /// every PIN group's token. Runs on the worker thread.
  CardOperation(CommandContext& context, const std::optional<std::string>& reader);
  ~CardOperation();
  CardOperation(const CardOperation&) = delete;
  CardOperation& operator=(const CardOperation&) = delete;

  const card::CardSlot& slot() const noexcept { return slot_; }
  const card::CardProfile& profile() const noexcept { return *slot_.profile; }
  const std::string& readerName() const noexcept { return slot_.reader.name; }
  std::size_t pinGroupCount() const noexcept { return profile().pins.size(); }
  /// The rules of pinGroup; BAD_REQUEST naming field when the card has no such PIN group.
  const card::PinRules& pinRules(std::size_t pinGroup, std::string_view field = "params.pinGroup") const;
  /// The token holding pinGroup (TOKEN_NOT_FOUND when the profile's token for it is missing).
  const card::TokenInfo& token(std::size_t pinGroup) const;
  /// The distinct tokens of the card, each with the first PIN group it serves (one entry on most cards).
  std::vector<std::size_t> tokenPinGroups() const;

  /// Throws USER_CANCELLED when the request was cancelled and CARD_REMOVED when the card left the reader
  /// (or was pulled and put back) since it was found: software tokens and caching middleware keep answering
  /// without the card, so the reader is asked (through the locator's reader watch, which costs no request to
  /// the PC/SC service once it follows the card). Commands call it between steps; a step under way (one
  /// PKCS#11 call) always finishes.
  void checkpoint() const;
  /// Sends a progress message for this request.
  void progress(std::string_view stage, const nlohmann::json& details = nlohmann::json::object()) const;

  /// The session on pinGroup's token, opened on first use (groups on one token share it). Every later call
  /// for the same token must ask for the same mode.
  card::TokenSession& session(std::size_t pinGroup, card::SessionMode mode);
  /// Logs the card holder of pinGroup in on its session (open it first with session(); a no-op when already
  /// logged in): with the PIN from
  /// pins, or on the reader's pin pad when none was given and the reader has one (BAD_REQUEST for the
  /// missing PIN otherwise). PIN errors carry pinGroup and pinName.
  void login(std::size_t pinGroup, const PinList& pins);

  /// {"label", "serialNumber", "serialUnique"} of pinGroup's token (serialUnique false: the serial is blank or
  /// all zeros, shared by other cards, so it must not be taken as the card's identity).
  nlohmann::json tokenJson(std::size_t pinGroup) const;

  /// Runs body, adding pinGroup and pinName to PIN errors (PIN_INCORRECT, PIN_LOCKED, PIN_POLICY) it throws.
  template <typename Body>
  auto withPinGroup(std::size_t pinGroup, Body&& body) const -> decltype(body());

  /// Runs sign, an OpenSSL signature with the card key key. When it fails, says why as the user sees it:
  /// CARD_REMOVED when the reader has lost the card, else the token's own failure (takeSigningFailure),
  /// rather than OpenSSL's "signing failed".
  template <typename Sign>
  auto signWith(const card::PrivateKey& key, Sign&& sign) const -> decltype(sign());

 private:
  /// Sets slot_ and lock_: the card in the named reader (or the first usable one), its reader locked first.
  void lockAndFindCard(const std::string& reader);
  [[noreturn]] void rethrowWithPinGroup(std::size_t pinGroup) const;
  /// The reader still holds the card found at the start; true when PC/SC cannot tell (logged).
  bool cardStillInserted() const;

  CommandContext& context_;
  card::CardLocator& locator_;
  card::CardSlot slot_;
  std::unique_ptr<CardLock> lock_;
  /// Per PIN group: its token as read from its slot when the operation began (so sessions open without
  /// reading it again; the checkpoints catch a card swapped since), or why it could not be found.
  std::vector<std::optional<card::TokenInfo>> tokens_;
  std::vector<std::optional<card::CardError>> tokenErrors_;
  /// Open sessions by the token's slot (serials may be blank or shared). Declared last: closed before the lock.
  std::map<unsigned long, card::TokenSession> sessions_;
};

template <typename Sign>
auto CardOperation::signWith(const card::PrivateKey& key, Sign&& sign) const -> decltype(sign()) {
  try {
    return sign();
  } catch (const crypto::CryptoError&) {
    auto failure = card::takeSigningFailure(key);
    if (!cardStillInserted()) throw ProtocolError(ErrorCode::CardRemoved, {{"reader", slot_.reader.name}});
    if (failure) throw *failure;
    throw;
  } catch (const card::CardError&) {
    // Where the card key is an RsaSigner (Windows), the token's own failure arrives as it is.
    card::takeSigningFailure(key);
    if (!cardStillInserted()) throw ProtocolError(ErrorCode::CardRemoved, {{"reader", slot_.reader.name}});
    throw;
  }
}

template <typename Body>
auto CardOperation::withPinGroup(std::size_t pinGroup, Body&& body) const -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    rethrowWithPinGroup(pinGroup);
  }
}

}  // namespace certbridge::host
