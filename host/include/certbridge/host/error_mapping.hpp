#pragma once
// Card-layer errors to protocol errors: the one place where a card::CardError becomes an ErrorCode.

#include "certbridge/card/error.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {

/// Maps a card error to its protocol error: the ErrorKind decides, refined by the native code name for
/// the generic Pkcs11/Pcsc kinds (CKR_PIN_INCORRECT -> PIN_INCORRECT, SCARD_E_NO_SERVICE -> PCSC_UNAVAILABLE, ...).
/// Details carry "ckr" or "pcsc" with the native name when there is one.
ProtocolError toProtocolError(const card::CardError& error);

}  // namespace certbridge::host
