#pragma once
// Ties PC/SC readers to PKCS#11 tokens through the card-profile table: reader -> card ATR -> profile
// -> module -> token (by slot description == reader name, else by the profile's token label).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certbridge/card/card_profile.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/readers.hpp"

namespace certbridge::card {

/// What is known about one reader and the card in it. A problem does not stop the others being listed.
struct CardSlot {
  ReaderState reader;
  const CardProfile* profile = nullptr;  ///< Null when no card or the card is unknown.
  std::optional<TokenInfo> token;
  std::shared_ptr<Pkcs11Module> module;  ///< The module that serves the token, when loaded.
  std::optional<CardError> problem;      ///< NoCard, CardNotSupported, ModuleUnavailable, TokenNotFound, ...
};

/// Finds cards and their tokens. Keeps loaded modules for its lifetime (loading is slow).
class CardLocator {
 public:
  explicit CardLocator(CardProfileTable profiles);

  /// One entry per reader. Throws CardError(PcscUnavailable) when PC/SC is not running.
  std::vector<CardSlot> scan();

  /// The card in the named reader; when reader is empty, the first card (in reader order) whose token was
  /// found, else the first card's problem. Throws NoReader, NoCard, CardNotSupported, ModuleUnavailable or
  /// TokenNotFound.
  CardSlot find(const std::string& reader = {});

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

  CardProfileTable profiles_;
  std::map<std::string, std::shared_ptr<Pkcs11Module>> modules_;
  std::map<std::string, ModuleFailure> moduleFailures_;
};

}  // namespace certbridge::card
