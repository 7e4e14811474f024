#pragma once
// The one place where libp11 failures (and the CK_RV behind them) become CardErrors; Linux and macOS only.
// Private to the card library. libp11 functions return 0 (or a non-null pointer) on success; on failure the
// module's CK_RV travels on the OpenSSL error queue, in the error library libp11 registers for CKR codes.

#include <openssl/err.h>

#include <optional>
#include <source_location>

#include "pkcs11_call.hpp"

namespace certbridge::card::detail {

/// The most recent CK_RV libp11 put on this thread's OpenSSL error queue, or nullopt if there is none.
/// Empties the queue, so one failure is never reported twice.
std::optional<unsigned long> takeCkrFromErrorQueue() noexcept;

/// Throws the CardError for a failed libp11 call, taking the CK_RV from the error queue.
[[noreturn]] void throwLibp11Error(const char* function, std::source_location where);

inline int checkLibp11(const char* function, int rc, std::source_location where) {
  if (rc != 0) throwLibp11Error(function, where);
  return rc;
}

template <typename T>
T* checkLibp11(const char* function, T* result, std::source_location where) {
  if (result == nullptr) throwLibp11Error(function, where);
  return result;
}

}  // namespace certbridge::card::detail

/// Calls a libp11 function with a clean error queue and throws CardError (function name, CKR name, this
/// file:line) when it fails; returns its result otherwise:
///   CERTBRIDGE_P11_CALL(PKCS11_enumerate_slots, (ctx, &slots, &count))
#define CERTBRIDGE_P11_CALL(function, arguments)                                              \
  ::certbridge::card::detail::checkLibp11(#function, (ERR_clear_error(), function arguments), \
                                          std::source_location::current())
