#include "certbridge/host/pin_state.hpp"

#include "certbridge/card/pin_policy.hpp"

namespace certbridge::host {

std::string_view toString(PinState state) noexcept {
  switch (state) {
    case PinState::Ok:
      return "ok";
    case PinState::CountLow:
      return "countLow";
    case PinState::FinalTry:
      return "finalTry";
    case PinState::Locked:
      return "locked";
    case PinState::NotInitialized:
      return "notInitialized";
  }
  return "ok";
}

PinStatus userPinStatus(const card::TokenInfo& token, int maxTries) noexcept {
  const std::optional<int> locksAfter = maxTries > 0 ? std::optional<int>(maxTries) : std::nullopt;
  const std::optional<int> told = card::triesLeftAfterWrongPin(card::userPinCounter(token), maxTries);
  if (token.userPinLocked) return {PinState::Locked, 0, locksAfter};
  if (!token.userPinInitialized) return {PinState::NotInitialized, std::nullopt, locksAfter};
  if (token.userPinFinalTry) return {PinState::FinalTry, 1, locksAfter};
  if (token.userPinCountLow) return {PinState::CountLow, told, locksAfter};
  // No flag: a fresh PIN on a counting token, or a token that never sets one (even while locked).
  return {PinState::Ok, std::nullopt, locksAfter};
}

}  // namespace certbridge::host
