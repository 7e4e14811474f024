#pragma once
// Errors raised by the card library. Every PC/SC and PKCS#11 call site turns its return code into
// a CardError carrying the failing function, the native code and its name, so that the host can
// map it to a protocol error code in exactly one place (host/src/error_mapping.cpp).

#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>

namespace certbridge::card {

/// What went wrong, in terms a user or help desk can act on. The host maps each kind to one protocol code.
enum class ErrorKind {
  PcscUnavailable,    ///< The PC/SC service (pcscd, Windows "Smart Card" service) is not running or not reachable.
  NoReader,           ///< No reader is connected, or the named reader does not exist.
  NoCard,             ///< The reader is empty.
  CardRemoved,        ///< The card left the reader while we were working with it.
  CardNotSupported,   ///< The card's ATR matches no card profile.
  ModuleUnavailable,  ///< The PKCS#11 module named by the card profile is missing or is no loadable module.
  ModuleFailed,       ///< The module loads but fails to start (C_Initialize): installed, badly configured.
  TokenNotFound,      ///< The module is loaded but has no token for this card.
  Pkcs11,             ///< Any other PKCS#11 failure; nativeName() holds the CKR name (for logs, never re-read).
  Pcsc,               ///< Any other PC/SC failure; nativeName() holds the SCARD_ name (for logs, never re-read).
  Cancelled,          ///< A PC/SC or PKCS#11 call reported that it was cancelled.
  InvalidArgument,    ///< A programming or argument error (fatal, not retriable).
  PinIncorrect,       ///< A wrong PIN (CKR_PIN_INCORRECT); triesLeft() says how many tries remain, when known.
  PinLocked,          ///< The PIN is locked (CKR_PIN_LOCKED, CKR_PIN_EXPIRED, or the lock flag after a wrong PIN).
  PinPolicy,          ///< The PIN breaks the card profile's rules or the token's (CKR_PIN_LEN_RANGE, CKR_PIN_INVALID).
  KeyNotFound,        ///< No key on the token belongs to the certificate or key asked for (CKR_KEY_HANDLE_INVALID too).
  PinNotInitialized,  ///< The token's user PIN was never set (CKR_USER_PIN_NOT_INITIALIZED): an unissued card.
  CardBusy,           ///< Another application holds the card exclusively (SCARD_E_SHARING_VIOLATION).
  Timeout,            ///< The reader or service did not answer in time (SCARD_E_TIMEOUT).
};

/// Stable name of an ErrorKind ("PcscUnavailable", ...), for logs and tests.
const char* toString(ErrorKind kind) noexcept;

/// An error from the card layer. Retriable kinds are everything but InvalidArgument.
class CardError : public std::runtime_error {
 public:
  CardError(ErrorKind kind, const std::string& detail, std::string function = {}, long nativeCode = 0,
            std::string nativeName = {}, std::source_location where = std::source_location::current());

  ErrorKind kind() const noexcept { return kind_; }
  /// The C API function that failed ("SCardListReaders", "C_Login"), empty if none.
  const std::string& function() const noexcept { return function_; }
  /// The raw return code (PC/SC LONG or CK_RV), 0 if none.
  long nativeCode() const noexcept { return nativeCode_; }
  /// Symbolic name of nativeCode ("SCARD_E_NO_SERVICE", "CKR_PIN_INCORRECT"), empty if none.
  const std::string& nativeName() const noexcept { return nativeName_; }
  /// "file:line" of the call site that raised the error.
  const std::string& location() const noexcept { return location_; }
  bool retriable() const noexcept { return kind_ != ErrorKind::InvalidArgument; }

  /// PIN tries left after a PIN error (0 locked, 1 final try, ...); nullopt when the token does not tell.
  const std::optional<int>& triesLeft() const noexcept { return triesLeft_; }
  /// Set by the PIN operations, which read the token's fresh PIN flags after a failure.
  void setTriesLeft(std::optional<int> triesLeft) noexcept { triesLeft_ = triesLeft; }

 private:
  ErrorKind kind_;
  std::string function_;
  long nativeCode_;
  std::string nativeName_;
  std::string location_;
  std::optional<int> triesLeft_;
};

}  // namespace certbridge::card
