// TEST DOUBLE - never installed, never shipped. Objects of the mock token: templates, certificate creation,
// deletion, search and attribute reads with PKCS#11's length protocol and sensitive private key parts.

#include <algorithm>
#include <array>
#include <set>

#include "mock_module.hpp"
#include "mock_rsa.hpp"

namespace certbridge::mock_pkcs11 {

namespace {

const std::set<ck::Ulong> kBooleanTypes{
    ck::kToken,           ck::kPrivate,      ck::kTrusted,     ck::kModifiable,
    ck::kSensitive,       ck::kEncrypt,      ck::kDecrypt,     ck::kWrap,
    ck::kUnwrap,          ck::kSign,         ck::kSignRecover, ck::kVerify,
    ck::kDerive,          ck::kExtractable,  ck::kLocal,       ck::kNeverExtractable,
    ck::kAlwaysSensitive, ck::kVerifyRecover};
const std::set<ck::Ulong> kUlongTypes{ck::kClass,   ck::kCertificateType, ck::kCertificateCategory,
                                      ck::kKeyType, ck::kModulusBits,     ck::kKeyGenMechanism};

constexpr std::array<ck::Ulong, 13> kCertificateTypes{ck::kClass,
                                                      ck::kCertificateType,
                                                      ck::kToken,
                                                      ck::kPrivate,
                                                      ck::kLabel,
                                                      ck::kId,
                                                      ck::kSubject,
                                                      ck::kIssuer,
                                                      ck::kSerialNumber,
                                                      ck::kValue,
                                                      ck::kTrusted,
                                                      ck::kModifiable,
                                                      ck::kCertificateCategory};

// The private key parts, derived from the key blob when read and never stored as attributes.
constexpr std::array<ck::Ulong, 6> kSecretParts{ck::kPrivateExponent, ck::kPrime1,    ck::kPrime2,
                                                ck::kExponent1,       ck::kExponent2, ck::kCoefficient};

bool isSecretPart(ck::Ulong type) {
  return std::find(kSecretParts.begin(), kSecretParts.end(), type) != kSecretParts.end();
}

bool flagOf(const mock_card::StoredObject& object, ck::Ulong type, bool absent) {
  const auto found = object.attributes.find(type);
  return found == object.attributes.end() ? absent : boolValue(found->second).value_or(absent);
}

// A secret part of a private key, or nullopt (and why) when the key does not let it out.
std::optional<mock_card::Bytes> secretPart(const mock_card::StoredObject& object, ck::Ulong type, ck::Rv& why) {
  if (flagOf(object, ck::kSensitive, true) || !flagOf(object, ck::kExtractable, false)) {
    why = ck::kAttributeSensitive;
    return std::nullopt;
  }
  const auto parts = rsaParts(object.privateKeyBlob);
  if (!parts) {
    why = ck::kAttributeTypeInvalid;
    return std::nullopt;
  }
  switch (type) {
    case ck::kPrivateExponent:
      return parts->privateExponent;
    case ck::kPrime1:
      return parts->prime1;
    case ck::kPrime2:
      return parts->prime2;
    case ck::kExponent1:
      return parts->exponent1;
    case ck::kExponent2:
      return parts->exponent2;
    default:
      return parts->coefficient;
  }
}

bool matches(const mock_card::StoredObject& object, const std::map<ck::Ulong, mock_card::Bytes>& pattern) {
  return std::all_of(pattern.begin(), pattern.end(), [&](const auto& wanted) {
    const auto found = object.attributes.find(wanted.first);
    return found != object.attributes.end() && found->second == wanted.second;
  });
}

}  // namespace

ck::Rv readTemplate(const ck::Attribute* attributes, ck::Ulong count, std::span<const ck::Ulong> allowed,
                    std::map<ck::Ulong, mock_card::Bytes>& values) {
  if (count > 0 && attributes == nullptr) return ck::kArgumentsBad;
  for (ck::Ulong i = 0; i < count; ++i) {
    const auto& attribute = attributes[i];
    if (std::find(allowed.begin(), allowed.end(), attribute.type) == allowed.end()) return ck::kAttributeTypeInvalid;
    if (attribute.value == nullptr && attribute.valueLength > 0) return ck::kArgumentsBad;
    auto value = valueOf(attribute);
    if ((kBooleanTypes.count(attribute.type) != 0 && !boolValue(value)) ||
        (kUlongTypes.count(attribute.type) != 0 && !ulongValue(value)))
      return ck::kAttributeValueInvalid;
    if (!values.emplace(attribute.type, std::move(value)).second) return ck::kTemplateInconsistent;
  }
  return ck::kOk;
}

ck::Rv requireWriter(Call& call, const Session& session) {
  if (!session.readWrite) return ck::kSessionReadOnly;
  // Like most cards, this one writes only for its holder.
  return call.loggedIn() == ck::kUser ? ck::kOk : ck::kUserNotLoggedIn;
}

ck::Rv createObject(ck::SessionHandle session, ck::Attribute* attributes, ck::Ulong count, ck::ObjectHandle* object) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (object == nullptr) return ck::kArgumentsBad;
  if (const auto rv = requireWriter(call, *open); rv != ck::kOk) return rv;
  std::map<ck::Ulong, mock_card::Bytes> values;
  // Certificates are what the host stores; any other class is refused by the type check below.
  if (const auto rv = readTemplate(attributes, count, kCertificateTypes, values); rv != ck::kOk) return rv;
  if (values.count(ck::kClass) == 0 || values.count(ck::kCertificateType) == 0 || values.count(ck::kValue) == 0)
    return ck::kTemplateIncomplete;
  if (ulongValue(values[ck::kClass]) != ck::kCertificate || ulongValue(values[ck::kCertificateType]) != ck::kX509 ||
      values[ck::kValue].empty())
    return ck::kAttributeValueInvalid;
  // The card keeps token objects only: a session object would vanish with the process.
  if (values.count(ck::kToken) != 0 && !*boolValue(values[ck::kToken])) return ck::kTemplateInconsistent;
  values.try_emplace(ck::kToken, boolBytes(true));
  values.try_emplace(ck::kPrivate, boolBytes(false));
  values.try_emplace(ck::kModifiable, boolBytes(true));
  values.try_emplace(ck::kTrusted, boolBytes(false));
  values.try_emplace(ck::kCertificateCategory, ulongBytes(0));
  for (const auto type : {ck::kLabel, ck::kId, ck::kSubject, ck::kIssuer, ck::kSerialNumber})
    values.try_emplace(type, mock_card::Bytes{});
  auto& card = call.card();
  mock_card::StoredObject stored;
  stored.handle = card.nextHandle++;
  stored.attributes = std::move(values);
  card.objects.push_back(std::move(stored));
  if (const auto rv = call.save(); rv != ck::kOk) return rv;
  *object = card.objects.back().handle;
  return ck::kOk;
}

ck::Rv destroyObject(ck::SessionHandle session, ck::ObjectHandle object) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (const auto rv = requireWriter(call, *open); rv != ck::kOk) return rv;
  if (call.findObject(object) == nullptr) return ck::kObjectHandleInvalid;
  std::erase_if(call.card().objects, [&](const auto& stored) { return stored.handle == object; });
  return call.save();
}

ck::Rv getAttributeValue(ck::SessionHandle session, ck::ObjectHandle object, ck::Attribute* attributes,
                         ck::Ulong count) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (count > 0 && attributes == nullptr) return ck::kArgumentsBad;
  const auto* stored = call.findObject(object);
  if (stored == nullptr) return ck::kObjectHandleInvalid;
  const bool privateKey = ulongValue(stored->attributes.at(ck::kClass)) == ck::kPrivateKey;
  // Every entry is answered; the result is the first problem met (PKCS#11 v2.40, 5.7).
  ck::Rv result = ck::kOk;
  const auto fail = [&](ck::Attribute& attribute, ck::Rv why) {
    attribute.valueLength = ck::kUnavailable;
    if (result == ck::kOk) result = why;
  };
  for (ck::Ulong i = 0; i < count; ++i) {
    auto& attribute = attributes[i];
    std::optional<mock_card::Bytes> value;
    ck::Rv why = ck::kAttributeTypeInvalid;
    if (privateKey && isSecretPart(attribute.type)) {
      value = secretPart(*stored, attribute.type, why);
    } else if (const auto found = stored->attributes.find(attribute.type); found != stored->attributes.end()) {
      value = found->second;
    }
    if (!value) {
      fail(attribute, why);
    } else if (attribute.value == nullptr) {
      attribute.valueLength = static_cast<ck::Ulong>(value->size());
    } else if (attribute.valueLength < value->size()) {
      fail(attribute, ck::kBufferTooSmall);
    } else {
      std::copy(value->begin(), value->end(), static_cast<std::uint8_t*>(attribute.value));
      attribute.valueLength = static_cast<ck::Ulong>(value->size());
    }
  }
  return result;
}

ck::Rv findObjectsInit(ck::SessionHandle session, ck::Attribute* attributes, ck::Ulong count) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (open->finding) return ck::kOperationActive;
  if (count > 0 && attributes == nullptr) return ck::kArgumentsBad;
  std::map<ck::Ulong, mock_card::Bytes> pattern;
  for (ck::Ulong i = 0; i < count; ++i) pattern[attributes[i].type] = valueOf(attributes[i]);
  open->found.clear();
  for (const auto& stored : call.card().objects)
    if (call.visible(stored) && matches(stored, pattern)) open->found.push_back(stored.handle);
  open->nextFound = 0;
  open->finding = true;
  return ck::kOk;
}

ck::Rv findObjects(ck::SessionHandle session, ck::ObjectHandle* objects, ck::Ulong maxCount, ck::Ulong* count) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (!open->finding) return ck::kOperationNotInitialized;
  if (objects == nullptr || count == nullptr) return ck::kArgumentsBad;
  const auto left = open->found.size() - open->nextFound;
  const auto given = std::min<std::size_t>(left, maxCount);
  std::copy_n(open->found.begin() + static_cast<long>(open->nextFound), given, objects);
  open->nextFound += given;
  *count = static_cast<ck::Ulong>(given);
  return ck::kOk;
}

ck::Rv findObjectsFinal(ck::SessionHandle session) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (!open->finding) return ck::kOperationNotInitialized;
  open->finding = false;
  open->found.clear();
  return ck::kOk;
}

}  // namespace certbridge::mock_pkcs11
