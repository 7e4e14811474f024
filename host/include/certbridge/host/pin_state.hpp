#pragma once
// A PIN's state and tries left, from the token's PKCS#11 flags and the card profile's maxTries.

#include <optional>
#include <string_view>

#include "certbridge/card/pkcs11_module.hpp"

namespace certbridge::host {

enum class PinState { Ok, CountLow, FinalTry, Locked, NotInitialized };

/// "ok", "countLow", "finalTry", "locked", "notInitialized".
std::string_view toString(PinState state) noexcept;

struct PinStatus {
  PinState state = PinState::Ok;
  std::optional<int> triesLeft;  ///< nullopt when it cannot be told.
};

/// The user PIN's status. PKCS#11 only says "a wrong PIN was entered" (count low), not how many times, so
/// with count low the tries left are deduced as maxTries - 1 (exact after one wrong entry, an upper bound
/// after more; cards that count down further raise final try at 1). maxTries 0 means unknown.
/// locked -> 0, final try -> 1, count low -> maxTries - 1 (or nullopt), no flag -> maxTries (or nullopt).
PinStatus userPinStatus(const card::TokenInfo& token, int maxTries) noexcept;

}  // namespace certbridge::host
