#pragma once
// A PKCS#11 module and its tokens: loaded through libp11 on Linux and macOS, with LoadLibraryW and the module's
// own function list on Windows. libp11, pkcs11.h and windows.h stay inside the library.

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certbridge::card {

/// A token (card) as its PKCS#11 module reports it. PIN flags are a snapshot taken when listed.
struct TokenInfo {
  unsigned long slotId = 0;
  std::string slotDescription;  ///< Real middleware names the slot after the PC/SC reader.
  std::string label;
  std::string serial;
  std::string manufacturer;
  std::string model;
  bool initialized = false;
  bool loginRequired = false;
  bool protectedAuthPath = false;  ///< PIN is entered on the reader's pin pad.
  bool readOnly = false;
  bool userPinInitialized = false;
  bool userPinCountLow = false;  ///< A wrong PIN was entered since the last good one.
  bool userPinFinalTry = false;  ///< One more wrong PIN locks it.
  bool userPinLocked = false;
  bool userPinToBeChanged = false;
  bool soPinCountLow = false;
  bool soPinFinalTry = false;
  bool soPinLocked = false;
};

/// A loaded PKCS#11 module. Loading fails with CardError(ModuleUnavailable) if the file is missing or is
/// no module, with ModuleFailed if it loads but C_Initialize fails. Not thread-safe: the host serializes card work on
/// one worker thread.
class Pkcs11Module {
 public:
  /// Loads and initializes the module, or returns the instance already loaded from the same file:
  /// a module initialized twice in one process shares its state, and one C_Finalize would break both.
  static std::shared_ptr<Pkcs11Module> load(const std::string& path);
  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  const std::string& path() const noexcept { return path_; }
  /// Re-enumerates slots (so PIN flags are fresh) and returns the slots that hold a token, including
  /// blank (uninitialized) ones. Invalidates slot, token, key and certificate pointers taken from impl().
  std::vector<TokenInfo> tokens();
  /// The token in one slot as the module reports it now (one C_GetTokenInfo: fresh PIN flags), named
  /// slotDescription; nullopt when the slot holds no token any more or is gone. Does not re-enumerate, so it
  /// is fine while sessions are open.
  std::optional<TokenInfo> tokenInSlot(unsigned long slotId, const std::string& slotDescription);

  struct Impl;  ///< The loaded module (libp11 context, or the DLL and its function list) and slot list.
  Impl& impl() noexcept { return *impl_; }

 private:
  Pkcs11Module(std::string path, std::unique_ptr<Impl> impl);
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certbridge::card
