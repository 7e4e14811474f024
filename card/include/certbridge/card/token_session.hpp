#pragma once
// A PKCS#11 session on one token, with user or security-officer (SO) login, closed (and logged out) when it
// goes out of scope. Keys, certificates and PIN changes (token_objects.hpp, pin_operations.hpp) work through
// a session.

#include <memory>
#include <optional>

#include "certbridge/card/card_profile.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/secret_string.hpp"

namespace certbridge::card {

/// Read-only sessions can read objects and sign; writing objects, generating keys, changing PINs and any SO
/// login need ReadWrite.
enum class SessionMode { ReadOnly, ReadWrite };

/// Who is logged in: the card holder (user PIN) or the security officer (SO PIN, for unblocking).
enum class UserType { User, SecurityOfficer };

/// An open session on one token, owned by this object; it logs out and closes on destruction, whatever
/// happened, so it can be abandoned at any point (card pulled, operation cancelled, exception).
///
/// Rules that follow from PKCS#11 and libp11 0.4.12:
/// - One TokenSession per token at a time in a process (PKCS#11 shares the login among all of a process's
///   sessions on a token); opening a second one throws InvalidArgument.
/// - While any TokenSession on a module is open, Pkcs11Module::tokens() (and so CardLocator::scan/find on
///   that module) throws InvalidArgument: re-enumerating makes libp11 close every session on the slot.
/// - PINs are passed straight to the module (C_Login, C_SetPIN, C_InitPIN) from the SecretString; no copy
///   is made, not even by libp11 (whose PKCS11_login would keep one).
/// Not thread-safe, like Pkcs11Module. A moved-from TokenSession may only be destroyed or assigned to.
/// Whether opening a session reads the token's information from its slot again first.
enum class TokenCheck {
  /// Read it again: the serial number must still match (the card may have been swapped since the TokenInfo
  /// was read), and the PIN flags the session starts with are fresh.
  ReadAgain,
  /// The caller read the TokenInfo from its slot moments ago (CardLocator::find, earlier in the same request)
  /// and checks the reader for a swapped card itself: one C_GetTokenInfo less per request.
  JustRead,
};

class TokenSession {
 public:
  /// Opens a session on token (by its slot id; with TokenCheck::ReadAgain the serial number must still
  /// match, or the card was swapped). Throws CardRemoved if the token is gone or changed, InvalidArgument if
  /// a session on the token is already open, ModuleUnavailable if the module's function list cannot be
  /// reached, Pkcs11 else.
  TokenSession(std::shared_ptr<Pkcs11Module> module, const TokenInfo& token, SessionMode mode,
               TokenCheck check = TokenCheck::ReadAgain);
  ~TokenSession();
  TokenSession(TokenSession&& other) noexcept;
  TokenSession& operator=(TokenSession&& other) noexcept;
  TokenSession(const TokenSession&) = delete;
  TokenSession& operator=(const TokenSession&) = delete;

  /// The token as last read (at open, after a login failure, after a PIN operation, or by refreshToken).
  const TokenInfo& token() const noexcept;
  /// Reads the token's flags again (PIN counters, PIN initialized, ...) straight from the module.
  const TokenInfo& refreshToken();
  SessionMode mode() const noexcept;
  std::optional<UserType> loggedIn() const noexcept;
  const std::shared_ptr<Pkcs11Module>& module() const noexcept;

  /// Logs the card holder in. Checks pin against rules first (PinPolicy, no try used) and refuses a locked
  /// PIN (PinLocked, no try used). A wrong PIN throws PinIncorrect with triesLeft() from the token's fresh
  /// flags and rules.maxTries, or PinLocked when that try locked it. InvalidArgument if already logged in.
  void loginUser(const SecretString& pin, const PinRules& rules);
  /// Logs the card holder in on the reader's pin pad (CKF_PROTECTED_AUTHENTICATION_PATH): the module
  /// collects the PIN. InvalidArgument if the token has no protected authentication path. Errors as
  /// loginUser; rules give the PIN's name and maxTries.
  void loginUserOnPinPad(const PinRules& rules);
  /// Logs the security officer in (ReadWrite sessions only), for unblocking the user PIN. PinPolicy if
  /// soPin is empty; PinIncorrect / PinLocked as loginUser, with the SO PIN's flags.
  void loginSecurityOfficer(const SecretString& soPin);
  /// Logs out (a no-op when nobody is logged in).
  void logout();

  struct Impl;  ///< Session handle, module function list, login state.
  Impl& impl();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace certbridge::card
