// Object search and attribute reads over a module's function list, and CK_TOKEN_INFO conversion.

#include <algorithm>
#include <array>

#include "token_session_impl.hpp"

namespace certbridge::card::detail {

namespace {

// PKCS#11 pads token strings with blanks and does not terminate them.
std::string paddedText(const ck::Byte* bytes, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(bytes), size);
  const auto end = text.find_last_not_of(std::string(" \0", 2));
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

// Ends an object search on every path, so the session can search again.
class FindGuard {
 public:
  FindGuard(const ck::FunctionList& f, ck::SessionHandle session) : f_(f), session_(session) {}
  ~FindGuard() { f_.C_FindObjectsFinal(session_); }
  FindGuard(const FindGuard&) = delete;
  FindGuard& operator=(const FindGuard&) = delete;

 private:
  const ck::FunctionList& f_;
  ck::SessionHandle session_;
};

}  // namespace

TokenInfo toTokenInfo(const ck::TokenInfo& info, unsigned long slotId, const std::string& slotDescription) {
  const auto has = [&](ck::Flags flag) { return (info.flags & flag) != 0; };
  TokenInfo token;
  token.slotId = slotId;
  token.slotDescription = slotDescription;
  token.label = paddedText(info.label, sizeof info.label);
  token.manufacturer = paddedText(info.manufacturerId, sizeof info.manufacturerId);
  token.model = paddedText(info.model, sizeof info.model);
  token.serial = paddedText(info.serialNumber, sizeof info.serialNumber);
  token.initialized = has(ck::kCkfTokenInitialized);
  token.loginRequired = has(ck::kCkfLoginRequired);
  token.protectedAuthPath = has(ck::kCkfProtectedAuthenticationPath);
  token.readOnly = has(ck::kCkfWriteProtected);
  token.userPinInitialized = has(ck::kCkfUserPinInitialized);
  token.userPinCountLow = has(ck::kCkfUserPinCountLow);
  token.userPinFinalTry = has(ck::kCkfUserPinFinalTry);
  token.userPinLocked = has(ck::kCkfUserPinLocked);
  token.userPinToBeChanged = has(ck::kCkfUserPinToBeChanged);
  token.soPinCountLow = has(ck::kCkfSoPinCountLow);
  token.soPinFinalTry = has(ck::kCkfSoPinFinalTry);
  token.soPinLocked = has(ck::kCkfSoPinLocked);
  return token;
}

std::vector<ck::ObjectHandle> findObjects(const ck::FunctionList& f, ck::SessionHandle session,
                                          std::vector<ck::Attribute> pattern) {
  CERTBRIDGE_CK_CALL(f, C_FindObjectsInit, (session, pattern.data(), static_cast<ck::Ulong>(pattern.size())));
  const FindGuard guard(f, session);
  std::vector<ck::ObjectHandle> found;
  for (;;) {
    std::array<ck::ObjectHandle, 32> batch{};
    ck::Ulong count = 0;
    CERTBRIDGE_CK_CALL(f, C_FindObjects, (session, batch.data(), static_cast<ck::Ulong>(batch.size()), &count));
    if (count == 0) break;
    found.insert(found.end(), batch.begin(),
                 batch.begin() + static_cast<long>(std::min<std::size_t>(count, batch.size())));
  }
  return found;
}

std::optional<std::vector<std::uint8_t>> readBytes(const ck::FunctionList& f, ck::SessionHandle session,
                                                   ck::ObjectHandle object, ck::AttributeType type) {
  ck::Attribute query{type, nullptr, 0};
  const auto size = CERTBRIDGE_CK_CALL(f, C_GetAttributeValue, (session, object, &query, 1), ck::kCkrAttributeSensitive,
                                       ck::kCkrAttributeTypeInvalid);
  if (size != ck::kCkrOk || query.valueLength == ck::kUnavailableInformation) return std::nullopt;
  std::vector<std::uint8_t> value(query.valueLength);
  query.value = value.data();
  CERTBRIDGE_CK_CALL(f, C_GetAttributeValue, (session, object, &query, 1));
  value.resize(std::min<std::size_t>(value.size(), query.valueLength));
  return value;
}

std::optional<bool> readBool(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                             ck::AttributeType type) {
  const auto value = readBytes(f, session, object, type);
  if (!value || value->size() != sizeof(ck::Bool)) return std::nullopt;
  return value->front() != ck::kFalse;
}

std::string readText(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                     ck::AttributeType type) {
  const auto value = readBytes(f, session, object, type);
  return value ? std::string(value->begin(), value->end()) : std::string();
}

}  // namespace certbridge::card::detail
