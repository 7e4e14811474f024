#pragma once
// Ties PC/SC readers to PKCS#11 tokens through the card-profile table: reader -> card ATR -> profile
// -> module -> token (by slot description == reader name, else by the profile's token label).

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
  std::shared_ptr<Pkcs11Module> module;   ///< The module that serves the token, when loaded.
  std::optional<CardError> problem;       ///< NoCard, CardNotSupported, ModuleUnavailable, TokenNotFound, ...
};

/// Finds cards and their tokens. Keeps loaded modules for its lifetime (loading is slow).
class CardLocator {
public:
  explicit CardLocator(CardProfileTable profiles);

  /// One entry per reader. Throws CardError(PcscUnavailable) when PC/SC is not running.
  std::vector<CardSlot> scan();

  /// The card in the named reader, or the only card present when reader is empty. Throws NoReader,
  /// NoCard, CardNotSupported, ModuleUnavailable or TokenNotFound.
  CardSlot find(const std::string& reader = {});

  /// Loads (or returns the already loaded) module at path.
  std::shared_ptr<Pkcs11Module> module(const std::string& path);

  const CardProfileTable& profiles() const noexcept { return profiles_; }

private:
  CardProfileTable profiles_;
  std::map<std::string, std::shared_ptr<Pkcs11Module>> modules_;
  std::map<std::string, CardError> moduleFailures_;
};

}  // namespace certbridge::card
