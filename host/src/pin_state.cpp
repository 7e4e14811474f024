#include "certbridge/host/pin_state.hpp"

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
  const std::optional<int> known = maxTries > 0 ? std::optional<int>(maxTries) : std::nullopt;
  if (token.userPinLocked) return {PinState::Locked, 0};
  if (!token.userPinInitialized) return {PinState::NotInitialized, std::nullopt};
  if (token.userPinFinalTry) return {PinState::FinalTry, 1};
  if (token.userPinCountLow) {
    // At least one wrong entry: maxTries - 1 left at most (final try, not count low, would say 1).
    if (!known) return {PinState::CountLow, std::nullopt};
    return {PinState::CountLow, *known > 1 ? *known - 1 : 1};
  }
  return {PinState::Ok, known};
}

}  // namespace certbridge::host
