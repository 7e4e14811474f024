#pragma once
// TokenSession's state and the helpers the key, certificate and PIN code share. Private to the card library.

#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include "certbridge/card/token_session.hpp"
#include "pkcs11_module_impl.hpp"
#include "pkcs11_raw.hpp"

namespace certbridge::card {

struct TokenSession::Impl {
  std::shared_ptr<Pkcs11Module> module;
  const detail::ck::FunctionList* functions = nullptr;
  detail::ck::SlotId slotId = 0;
  detail::ck::SessionHandle handle = 0;
  SessionMode mode = SessionMode::ReadOnly;
  std::optional<UserType> loggedIn;
  TokenInfo token;
  /// Lives exactly as long as the session: keys handed to OpenSSL (tokenRsaKey) hold a weak reference and
  /// refuse to sign once it is gone, since the handles could then name another session's objects.
  std::shared_ptr<bool> open = std::make_shared<bool>(true);

  const detail::ck::FunctionList& f() const noexcept { return *functions; }
  Pkcs11Module::Impl& moduleImpl() const noexcept { return module->impl(); }

  /// Throws InvalidArgument naming what needs a read-write session.
  void requireReadWrite(const char* what) const;
  /// Throws InvalidArgument naming what needs the card holder logged in.
  void requireUser(const char* what) const;
  /// Reads the token's flags again (C_GetTokenInfo) into token.
  const TokenInfo& refresh();
  /// Throws the error for a failed PIN call (C_Login, C_SetPIN): reads the token's fresh flags, turns a wrong
  /// PIN that locked the token into PinLocked, and sets triesLeft. pinName and maxTries come from the profile.
  [[noreturn]] void throwPinError(const char* function, detail::ck::Rv rv, UserType user, const std::string& pinName,
                                  int maxTries, std::source_location where);
  /// Throws PinLocked (no try is used) when the token's flags (as last read) say the PIN is locked.
  void refuseLockedPin(UserType user, const std::string& pinName);
};

namespace detail {

/// A TokenInfo from the module's CK_TOKEN_INFO (labels without their blank padding), keeping slot data.
TokenInfo toTokenInfo(const ck::TokenInfo& info, unsigned long slotId, const std::string& slotDescription);

/// Objects matching a template, all of them.
std::vector<ck::ObjectHandle> findObjects(const ck::FunctionList& f, ck::SessionHandle session,
                                          std::vector<ck::Attribute> pattern);
/// Several attributes of one object. Read together because software tokens (SoftHSM2) re-read the object
/// from disk, and decrypt a private one, on every C_GetAttributeValue: one call for all of them (two when
/// one is missing, hidden or unusually long) instead of two per attribute.
class ObjectAttributes {
 public:
  using Value = std::optional<std::vector<std::uint8_t>>;
  ObjectAttributes(std::vector<ck::AttributeType> types, std::vector<Value> values);
  /// nullopt when the object does not have the attribute or hides it (sensitive), or it was not read.
  const Value& bytes(ck::AttributeType type) const;
  /// Empty when absent.
  std::string text(ck::AttributeType type) const;
  std::optional<bool> boolean(ck::AttributeType type) const;

 private:
  std::vector<ck::AttributeType> types_;
  std::vector<Value> values_;
};

ObjectAttributes readAttributes(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                                std::vector<ck::AttributeType> types);
/// An attribute's bytes; nullopt when the object does not have it or hides it (sensitive).
std::optional<std::vector<std::uint8_t>> readBytes(const ck::FunctionList& f, ck::SessionHandle session,
                                                   ck::ObjectHandle object, ck::AttributeType type);
std::optional<bool> readBool(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                             ck::AttributeType type);
std::string readText(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                     ck::AttributeType type);

}  // namespace detail
}  // namespace certbridge::card
