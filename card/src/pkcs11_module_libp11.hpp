#pragma once
// Pkcs11Module on Linux and macOS: libp11 loads the module and lists its slots. Private to the card library.

#include <libp11.h>

#include <memory>

#include "certbridge/card/pkcs11_module.hpp"
#include "dynamic_library.hpp"
#include "pkcs11_module_impl.hpp"

namespace certbridge::card {

/// A libp11 context with its module loaded and initialized, and the current slot list.
struct Pkcs11Module::Impl::Platform {
  Platform() = default;
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  PKCS11_CTX* ctx = nullptr;
  bool loaded = false;  ///< PKCS11_CTX_load succeeded, so the module must be finalized and unloaded.
  PKCS11_SLOT* slots = nullptr;
  unsigned int slotCount = 0;
  /// Our own reference to the module libp11 loaded (never a second copy), and its function list, taken on first
  /// use.
  std::unique_ptr<detail::DynamicLibrary> library;
  detail::ck::FunctionList* functionList = nullptr;
};

namespace detail {

/// What libp11 knows of a slot's token, as the library's TokenInfo. The slot must hold a token.
TokenInfo toTokenInfo(const PKCS11_SLOT& slot, unsigned long slotId);

}  // namespace detail
}  // namespace certbridge::card
