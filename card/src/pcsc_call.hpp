#pragma once
// The one place where PC/SC return codes become CardErrors. Private to the card library.

#include <initializer_list>
#include <source_location>

#include "certbridge/card/error.hpp"
#include "pcsc_functions.hpp"

namespace certbridge::card::detail {

/// Symbolic name of a PC/SC return code ("SCARD_E_NO_SERVICE"); "SCARD_E_UNRECOGNIZED" if not in the table.
const char* pcscErrorName(LONG code) noexcept;

/// What a PC/SC return code means to a user (NoReader, NoCard, ...); Pcsc for everything else.
ErrorKind pcscErrorKind(LONG code) noexcept;

/// Returns rv when it is SCARD_S_SUCCESS or one of `passed`; otherwise throws CardError naming the
/// function, the code and `where`. Use it through CERTBRIDGE_PCSC_CALL so `where` is the call site.
LONG checkPcsc(const char* function, LONG rv, std::initializer_list<LONG> passed, std::source_location where);

}  // namespace certbridge::card::detail

/// Calls a PC/SC function (through the table in use, see pcsc_functions.hpp) and throws CardError (function name, code
/// name, this file:line) unless it succeeds or returns one of the codes listed after the arguments, which are returned
/// for the caller to handle:
///   CERTBRIDGE_PCSC_CALL(SCardListReaders, (context, nullptr, nullptr, &size), SCARD_E_NO_READERS_AVAILABLE)
#define CERTBRIDGE_PCSC_CALL(function, arguments, ...)                                                             \
  ::certbridge::card::detail::checkPcsc(#function, ::certbridge::card::detail::pcscFunctions().function arguments, \
                                        {__VA_ARGS__}, std::source_location::current())
