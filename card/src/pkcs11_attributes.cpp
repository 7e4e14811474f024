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
    // Only an empty answer ends the search (PKCS#11): some modules hand out fewer handles than asked for while
    // more remain, and stopping at a short batch would miss keys or certificates on their cards.
  }
  return found;
}

ObjectAttributes::ObjectAttributes(std::vector<ck::AttributeType> types, std::vector<Value> values)
    : types_(std::move(types)), values_(std::move(values)) {}

const ObjectAttributes::Value& ObjectAttributes::bytes(ck::AttributeType type) const {
  static const Value absent;
  const auto found = std::find(types_.begin(), types_.end(), type);
  return found == types_.end() ? absent : values_[static_cast<std::size_t>(found - types_.begin())];
}

std::string ObjectAttributes::text(ck::AttributeType type) const {
  const auto& value = bytes(type);
  return value ? std::string(value->begin(), value->end()) : std::string();
}

std::optional<bool> ObjectAttributes::boolean(ck::AttributeType type) const {
  const auto& value = bytes(type);
  if (!value || value->size() != sizeof(ck::Bool)) return std::nullopt;
  return value->front() != ck::kFalse;
}

namespace {

// Room given to each attribute on the first try: more than any key component, id, label or certificate a
// card holds, so one call usually reads them all. Software tokens decrypt private objects' attributes on
// every call, so the call saved counts.
constexpr std::size_t kFirstTryBytes = 4096;

std::optional<ObjectAttributes> readAttributesInOneCall(const ck::FunctionList& f, ck::SessionHandle session,
                                                        ck::ObjectHandle object,
                                                        const std::vector<ck::AttributeType>& types) {
  std::vector<std::uint8_t> buffer(types.size() * kFirstTryBytes);
  std::vector<ck::Attribute> attempt;
  attempt.reserve(types.size());
  for (std::size_t i = 0; i < types.size(); ++i)
    attempt.push_back(ck::attribute(types[i], buffer.data() + i * kFirstTryBytes, kFirstTryBytes));
  // Anything but OK leaves unreadable entries whose reason (missing, sensitive or too long) is ambiguous
  // when several apply (PKCS#11 v2.40, 5.7): the caller then asks for the lengths first.
  if (CERTBRIDGE_CK_CALL(
          f, C_GetAttributeValue, (session, object, attempt.data(), static_cast<ck::Ulong>(attempt.size())),
          ck::kCkrAttributeSensitive, ck::kCkrAttributeTypeInvalid, ck::kCkrBufferTooSmall) != ck::kCkrOk)
    return std::nullopt;
  std::vector<ObjectAttributes::Value> values;
  values.reserve(types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    const auto* start = buffer.data() + i * kFirstTryBytes;
    values.emplace_back(
        std::vector<std::uint8_t>(start, start + std::min<std::size_t>(attempt[i].valueLength, kFirstTryBytes)));
  }
  return ObjectAttributes(types, std::move(values));
}

}  // namespace

ObjectAttributes readAttributes(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                                std::vector<ck::AttributeType> types) {
  if (auto read = readAttributesInOneCall(f, session, object, types)) return std::move(*read);
  // First call: the lengths. A missing or sensitive attribute makes the call answer TYPE_INVALID or SENSITIVE
  // and marks just that entry unavailable; the others still get their lengths (PKCS#11 v2.40, 5.7).
  std::vector<ck::Attribute> query;
  query.reserve(types.size());
  for (const auto type : types) query.push_back({type, nullptr, 0});
  CERTBRIDGE_CK_CALL(f, C_GetAttributeValue, (session, object, query.data(), static_cast<ck::Ulong>(query.size())),
                     ck::kCkrAttributeSensitive, ck::kCkrAttributeTypeInvalid);
  std::vector<ObjectAttributes::Value> values(types.size());
  std::vector<ck::Attribute> wanted;
  std::vector<std::size_t> wantedIndex;
  for (std::size_t i = 0; i < query.size(); ++i) {
    if (query[i].valueLength == ck::kUnavailableInformation) continue;
    values[i].emplace(query[i].valueLength);
    if (values[i]->empty()) continue;  // An empty value (a blank label) needs no second read.
    wanted.push_back({types[i], values[i]->data(), query[i].valueLength});
    wantedIndex.push_back(i);
  }
  // Second call: the values, for the attributes that have one.
  if (!wanted.empty()) {
    CERTBRIDGE_CK_CALL(f, C_GetAttributeValue, (session, object, wanted.data(), static_cast<ck::Ulong>(wanted.size())));
  }
  for (std::size_t j = 0; j < wanted.size(); ++j) {
    auto& value = values[wantedIndex[j]];
    value->resize(std::min<std::size_t>(value->size(), wanted[j].valueLength));
  }
  return ObjectAttributes(std::move(types), std::move(values));
}

std::optional<std::vector<std::uint8_t>> readBytes(const ck::FunctionList& f, ck::SessionHandle session,
                                                   ck::ObjectHandle object, ck::AttributeType type) {
  return readAttributes(f, session, object, {type}).bytes(type);
}

std::optional<bool> readBool(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                             ck::AttributeType type) {
  return readAttributes(f, session, object, {type}).boolean(type);
}

std::string readText(const ck::FunctionList& f, ck::SessionHandle session, ck::ObjectHandle object,
                     ck::AttributeType type) {
  return readAttributes(f, session, object, {type}).text(type);
}

}  // namespace certbridge::card::detail
