#pragma once
// JSON shapes of card-layer facts shared by listReaders and environment.

#include <nlohmann/json.hpp>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/host/pin_state.hpp"

namespace certbridge::host::commands {

/// "3B 95 13 ..." or null when there is no ATR.
nlohmann::json atrJson(const card::ReaderState& reader);

/// {"id", "displayName"} or null.
nlohmann::json profileJson(const card::CardProfile* profile);

/// {"state", "triesLeft", "locksAfter"}: triesLeft null unless the token's flags tell it; locksAfter the
/// profile's number of wrong PINs that lock the card, null when unknown.
nlohmann::json pinStatusJson(const PinStatus& status);

/// {"name", "cardPresent", "pinPad", "atr", "profile"}.
nlohmann::json readerJson(const card::ReaderState& reader, const card::CardProfile* profile);

}  // namespace certbridge::host::commands
