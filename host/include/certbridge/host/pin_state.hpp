#pragma once
// A PIN's state and tries left, from the token's PKCS#11 flags, and the card profile's maxTries.

#include <optional>
#include <string_view>

#include "certbridge/card/pkcs11_module.hpp"

namespace certbridge::host {

enum class PinState { Ok, CountLow, FinalTry, Locked, NotInitialized };

/// "ok", "countLow", "finalTry", "locked", "notInitialized".
std::string_view toString(PinState state) noexcept;

struct PinStatus {
  PinState state = PinState::Ok;
  std::optional<int> triesLeft;   ///< Only what the token's flags say; nullopt when they do not say it.
  std::optional<int> locksAfter;  ///< The profile's "locks after N wrong PINs"; nullopt when it has none.
};

/// The user PIN's status. Tries left are never invented: many tokens (SoftHSM2, and cards that report a
/// lock only by refusing the login) set no flag at all, so "no flag" says nothing about the count.
/// locked -> 0, final try -> 1, count low -> exact only where the flags leave one number (maxTries 3 -> 2),
/// otherwise nullopt. maxTries (0 = unknown) is reported as locksAfter, for "it locks after N wrong PINs".
PinStatus userPinStatus(const card::TokenInfo& token, int maxTries) noexcept;

}  // namespace certbridge::host
