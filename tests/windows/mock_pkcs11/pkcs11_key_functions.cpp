// TEST DOUBLE - never installed, never shipped. RSA key pairs on the mock token: generation that honours the
// caller's template, and CKM_RSA_PKCS signing. The private key is kept in the state file (mock_rsa.hpp).

#include <algorithm>
#include <array>

#include "mock_module.hpp"
#include "mock_rsa.hpp"

namespace certbridge::mock_pkcs11 {

namespace {

constexpr std::array<ck::Ulong, 14> kPublicKeyTypes{
    ck::kClass,  ck::kKeyType, ck::kToken, ck::kPrivate,       ck::kLabel,       ck::kId,         ck::kSubject,
    ck::kVerify, ck::kEncrypt, ck::kWrap,  ck::kVerifyRecover, ck::kModulusBits, ck::kModifiable, ck::kPublicExponent};
constexpr std::array<ck::Ulong, 15> kPrivateKeyTypes{ck::kClass,       ck::kKeyType, ck::kToken,       ck::kPrivate,
                                                     ck::kLabel,       ck::kId,      ck::kSubject,     ck::kSign,
                                                     ck::kDecrypt,     ck::kUnwrap,  ck::kSignRecover, ck::kSensitive,
                                                     ck::kExtractable, ck::kDerive,  ck::kModifiable};
// BCrypt makes RSA keys in steps of 64 bits.
constexpr ck::Ulong kKeyBitsStep = 64;
// PKCS#1 v1.5 padding takes at least 11 bytes of the block.
constexpr std::size_t kPkcs1Overhead = 11;

// The caller's attributes, then the token's defaults for what the caller left out, then what the token
// decides whatever the caller said.
void completeKey(std::map<ck::Ulong, mock_card::Bytes>& values, ck::Ulong objectClass, const RsaParts& parts) {
  const bool isPrivate = objectClass == ck::kPrivateKey;
  values.try_emplace(ck::kPrivate, boolBytes(isPrivate));
  values.try_emplace(ck::kLabel, mock_card::Bytes{});
  values.try_emplace(ck::kId, mock_card::Bytes{});
  values.try_emplace(ck::kSubject, mock_card::Bytes{});
  values.try_emplace(ck::kModifiable, boolBytes(true));
  values.try_emplace(ck::kDerive, boolBytes(false));
  if (isPrivate) {
    values.try_emplace(ck::kSensitive, boolBytes(true));
    values.try_emplace(ck::kExtractable, boolBytes(false));
    for (const auto use : {ck::kSign, ck::kDecrypt, ck::kUnwrap}) values.try_emplace(use, boolBytes(true));
    values.try_emplace(ck::kSignRecover, boolBytes(false));
    values[ck::kAlwaysAuthenticate] = boolBytes(false);  // one login covers every signature
    values[ck::kAlwaysSensitive] = values[ck::kSensitive];
    values[ck::kNeverExtractable] = boolBytes(!*boolValue(values[ck::kExtractable]));
  } else {
    for (const auto use : {ck::kVerify, ck::kEncrypt, ck::kWrap}) values.try_emplace(use, boolBytes(true));
    values.try_emplace(ck::kVerifyRecover, boolBytes(false));
  }
  values[ck::kClass] = ulongBytes(objectClass);
  values[ck::kKeyType] = ulongBytes(ck::kRsa);
  values[ck::kToken] = boolBytes(true);
  values[ck::kLocal] = boolBytes(true);
  values[ck::kKeyGenMechanism] = ulongBytes(ck::kRsaPkcsKeyPairGen);
  values[ck::kModulus] = parts.modulus;
  values[ck::kPublicExponent] = parts.publicExponent;
  values[ck::kModulusBits] = ulongBytes(static_cast<ck::Ulong>(parts.modulus.size() * 8));
}

// A template's CKA_CLASS, CKA_KEY_TYPE and CKA_TOKEN, when given, must say what is being made.
bool consistent(std::map<ck::Ulong, mock_card::Bytes>& values, ck::Ulong objectClass) {
  const auto says = [&](ck::Ulong type, auto expected, auto read) {
    const auto found = values.find(type);
    return found == values.end() || read(found->second) == expected;
  };
  return says(ck::kClass, std::optional<ck::Ulong>(objectClass), ulongValue) &&
         says(ck::kKeyType, std::optional<ck::Ulong>(ck::kRsa), ulongValue) &&
         says(ck::kToken, std::optional<bool>(true), boolValue);
}

// CKA_PUBLIC_EXPONENT, if the caller names one, must be 65537: the one BCrypt makes.
bool exponentSupported(const std::map<ck::Ulong, mock_card::Bytes>& values) {
  const auto found = values.find(ck::kPublicExponent);
  if (found == values.end()) return true;
  const auto& bytes = found->second;
  const auto first = std::find_if(bytes.begin(), bytes.end(), [](auto byte) { return byte != 0; });
  return mock_card::Bytes(first, bytes.end()) == mock_card::Bytes{0x01, 0x00, 0x01};
}

// The private key a session may sign with, or nullptr.
mock_card::StoredObject* signingKey(Call& call, ck::ObjectHandle handle) {
  auto* key = call.findObject(handle);
  if (key == nullptr || key->privateKeyBlob.empty()) return nullptr;
  return ulongValue(key->attributes.at(ck::kClass)) == ck::kPrivateKey ? key : nullptr;
}

}  // namespace

ck::Rv generateKeyPair(ck::SessionHandle session, ck::Mechanism* mechanism, ck::Attribute* publicTemplate,
                       ck::Ulong publicCount, ck::Attribute* privateTemplate, ck::Ulong privateCount,
                       ck::ObjectHandle* publicKey, ck::ObjectHandle* privateKey) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (mechanism == nullptr || publicKey == nullptr || privateKey == nullptr) return ck::kArgumentsBad;
  if (mechanism->mechanism != ck::kRsaPkcsKeyPairGen) return ck::kMechanismInvalid;
  if (mechanism->parameter != nullptr || mechanism->parameterLength != 0) return ck::kMechanismParamInvalid;
  if (const auto rv = requireWriter(call, *open); rv != ck::kOk) return rv;
  std::map<ck::Ulong, mock_card::Bytes> publicValues;
  std::map<ck::Ulong, mock_card::Bytes> privateValues;
  if (const auto rv = readTemplate(publicTemplate, publicCount, kPublicKeyTypes, publicValues); rv != ck::kOk)
    return rv;
  if (const auto rv = readTemplate(privateTemplate, privateCount, kPrivateKeyTypes, privateValues); rv != ck::kOk)
    return rv;
  if (!consistent(publicValues, ck::kPublicKey) || !consistent(privateValues, ck::kPrivateKey))
    return ck::kTemplateInconsistent;
  if (publicValues.count(ck::kModulusBits) == 0) return ck::kTemplateIncomplete;
  const ck::Ulong bits = *ulongValue(publicValues[ck::kModulusBits]);
  if (bits < kMinKeyBits || bits > kMaxKeyBits || bits % kKeyBitsStep != 0) return ck::kKeySizeRange;
  if (!exponentSupported(publicValues)) return ck::kAttributeValueInvalid;

  const auto blob = generateRsaKey(bits);
  const auto parts = blob ? rsaParts(*blob) : std::nullopt;
  if (!parts) return ck::kFunctionFailed;
  completeKey(publicValues, ck::kPublicKey, *parts);
  completeKey(privateValues, ck::kPrivateKey, *parts);

  auto& card = call.card();
  mock_card::StoredObject publicObject;
  publicObject.handle = card.nextHandle++;
  publicObject.attributes = std::move(publicValues);
  mock_card::StoredObject privateObject;
  privateObject.handle = card.nextHandle++;
  privateObject.attributes = std::move(privateValues);
  privateObject.privateKeyBlob = *blob;
  const auto publicHandle = publicObject.handle;
  const auto privateHandle = privateObject.handle;
  card.objects.push_back(std::move(publicObject));
  card.objects.push_back(std::move(privateObject));
  if (const auto rv = call.save(); rv != ck::kOk) return rv;
  *publicKey = publicHandle;
  *privateKey = privateHandle;
  return ck::kOk;
}

ck::Rv signInit(ck::SessionHandle session, ck::Mechanism* mechanism, ck::ObjectHandle key) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (open->signing) return ck::kOperationActive;
  if (mechanism == nullptr) return ck::kArgumentsBad;
  // CKM_RSA_X509 (raw RSA) is not offered: wine's BCrypt has no raw private-key operation.
  if (mechanism->mechanism != ck::kRsaPkcs) return ck::kMechanismInvalid;
  if (mechanism->parameter != nullptr || mechanism->parameterLength != 0) return ck::kMechanismParamInvalid;
  if (call.loggedIn() != ck::kUser) return ck::kUserNotLoggedIn;
  const auto* stored = signingKey(call, key);
  if (stored == nullptr) return ck::kKeyHandleInvalid;
  const auto canSign = stored->attributes.find(ck::kSign);
  if (canSign == stored->attributes.end() || !boolValue(canSign->second).value_or(false))
    return ck::kKeyFunctionNotPermitted;
  open->signing = true;
  open->signingKey = key;
  return ck::kOk;
}

ck::Rv sign(ck::SessionHandle session, ck::Byte* data, ck::Ulong length, ck::Byte* signature,
            ck::Ulong* signatureLength) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (!open->signing) return ck::kOperationNotInitialized;
  // Every outcome but a length query or a short buffer ends the operation (PKCS#11 v2.40, 5.2).
  const auto end = [&](ck::Rv rv) {
    open->signing = false;
    return rv;
  };
  if (signatureLength == nullptr || (data == nullptr && length > 0)) return end(ck::kArgumentsBad);
  const auto* key = signingKey(call, open->signingKey);
  if (key == nullptr || call.loggedIn() != ck::kUser) return end(ck::kKeyHandleInvalid);
  const auto modulusBytes = key->attributes.at(ck::kModulus).size();
  if (length + kPkcs1Overhead > modulusBytes) return end(ck::kDataLenRange);
  if (signature == nullptr) {
    *signatureLength = static_cast<ck::Ulong>(modulusBytes);
    return ck::kOk;
  }
  if (*signatureLength < modulusBytes) {
    *signatureLength = static_cast<ck::Ulong>(modulusBytes);
    return ck::kBufferTooSmall;
  }
  const auto made = signPkcs1(key->privateKeyBlob, std::span<const std::uint8_t>(data, length));
  if (made.failure != SignFailure::None || made.bytes.size() != modulusBytes) return end(ck::kFunctionFailed);
  std::copy(made.bytes.begin(), made.bytes.end(), signature);
  *signatureLength = static_cast<ck::Ulong>(made.bytes.size());
  return end(ck::kOk);
}

}  // namespace certbridge::mock_pkcs11
