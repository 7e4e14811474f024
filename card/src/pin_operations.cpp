// PIN change and unblock on a token session.

#include "certbridge/card/pin_operations.hpp"

#include "certbridge/card/error.hpp"
#include "certbridge/card/pin_policy.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

namespace {

void requireNotSecurityOfficer(const TokenSession::Impl& s) {
  if (s.loggedIn == UserType::SecurityOfficer) {
    throw CardError(ErrorKind::InvalidArgument,
                    "The security officer is logged in: changing the PIN now would change the SO PIN");
  }
}

}  // namespace

void changePin(TokenSession& session, const SecretString& oldPin, const SecretString& newPin, const PinRules& rules) {
  auto& s = session.impl();
  s.requireReadWrite("change a PIN");
  requireNotSecurityOfficer(s);
  // A current PIN the rules forbid cannot be right: refusing it here saves the user a try.
  checkPinPolicy(oldPin, rules);
  checkPinPolicy(newPin, rules);
  s.refuseLockedPin(UserType::User, rules.name);
  // The old PIN is checked by C_Login first: every token counts a wrong PIN there, while some (openCryptoki
  // 3.8) do not count one in C_SetPIN, which would let anyone guess through PIN changes and never lock the card.
  if (s.loggedIn != UserType::User) session.loginUser(oldPin, rules);
  const ck::Rv rv =
      s.f().C_SetPIN(s.handle, reinterpret_cast<const ck::Byte*>(oldPin.data()), static_cast<ck::Ulong>(oldPin.size()),
                     reinterpret_cast<const ck::Byte*>(newPin.data()), static_cast<ck::Ulong>(newPin.size()));
  if (rv != ck::kCkrOk)
    s.throwPinError("C_SetPIN", rv, UserType::User, rules.name, rules.maxTries, std::source_location::current());
  s.refresh();
}

void changePinOnPinPad(TokenSession& session, const PinRules& rules) {
  auto& s = session.impl();
  s.requireReadWrite("change a PIN");
  requireNotSecurityOfficer(s);
  if (!s.token.protectedAuthPath) {
    throw CardError(ErrorKind::InvalidArgument,
                    "Token \"" + s.token.label + "\" has no pin pad (protected authentication path)");
  }
  s.refuseLockedPin(UserType::User, rules.name);
  const ck::Rv rv = s.f().C_SetPIN(s.handle, nullptr, 0, nullptr, 0);
  if (rv != ck::kCkrOk)
    s.throwPinError("C_SetPIN", rv, UserType::User, rules.name, rules.maxTries, std::source_location::current());
  s.refresh();
}

void unblockPin(TokenSession& session, const SecretString& newPin, const PinRules& rules) {
  auto& s = session.impl();
  if (s.loggedIn != UserType::SecurityOfficer)
    throw CardError(ErrorKind::InvalidArgument, "To unblock a PIN, log the security officer in first");
  checkPinPolicy(newPin, rules);
  CERTBRIDGE_CK_CALL(
      s.f(), C_InitPIN,
      (s.handle, reinterpret_cast<const ck::Byte*>(newPin.data()), static_cast<ck::Ulong>(newPin.size())));
  s.refresh();
}

}  // namespace certbridge::card
