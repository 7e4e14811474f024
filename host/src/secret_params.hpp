#pragma once
// PINs arrive inside a request's params (put there by the extension's own PIN window). They are taken out of
// the JSON into SecretStrings first thing, and the JSON's copy is wiped, so no later step (a validation
// error, a log line, a copy of the request) can see them.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "certbridge/card/secret_string.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {

/// The PINs of one request, index = PIN group; nullopt for a group the caller did not give. Shared, because
/// a prepared command is copied around as a std::function and SecretString cannot be copied.
struct PinList {
  std::vector<std::optional<card::SecretString>> pins;

  /// The PIN of pinGroup, or nullptr when it was not given.
  const card::SecretString* find(std::size_t pinGroup) const noexcept;
};
using SharedPins = std::shared_ptr<const PinList>;

/// Upper bound of any PIN's length in the protocol (the card profile's rules are checked later, against the
/// card). Longer values are BAD_REQUEST, not PIN_POLICY: they cannot be a PIN of any card.
/// Upper bound of any secret, in code points (protocol.json limits.secretMaxLength).
inline constexpr std::size_t kSecretMaxLength = protocol::kSecretMaxLength;
/// How many PIN groups a request may carry (protocol.json limits.maxPinGroups).
inline constexpr std::size_t kMaxPinGroups = protocol::kMaxPinGroups;

/// Takes params[key] (absent, or an array of 1-4 strings or nulls) out of params, wiping the strings in the
/// JSON. Throws BAD_REQUEST (after wiping) when the shape is wrong; params that are not an object are left
/// for the validator to refuse.
SharedPins takePins(nlohmann::json& params, std::string_view key = "pins");

/// Takes the string params[key] (absent, or 1-64 characters) out of params, wiping it in the JSON. Throws
/// BAD_REQUEST (after wiping) when it is not such a string.
std::shared_ptr<const card::SecretString> takeSecret(nlohmann::json& params, std::string_view key);

}  // namespace certbridge::host
