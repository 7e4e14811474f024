#pragma once
// Changing and unblocking PINs through a TokenSession. Each PIN group of a card (PinRules) lives on the
// token CardLocator::pinToken names; open the session on that token.

#include "certbridge/card/card_profile.hpp"
#include "certbridge/card/secret_string.hpp"
#include "certbridge/card/token_session.hpp"

namespace certbridge::card {

/// Changes the user PIN from oldPin to newPin (C_SetPIN), logged in as the user or not logged in at all.
/// Both PINs are checked against rules first (PinPolicy, no try used); a locked PIN is refused (PinLocked,
/// no try used). When not logged in, oldPin is checked with C_Login first (so the token counts a wrong one,
/// which some do not in C_SetPIN), and the session stays logged in as the user afterwards. A wrong oldPin
/// throws PinIncorrect with triesLeft, or PinLocked when it locked the PIN.
/// Needs a ReadWrite session; InvalidArgument when the security officer is logged in (C_SetPIN would change
/// the SO PIN).
void changePin(TokenSession& session, const SecretString& oldPin, const SecretString& newPin, const PinRules& rules);

/// Changes the user PIN on the reader's pin pad (the module asks for both PINs). Errors as changePin.
void changePinOnPinPad(TokenSession& session, const PinRules& rules);

/// Sets a new user PIN as the security officer (C_InitPIN), which also clears a locked PIN's counter: the
/// unblock step, once the RA's authorization gave the SO PIN. newPin is checked against rules first
/// (PinPolicy). Needs the security officer logged in (InvalidArgument otherwise).
void unblockPin(TokenSession& session, const SecretString& newPin, const PinRules& rules);

}  // namespace certbridge::card
