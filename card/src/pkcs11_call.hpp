#pragma once
// The one place where PKCS#11 return values (CK_RV) become CardErrors: their names and what they mean to a
// user. Private to the card library. The calls themselves go through CERTBRIDGE_CK_CALL (pkcs11_raw.hpp) or,
// for libp11 on Linux and macOS, CERTBRIDGE_P11_CALL (libp11_call.hpp).

#include "certbridge/card/error.hpp"

namespace certbridge::card::detail {

/// Symbolic name of a PKCS#11 return value ("CKR_PIN_INCORRECT"); "CKR_VENDOR_DEFINED" for vendor codes,
/// "CKR_UNRECOGNIZED" for anything else outside the table.
const char* pkcs11ErrorName(unsigned long rv) noexcept;

/// What a CK_RV means to a user (CardRemoved, Cancelled, ...); Pkcs11 for everything else.
ErrorKind pkcs11ErrorKind(unsigned long rv) noexcept;

}  // namespace certbridge::card::detail
