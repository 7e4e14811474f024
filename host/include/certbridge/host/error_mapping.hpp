#pragma once
// Card-layer errors to protocol errors: the one place where a card::CardError becomes an ErrorCode.

#include "certbridge/card/error.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {

/// Maps a card error to its protocol error by its ErrorKind alone: the card library classifies every native
/// code once, where it is returned (pkcs11_call.cpp, pcsc_call.cpp), and the names are never read again here.
/// Details carry "ckr" or "pcsc" with the native name when there is one, for the help desk.
ProtocolError toProtocolError(const card::CardError& error);

}  // namespace certbridge::host
