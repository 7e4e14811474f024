// The libp11 error path: the CK_RV libp11 leaves on OpenSSL's error queue, as a CardError.

#include "libp11_call.hpp"

#include <libp11.h>

#include <string>

namespace certbridge::card::detail {

std::optional<unsigned long> takeCkrFromErrorQueue() noexcept {
  const int ckrLibrary = ERR_get_CKR_code();
  std::optional<unsigned long> ckr;
  // The queue is oldest first; the last CKR entry is the one closest to the failing call. OpenSSL keeps
  // 23 bits of reason, which covers every standard CKR value (vendor codes arrive truncated).
  while (const unsigned long error = ERR_get_error()) {
    if (ERR_GET_LIB(error) == ckrLibrary) ckr = static_cast<unsigned long>(ERR_GET_REASON(error));
  }
  return ckr;
}

void throwLibp11Error(const char* function, std::source_location where) {
  if (const auto ckr = takeCkrFromErrorQueue()) {
    throw CardError(pkcs11ErrorKind(*ckr), std::string("PKCS#11 call ") + function + " failed", function,
                    static_cast<long>(*ckr), pkcs11ErrorName(*ckr), where);
  }
  throw CardError(ErrorKind::Pkcs11, std::string("PKCS#11 call ") + function + " failed", function, 0, {}, where);
}

}  // namespace certbridge::card::detail
