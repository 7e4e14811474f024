#pragma once
// PIN rules checked before a PIN reaches the card (so a PIN the profile forbids never costs a try), and
// how many tries are left, deduced from the token's PIN flags.

#include <optional>

#include "certbridge/card/card_profile.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/secret_string.hpp"

namespace certbridge::card {

/// Throws CardError(PinPolicy) if pin breaks rules: shorter than minLength, longer than maxLength, or a
/// character outside rules.charset. The message names the rule, never the PIN.
void checkPinPolicy(const SecretString& pin, const PinRules& rules);

/// The token's view of one PIN's wrong-entry counter (PKCS#11 token flags).
struct PinCounter {
  bool countLow = false;  ///< At least one wrong entry since the last good one.
  bool finalTry = false;  ///< One more wrong entry locks the PIN.
  bool locked = false;
};

/// The user PIN's or the SO PIN's counter, from a token's flags.
PinCounter userPinCounter(const TokenInfo& token) noexcept;
PinCounter soPinCounter(const TokenInfo& token) noexcept;

/// Tries left as far as the token's flags tell them, never a guess: locked -> 0, final try -> 1; count low
/// (not final try) means between 2 and maxTries - 1 left, a number only when that range holds one (maxTries
/// 3 -> 2); otherwise nullopt (the token does not say: SoftHSM2 and many cards set no flag at all).
std::optional<int> triesLeftAfterWrongPin(const PinCounter& counter, int maxTries) noexcept;

}  // namespace certbridge::card
