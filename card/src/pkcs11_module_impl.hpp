#pragma once
// Pkcs11Module's libp11 state, for the card library's own PKCS#11 code (keys, certificates, PINs).
// Private to the card library: libp11.h stays out of the public headers.

#include <libp11.h>

#include "certbridge/card/pkcs11_module.hpp"

namespace certbridge::card {

/// A libp11 context with its module loaded and initialized, and the current slot list.
struct Pkcs11Module::Impl {
  Impl() = default;
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  PKCS11_CTX* ctx = nullptr;
  bool loaded = false;  ///< PKCS11_CTX_load succeeded, so the module must be finalized and unloaded.
  PKCS11_SLOT* slots = nullptr;
  unsigned int slotCount = 0;

  /// Drops the slot list and enumerates the slots again, so token flags are fresh. This invalidates every
  /// PKCS11_SLOT, PKCS11_TOKEN, PKCS11_KEY and PKCS11_CERT pointer taken from the old list.
  /// (Not PKCS11_update_slots: libp11 0.4.12 crashes in it on modules with two or more slots.)
  void enumerate();
  /// The slot with this PKCS#11 slot id in the current list, or nullptr.
  PKCS11_SLOT* slotById(unsigned long slotId) noexcept;
};

namespace detail {

/// What libp11 knows of a slot's token, as the library's TokenInfo. The slot must hold a token.
TokenInfo toTokenInfo(const PKCS11_SLOT& slot, unsigned long slotId);

}  // namespace detail
}  // namespace certbridge::card
