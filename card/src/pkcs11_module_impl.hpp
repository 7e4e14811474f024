#pragma once
// Pkcs11Module's state, for the card library's own PKCS#11 code (keys, certificates, PINs). Private to the card
// library. How a module is loaded and its slots listed is the platform's part, one file per platform chosen by
// CMake: libp11 on Linux and macOS (pkcs11_module_libp11.cpp), the module's own function list on Windows
// (pkcs11_module_windows.cpp). Both give the token code the same raw function list (pkcs11_raw.hpp).

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "certbridge/card/pkcs11_module.hpp"
#include "pkcs11_raw.hpp"

namespace certbridge::card {

/// A loaded, initialized module and its current slot list.
struct Pkcs11Module::Impl {
  explicit Impl(std::string path);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::string path;  ///< The module file, as loaded (canonical when it could be resolved).
  /// Slot ids with an open TokenSession: at most one per token, and no re-enumeration while any is open.
  std::set<unsigned long> sessionSlots;

  /// Lists the slots again, so token flags are fresh, and returns the slots that hold a token (blank ones
  /// too). Refused (InvalidArgument) while a TokenSession is open: libp11 closes every session on the slots.
  std::vector<TokenInfo> enumerate();
  /// The module's PKCS#11 function list (the module is already initialized). Throws ModuleUnavailable if it
  /// cannot be reached.
  const detail::ck::FunctionList& functions();
  /// Whether the last listing had a slot with this id.
  bool hasSlot(unsigned long slotId) const noexcept;

  /// The platform's part: the loaded library and its listing (defined in the platform's file).
  struct Platform;
  std::unique_ptr<Platform> platform;

 private:
  /// The platform's listing, after enumerate() checked no session is open.
  std::vector<TokenInfo> listTokens();
};

namespace detail {

/// Loads the module file at path and initializes it (C_Initialize), for the process's one instance of it under
/// key (its canonical path). Throws CardError(ModuleUnavailable): "could not be loaded" when the file is not a
/// PKCS#11 library for this system, "failed to initialize" with the CK_RV when the module refused.
std::unique_ptr<Pkcs11Module::Impl> loadModule(const std::string& path, const std::string& key);

}  // namespace detail
}  // namespace certbridge::card
