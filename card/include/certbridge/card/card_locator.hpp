#pragma once
// Ties PC/SC readers to PKCS#11 tokens through the card-profile table: reader -> card ATR -> profile
// -> module -> token (by slot description == reader name, else by the profile's token label).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "certbridge/card/card_profile.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/readers.hpp"

namespace certbridge::card {

namespace detail {
class ReaderWatch;
}

/// What is known about one reader and the card in it. A problem does not stop the others being listed.
struct CardSlot {
  ReaderState reader;
  const CardProfile* profile = nullptr;  ///< Null when no card or the card is unknown.
  std::optional<TokenInfo> token;
  std::shared_ptr<Pkcs11Module> module;  ///< The module that serves the token, when loaded.
  std::optional<CardError> problem;      ///< NoCard, CardNotSupported, ModuleUnavailable, TokenNotFound, ...
  /// Which of the locator's PC/SC contexts read the reader: card event counts compare only within one.
  unsigned pcscContext = 0;
  /// Set by find when the locator's reader watch saw the reader just as `reader` says: which of the watch's
  /// connections to the service that was. stillInserted then reads the watch instead of asking the service.
  std::optional<unsigned> watchConnection;
};

/// Finds cards and their tokens. Keeps loaded modules and one PC/SC context for its lifetime (loading and
/// establishing are slow); a context the service dropped (it was restarted) is replaced on the next call.
/// watchReaders starts a reader watch: a thread that follows the service's reader states, so that checking
/// a found card is still in reads memory instead of asking the service. Not thread-safe (the watch is).
class CardLocator {
 public:
  explicit CardLocator(CardProfileTable profiles);
  ~CardLocator();

  /// One entry per reader. Throws CardError(PcscUnavailable) when PC/SC is not running.
  std::vector<CardSlot> scan(ReaderDetail detail = ReaderDetail::WithPinPad);

  /// The card in the named reader; when reader is empty, the first card (in reader order) whose token was
  /// found, else the first card's problem. Throws NoReader, NoCard, CardNotSupported, ModuleUnavailable or
  /// TokenNotFound. The reader's pinPad is not asked.
  ///
  /// Asks the PC/SC service for the readers, unless readersSince is given and the reader watch read them at
  /// or after that moment (pass the moment the request arrived): then the watch's reading is as good, and it
  /// saves the request a connection of its own. This is the case for the first find after watchReaders(),
  /// whose reading find waits for (briefly: 100 ms at most). Meanwhile, when every card profile uses the
  /// same PKCS#11 module, it loads that module. Only a card is taken from the watch's reading; a problem
  /// (no reader, no card, ...) is confirmed by asking the service.
  CardSlot find(const std::string& reader = {},
                std::optional<std::chrono::steady_clock::time_point> readersSince = std::nullopt);

  /// The readers find(reader, readersSince) would choose from, learnt from PC/SC alone (no PKCS#11 call, no
  /// module loaded), so that a caller can lock a reader before its token is touched: the named reader when it
  /// is connected, or, when reader is empty, every reader holding a card that matches a card profile, in
  /// reader order. Empty when there is none; find then says why. Reads the reader watch as find does, else asks the
  /// service (CardError(PcscUnavailable) when it cannot be reached).
  std::vector<std::string> candidateReaders(
      const std::string& reader, std::optional<std::chrono::steady_clock::time_point> readersSince = std::nullopt);

  /// Starts the reader watch, if it is not running yet. Its thread connects to the PC/SC service on its own
  /// and keeps trying while the service is down. Cards found from the moment it has read the readers are
  /// checked through it (see stillInserted).
  void watchReaders();

  /// Whether the card found in slot is still in its reader: false once the reader is gone, holds no card or
  /// another one, or has counted a card removal since (the card was pulled and put back). Reads the reader
  /// watch when it saw the card found (slot.watchConnection) and has kept its connection since; it learns of
  /// a change as soon as its thread wakes, well under a millisecond on an idle machine. A card found before
  /// the watch caught up is in if the watch now sees it just as found. Otherwise costs one request to the
  /// PC/SC service, and throws CardError(PcscUnavailable) when the service cannot be reached.
  bool stillInserted(const CardSlot& slot);

  /// Loads (or returns the already loaded) module at path. Throws ModuleUnavailable when it cannot be
  /// loaded. A failure is remembered: the same error is thrown again without touching the module until
  /// its file changes (so a module installed later is picked up on the next scan) or 30 seconds have
  /// passed (so a fixed module configuration is picked up too).
  std::shared_ptr<Pkcs11Module> module(const std::string& path);

  /// The token holding PIN group pinGroup (an index into the profile's pins) of the card in slot: the
  /// card's own token when the group names no token label (or the card's), else the token of the same
  /// module with that label (preferring one whose slot is named after the card's reader). Lists the module's
  /// tokens again in that case, so no TokenSession on the module may be open. Throws InvalidArgument for a
  /// slot without a usable card or a pinGroup out of range, TokenNotFound when the labelled token is missing.
  TokenInfo pinToken(const CardSlot& slot, std::size_t pinGroup);

  const CardProfileTable& profiles() const noexcept { return profiles_; }

 private:
  /// Why a module failed to load, what its file looked like then, and when.
  struct ModuleFailure {
    CardError error;
    std::string fileStamp;
    std::chrono::steady_clock::time_point when;
  };

  /// Sets slot.watchConnection when the reader watch sees the slot's reader just as the slot says.
  void tieToWatch(CardSlot& slot) const;
  /// A slot per reader, cards bound to their tokens; pcscContext is the context that read the readers.
  std::vector<CardSlot> slotsFor(const std::vector<ReaderState>& readers, unsigned pcscContext);
  /// Loads the PKCS#11 module of the card profiles when they all use the same one and nothing is loaded.
  void loadTheOnlyModule();
  /// Runs call on the kept PC/SC context, establishing one first if needed. When the call fails because
  /// the context went stale (the service restarted under it), it runs once more on a new context.
  template <typename Call>
  auto withPcsc(Call&& call) -> decltype(call(std::declval<PcscContext&>()));
  /// The token choose picks from the module's tokens. Listing them re-enumerates the module's slots (eight
  /// or more calls into the module), so the last listing is reused when the token it gives still answers
  /// from its slot with the same serial number and label (one call); otherwise, and when choose finds
  /// nothing there, the module is listed again, once per module per listedNow.
  std::optional<TokenInfo> knownOrListedToken(
      Pkcs11Module& module, std::set<std::string>& listedNow,
      const std::function<std::optional<TokenInfo>(const std::vector<TokenInfo>&)>& choose);

  CardProfileTable profiles_;
  std::unique_ptr<PcscContext> pcsc_;
  unsigned pcscContexts_ = 0;  ///< Contexts established so far; the current one's number.
  std::map<std::string, std::shared_ptr<Pkcs11Module>> modules_;
  std::map<std::string, ModuleFailure> moduleFailures_;
  /// Each module's tokens as last listed, by module path (see knownOrListedToken).
  std::map<std::string, std::vector<TokenInfo>> knownTokens_;
  std::unique_ptr<detail::ReaderWatch> watch_;  ///< see watchReaders
};

}  // namespace certbridge::card
