#pragma once
// Pkcs11Module's libp11 state, for the card library's own PKCS#11 code (keys, certificates, PINs).
// Private to the card library: libp11.h stays out of the public headers.

#include <libp11.h>

#include <set>
#include <string>

#include "certbridge/card/pkcs11_module.hpp"
#include "pkcs11_raw.hpp"

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
  std::string path;  ///< The module file, as loaded (canonical when it could be resolved).
  /// Our own reference to the module libp11 loaded (dlopen with RTLD_NOLOAD never loads a second copy),
  /// and its function list, taken on first use.
  void* library = nullptr;
  detail::ck::FunctionList* functionList = nullptr;
  /// Slot ids with an open TokenSession: at most one per token, and no re-enumeration while any is open.
  std::set<unsigned long> sessionSlots;

  /// Drops the slot list and enumerates the slots again, so token flags are fresh. This invalidates every
  /// PKCS11_SLOT, PKCS11_TOKEN, PKCS11_KEY and PKCS11_CERT pointer taken from the old list, and makes libp11
  /// close the process's sessions on each slot: refused (InvalidArgument) while a TokenSession is open.
  /// (Not PKCS11_update_slots: libp11 0.4.12 crashes in it on modules with two or more slots.)
  void enumerate();
  /// The module's PKCS#11 function list (the one libp11 uses; the module is already initialized).
  /// Throws ModuleUnavailable if it cannot be reached.
  const detail::ck::FunctionList& functions();
  /// The slot with this PKCS#11 slot id in the current list, or nullptr.
  PKCS11_SLOT* slotById(unsigned long slotId) noexcept;
};

namespace detail {

/// What libp11 knows of a slot's token, as the library's TokenInfo. The slot must hold a token.
TokenInfo toTokenInfo(const PKCS11_SLOT& slot, unsigned long slotId);

}  // namespace detail
}  // namespace certbridge::card
