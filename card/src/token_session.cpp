// TokenSession: a session of our own on a token, logins, and PIN error reporting with fresh flags.

#include "certbridge/card/token_session.hpp"

#include <utility>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pin_policy.hpp"
#include "certbridge/card/token_identity.hpp"
#include "pkcs11_call.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

namespace {

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

TokenInfo readTokenInfo(const ck::FunctionList& f, ck::SlotId slotId, const std::string& slotDescription) {
  ck::TokenInfo info{};
  CERTBRIDGE_CK_CALL(f, C_GetTokenInfo, (slotId, &info));
  return detail::toTokenInfo(info, slotId, slotDescription);
}

std::string triesText(const std::optional<int>& triesLeft) {
  if (!triesLeft) return "";
  if (*triesLeft == 1) return " (1 try left before it locks)";
  return " (" + std::to_string(*triesLeft) + " tries left)";
}

}  // namespace

void TokenSession::Impl::requireReadWrite(const char* what) const {
  if (mode != SessionMode::ReadWrite)
    throw CardError(ErrorKind::InvalidArgument, std::string("To ") + what + ", open the session read-write");
}

void TokenSession::Impl::requireUser(const char* what) const {
  if (loggedIn != UserType::User)
    throw CardError(ErrorKind::InvalidArgument, std::string("To ") + what + ", log the card holder in first");
}

const TokenInfo& TokenSession::Impl::refresh() {
  token = readTokenInfo(f(), slotId, token.slotDescription);
  return token;
}

void TokenSession::Impl::refuseLockedPin(UserType user, const std::string& pinName) {
  // The flags as read when the session opened, or after its last PIN failure: fresh enough, since a lock
  // that happened elsewhere meanwhile makes the login answer CKR_PIN_LOCKED, reported the same way.
  const PinCounter counter = user == UserType::User ? userPinCounter(token) : soPinCounter(token);
  if (!counter.locked) return;
  CardError error(ErrorKind::PinLocked, pinName + " of token " + quoted(token.label) + " is locked");
  error.setTriesLeft(0);
  throw error;
}

void TokenSession::Impl::throwPinError(const char* function, ck::Rv rv, UserType user, const std::string& pinName,
                                       int maxTries, std::source_location where) {
  ErrorKind kind = detail::pkcs11ErrorKind(rv);
  std::optional<int> triesLeft;
  if (kind == ErrorKind::PinIncorrect || kind == ErrorKind::PinLocked) {
    // libp11's flags are a snapshot from enumeration: ask the token what the failure did to the counter.
    try {
      const auto& fresh = refresh();
      const PinCounter counter = user == UserType::User ? userPinCounter(fresh) : soPinCounter(fresh);
      if (counter.locked) kind = ErrorKind::PinLocked;
      triesLeft = kind == ErrorKind::PinLocked ? 0 : triesLeftAfterWrongPin(counter, maxTries);
    } catch (const CardError&) {
      // The token went away right after the failure: report the failure, without a count.
      if (kind == ErrorKind::PinLocked) triesLeft = 0;
    }
  }
  std::string detail;
  switch (kind) {
    case ErrorKind::PinIncorrect:
      detail = pinName + " is incorrect" + triesText(triesLeft);
      break;
    case ErrorKind::PinLocked:
      detail = pinName + " of token " + quoted(token.label) + " is locked";
      break;
    case ErrorKind::PinPolicy:
      detail = "The token refused " + pinName + ": it breaks the card's PIN rules";
      break;
    default:
      detail = "The token could not check " + pinName;
      break;
  }
  CardError error(kind, detail, function, static_cast<long>(rv), detail::pkcs11ErrorName(rv), where);
  error.setTriesLeft(triesLeft);
  throw error;
}

TokenSession::TokenSession(std::shared_ptr<Pkcs11Module> module, const TokenInfo& token, SessionMode mode,
                           TokenCheck check)
    : impl_(std::make_unique<Impl>()) {
  if (!module) throw CardError(ErrorKind::InvalidArgument, "No PKCS#11 module given for the token session");
  auto& moduleImpl = module->impl();
  if (moduleImpl.sessionSlots.count(token.slotId) != 0) {
    throw CardError(ErrorKind::InvalidArgument,
                    "A session on token " + quoted(token.label) + " is already open in this process");
  }
  const ck::FunctionList& f = moduleImpl.functions();
  if (!moduleImpl.hasSlot(token.slotId)) {
    // A TokenInfo from before the module's slots were last listed: list them (no session is open).
    moduleImpl.enumerate();
    if (!moduleImpl.hasSlot(token.slotId))
      throw CardError(ErrorKind::CardRemoved, "Token " + quoted(token.label) + " is no longer in its slot");
  }
  // The slot id alone could now name another card: the token facts say it is still the same one (the serial
  // alone says nothing on tokens whose serial is blank or all zeros).
  TokenInfo fresh = check == TokenCheck::JustRead ? token : readTokenInfo(f, token.slotId, token.slotDescription);
  if (!sameTokenFacts(fresh, token)) {
    throw CardError(ErrorKind::CardRemoved, "Token " + quoted(token.label) + " (serial " + token.serial +
                                                ") is no longer in its slot: it was removed or replaced");
  }
  const ck::Flags flags = ck::kCkfSerialSession | (mode == SessionMode::ReadWrite ? ck::kCkfRwSession : ck::Flags{0});
  ck::SessionHandle handle = 0;
  CERTBRIDGE_CK_CALL(f, C_OpenSession, (token.slotId, flags, nullptr, nullptr, &handle));

  impl_->module = std::move(module);
  impl_->functions = &f;
  impl_->slotId = token.slotId;
  impl_->handle = handle;
  impl_->mode = mode;
  impl_->token = std::move(fresh);
  moduleImpl.sessionSlots.insert(token.slotId);
}

TokenSession::~TokenSession() {
  if (!impl_) return;
  const ck::FunctionList& f = impl_->f();
  impl_->open.reset();  // keys from this session stop signing now
  // Every step may fail (card pulled, module gone wrong); each is still attempted, and nothing throws.
  if (impl_->loggedIn) f.C_Logout(impl_->handle);
  f.C_CloseSession(impl_->handle);
  impl_->moduleImpl().sessionSlots.erase(impl_->slotId);
}

TokenSession::TokenSession(TokenSession&& other) noexcept = default;

TokenSession& TokenSession::operator=(TokenSession&& other) noexcept {
  if (this != &other) {
    TokenSession closing(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

const TokenInfo& TokenSession::token() const noexcept {
  return impl_->token;
}

const TokenInfo& TokenSession::refreshToken() {
  return impl_->refresh();
}

SessionMode TokenSession::mode() const noexcept {
  return impl_->mode;
}

std::optional<UserType> TokenSession::loggedIn() const noexcept {
  return impl_->loggedIn;
}

const std::shared_ptr<Pkcs11Module>& TokenSession::module() const noexcept {
  return impl_->module;
}

TokenSession::Impl& TokenSession::impl() {
  if (!impl_) throw CardError(ErrorKind::InvalidArgument, "The token session was moved away");
  return *impl_;
}

void TokenSession::loginUser(const SecretString& pin, const PinRules& rules) {
  auto& s = impl();
  if (s.loggedIn) throw CardError(ErrorKind::InvalidArgument, "Already logged in to token " + quoted(s.token.label));
  checkPinPolicy(pin, rules);
  s.refuseLockedPin(UserType::User, rules.name);
  const ck::Rv rv = s.f().C_Login(s.handle, ck::kCkuUser, reinterpret_cast<const ck::Byte*>(pin.data()),
                                  static_cast<ck::Ulong>(pin.size()));
  if (rv != ck::kCkrOk && rv != ck::kCkrUserAlreadyLoggedIn)
    s.throwPinError("C_Login", rv, UserType::User, rules.name, rules.maxTries, std::source_location::current());
  s.loggedIn = UserType::User;
}

void TokenSession::loginUserOnPinPad(const PinRules& rules) {
  auto& s = impl();
  if (s.loggedIn) throw CardError(ErrorKind::InvalidArgument, "Already logged in to token " + quoted(s.token.label));
  if (!s.token.protectedAuthPath) {
    throw CardError(ErrorKind::InvalidArgument,
                    "Token " + quoted(s.token.label) + " has no pin pad (protected authentication path)");
  }
  s.refuseLockedPin(UserType::User, rules.name);
  const ck::Rv rv = s.f().C_Login(s.handle, ck::kCkuUser, nullptr, 0);
  if (rv != ck::kCkrOk && rv != ck::kCkrUserAlreadyLoggedIn)
    s.throwPinError("C_Login", rv, UserType::User, rules.name, rules.maxTries, std::source_location::current());
  s.loggedIn = UserType::User;
}

void TokenSession::loginSecurityOfficer(const SecretString& soPin) {
  auto& s = impl();
  const std::string name = "SO PIN";
  if (s.loggedIn) throw CardError(ErrorKind::InvalidArgument, "Already logged in to token " + quoted(s.token.label));
  s.requireReadWrite("log in as security officer");
  if (soPin.empty()) throw CardError(ErrorKind::PinPolicy, name + " is empty");
  s.refuseLockedPin(UserType::SecurityOfficer, name);
  const ck::Rv rv = s.f().C_Login(s.handle, ck::kCkuSo, reinterpret_cast<const ck::Byte*>(soPin.data()),
                                  static_cast<ck::Ulong>(soPin.size()));
  if (rv != ck::kCkrOk && rv != ck::kCkrUserAlreadyLoggedIn)
    s.throwPinError("C_Login", rv, UserType::SecurityOfficer, name, 0, std::source_location::current());
  s.loggedIn = UserType::SecurityOfficer;
}

void TokenSession::logout() {
  auto& s = impl();
  if (!s.loggedIn) return;
  s.loggedIn.reset();  // Whatever the module says, this session no longer counts on the login.
  CERTBRIDGE_CK_CALL(s.f(), C_Logout, (s.handle), ck::kCkrUserNotLoggedIn);
}

}  // namespace certbridge::card
