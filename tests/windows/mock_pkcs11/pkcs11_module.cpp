// TEST DOUBLE - never installed, never shipped. The mock module's entry point (C_GetFunctionList), its
// function list, the per-call guard, and the module, slot, token and mechanism functions.

#include <windows.h>

#include <bcrypt.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "mock_module.hpp"

namespace certbridge::mock_pkcs11 {

namespace {

// The mechanisms the token offers, with their key sizes and what they are for.
struct MechanismEntry {
  ck::Ulong type;
  ck::MechanismInfo info;
};
constexpr std::array<MechanismEntry, 2> kMechanisms{{
    {ck::kRsaPkcsKeyPairGen, {kMinKeyBits, kMaxKeyBits, ck::kMechanismHw | ck::kMechanismGenerateKeyPair}},
    {ck::kRsaPkcs, {kMinKeyBits, kMaxKeyBits, ck::kMechanismHw | ck::kMechanismSign}},
}};

ck::Flags pinFlags(const mock_card::StoredPin& pin, ck::Flags countLow, ck::Flags finalTry, ck::Flags locked) {
  if (pin.locked()) return locked;
  if (pin.triesLeft() == 1) return finalTry;
  return pin.failures > 0 ? countLow : 0;
}

ck::Rv notSupported() {
  return ck::kFunctionNotSupported;
}

ck::Rv seedRandom(ck::SessionHandle session, ck::Byte* /*seed*/, ck::Ulong /*length*/) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  return ck::kRandomSeedNotSupported;
}

ck::Rv generateRandom(ck::SessionHandle session, ck::Byte* data, ck::Ulong length) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (data == nullptr && length > 0) return ck::kArgumentsBad;
  if (length == 0) return ck::kOk;
  return BCryptGenRandom(nullptr, data, length, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0 ? ck::kOk : ck::kDeviceError;
}

ck::Rv functionNotParallel(ck::SessionHandle session) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  return ck::kFunctionNotParallel;
}

ck::Rv waitForSlotEvent(ck::Flags /*flags*/, ck::SlotId* /*slot*/, void* /*reserved*/) {
  return ck::kFunctionNotSupported;
}

ck::Rv getFunctionList(ck::FunctionList** list);

ck::FunctionList makeFunctionList() {
  ck::FunctionList list{};
  list.version = {2, 40};
  // Every entry first answers "not supported"; the implemented ones replace it below.
  auto* entries = reinterpret_cast<ck::NotSupported*>(reinterpret_cast<unsigned char*>(&list) + sizeof list.version);
  for (std::size_t i = 0; i < (sizeof list - sizeof list.version) / sizeof(void*); ++i) {
    const ck::NotSupported entry = notSupported;
    std::memcpy(reinterpret_cast<unsigned char*>(entries) + i * sizeof(void*), &entry, sizeof entry);
  }
  list.C_Initialize = initialize;
  list.C_Finalize = finalize;
  list.C_GetInfo = getInfo;
  list.C_GetFunctionList = getFunctionList;
  list.C_GetSlotList = getSlotList;
  list.C_GetSlotInfo = getSlotInfo;
  list.C_GetTokenInfo = getTokenInfo;
  list.C_GetMechanismList = getMechanismList;
  list.C_GetMechanismInfo = getMechanismInfo;
  list.C_InitPIN = initPin;
  list.C_SetPIN = setPin;
  list.C_OpenSession = openSession;
  list.C_CloseSession = closeSession;
  list.C_CloseAllSessions = closeAllSessions;
  list.C_GetSessionInfo = getSessionInfo;
  list.C_Login = login;
  list.C_Logout = logout;
  list.C_CreateObject = createObject;
  list.C_DestroyObject = destroyObject;
  list.C_GetAttributeValue = getAttributeValue;
  list.C_FindObjectsInit = findObjectsInit;
  list.C_FindObjects = findObjects;
  list.C_FindObjectsFinal = findObjectsFinal;
  list.C_SignInit = signInit;
  list.C_Sign = sign;
  list.C_GenerateKeyPair = generateKeyPair;
  list.C_SeedRandom = seedRandom;
  list.C_GenerateRandom = generateRandom;
  list.C_GetFunctionStatus = functionNotParallel;
  list.C_CancelFunction = functionNotParallel;
  list.C_WaitForSlotEvent = waitForSlotEvent;
  return list;
}

ck::FunctionList functionList = makeFunctionList();

ck::Rv getFunctionList(ck::FunctionList** list) {
  if (list == nullptr) return ck::kArgumentsBad;
  *list = &functionList;
  return ck::kOk;
}

}  // namespace

Module& module() {
  static Module instance;
  return instance;
}

ck::Rv Call::openCard() {
  if (!module_.initialized) return ck::kCryptokiNotInitialized;
  state_.emplace();
  if (state_->ok()) return ck::kOk;
  // Said once per process on stderr, so a misconfigured test shows why every call fails; no secret in it.
  static bool told = false;
  if (!told) std::fprintf(stderr, "mock PKCS#11 module (test double): %s\n", state_->error().c_str());
  told = true;
  return ck::kDeviceError;
}

ck::Rv Call::openToken(ck::SlotId slot) {
  if (const auto rv = openCard(); rv != ck::kOk) return rv;
  if (slot != kSlotId) return ck::kSlotIdInvalid;
  return tokenPresent() ? ck::kOk : ck::kTokenNotPresent;
}

ck::Rv Call::openSession(ck::SessionHandle handle, Session*& session) {
  if (const auto rv = openCard(); rv != ck::kOk) return rv;
  const auto found = module_.sessions.find(handle);
  if (found == module_.sessions.end()) return ck::kSessionHandleInvalid;
  if (!tokenPresent() || found->second.insertion != card().insertion) return ck::kDeviceRemoved;
  session = &found->second;
  return ck::kOk;
}

ck::Rv Call::save() {
  return state_ && state_->save() ? ck::kOk : ck::kDeviceError;
}

std::optional<ck::Ulong> Call::loggedIn() {
  if (!module_.loggedIn || !tokenPresent() || module_.loginInsertion != card().insertion) return std::nullopt;
  return module_.loggedIn;
}

bool Call::visible(const mock_card::StoredObject& object) {
  const auto found = object.attributes.find(ck::kPrivate);
  const bool isPrivate = found != object.attributes.end() && boolValue(found->second).value_or(false);
  return !isPrivate || loggedIn() == ck::kUser;
}

mock_card::StoredObject* Call::findObject(ck::ObjectHandle handle) {
  auto& objects = card().objects;
  const auto found = std::find_if(objects.begin(), objects.end(), [&](const auto& o) { return o.handle == handle; });
  return found == objects.end() || !visible(*found) ? nullptr : &*found;
}

mock_card::Bytes valueOf(const ck::Attribute& attribute) {
  if (attribute.value == nullptr) return {};
  const auto* bytes = static_cast<const std::uint8_t*>(attribute.value);
  return mock_card::Bytes(bytes, bytes + attribute.valueLength);
}

std::optional<ck::Ulong> ulongValue(const mock_card::Bytes& bytes) {
  if (bytes.size() != sizeof(ck::Ulong)) return std::nullopt;
  ck::Ulong value = 0;
  std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

std::optional<bool> boolValue(const mock_card::Bytes& bytes) {
  if (bytes.size() != 1 || bytes.front() > 1) return std::nullopt;
  return bytes.front() == 1;
}

mock_card::Bytes ulongBytes(ck::Ulong value) {
  mock_card::Bytes bytes(sizeof value);
  std::memcpy(bytes.data(), &value, sizeof value);
  return bytes;
}

mock_card::Bytes boolBytes(bool value) {
  return {static_cast<std::uint8_t>(value ? 1 : 0)};
}

void padded(ck::Byte* field, std::size_t size, const std::string& text) {
  std::memset(field, ' ', size);
  std::memcpy(field, text.data(), std::min(size, text.size()));
}

ck::Rv initialize(void* /*initArgs*/) {
  // Any locking arguments are fine: the module locks with its own mutex, which CKF_OS_LOCKING_OK allows and
  // which is safe under application-supplied locking too.
  Call call;
  if (call.module().initialized) return ck::kCryptokiAlreadyInitialized;
  call.module().initialized = true;
  return ck::kOk;
}

ck::Rv finalize(void* reserved) {
  Call call;
  if (reserved != nullptr) return ck::kArgumentsBad;
  auto& m = call.module();
  if (!m.initialized) return ck::kCryptokiNotInitialized;
  m.initialized = false;
  m.sessions.clear();
  m.loggedIn.reset();
  return ck::kOk;
}

ck::Rv getInfo(ck::Info* info) {
  Call call;
  if (!call.module().initialized) return ck::kCryptokiNotInitialized;
  if (info == nullptr) return ck::kArgumentsBad;
  *info = {};
  info->cryptokiVersion = {2, 40};
  padded(info->manufacturerId, sizeof info->manufacturerId, "CertBridge test double");
  padded(info->libraryDescription, sizeof info->libraryDescription, "CertBridge mock PKCS#11 (TEST)");
  info->libraryVersion = {1, 0};
  return ck::kOk;
}

ck::Rv getSlotList(ck::Bool tokenPresent, ck::SlotId* slots, ck::Ulong* count) {
  Call call;
  if (const auto rv = call.openCard(); rv != ck::kOk) return rv;
  if (count == nullptr) return ck::kArgumentsBad;
  const ck::Ulong available = tokenPresent == ck::kFalse || call.tokenPresent() ? 1 : 0;
  if (slots == nullptr) {
    *count = available;
    return ck::kOk;
  }
  if (*count < available) {
    *count = available;
    return ck::kBufferTooSmall;
  }
  if (available == 1) slots[0] = kSlotId;
  *count = available;
  return ck::kOk;
}

ck::Rv getSlotInfo(ck::SlotId slot, ck::SlotInfo* info) {
  Call call;
  if (const auto rv = call.openCard(); rv != ck::kOk) return rv;
  if (slot != kSlotId) return ck::kSlotIdInvalid;
  if (info == nullptr) return ck::kArgumentsBad;
  *info = {};
  padded(info->slotDescription, sizeof info->slotDescription, kSlotDescription);
  padded(info->manufacturerId, sizeof info->manufacturerId, "CertBridge test double");
  info->flags = ck::kRemovableDevice | ck::kHwSlot | (call.tokenPresent() ? ck::kTokenPresent : 0);
  info->hardwareVersion = {1, 0};
  info->firmwareVersion = {1, 0};
  return ck::kOk;
}

ck::Rv getTokenInfo(ck::SlotId slot, ck::TokenInfo* info) {
  Call call;
  if (const auto rv = call.openToken(slot); rv != ck::kOk) return rv;
  if (info == nullptr) return ck::kArgumentsBad;
  const auto& card = call.card();
  *info = {};
  padded(info->label, sizeof info->label, card.label);
  padded(info->manufacturerId, sizeof info->manufacturerId, "CertBridge test double");
  padded(info->model, sizeof info->model, "Mock PKCS#11");
  padded(info->serialNumber, sizeof info->serialNumber, card.serial);
  // Read from the state file on every call: the counters as they are now, whoever changed them.
  info->flags = ck::kRng | ck::kLoginRequired | ck::kUserPinInitialized | ck::kTokenInitialized |
                pinFlags(card.userPin, ck::kUserPinCountLow, ck::kUserPinFinalTry, ck::kUserPinLocked) |
                pinFlags(card.soPin, ck::kSoPinCountLow, ck::kSoPinFinalTry, ck::kSoPinLocked) |
                (card.pinPad ? ck::kProtectedAuthenticationPath : 0);
  const auto& sessions = call.module().sessions;
  info->maxSessionCount = 0;  // CK_EFFECTIVELY_INFINITE
  info->maxRwSessionCount = 0;
  info->sessionCount = static_cast<ck::Ulong>(sessions.size());
  info->rwSessionCount = static_cast<ck::Ulong>(
      std::count_if(sessions.begin(), sessions.end(), [](const auto& entry) { return entry.second.readWrite; }));
  info->maxPinLen = kMaxPinLength;
  info->minPinLen = kMinPinLength;
  info->totalPublicMemory = info->freePublicMemory = ck::kUnavailable;
  info->totalPrivateMemory = info->freePrivateMemory = ck::kUnavailable;
  info->hardwareVersion = {1, 0};
  info->firmwareVersion = {1, 0};
  padded(info->utcTime, sizeof info->utcTime, "");  // no clock on this token
  return ck::kOk;
}

ck::Rv getMechanismList(ck::SlotId slot, ck::Ulong* mechanisms, ck::Ulong* count) {
  Call call;
  if (const auto rv = call.openToken(slot); rv != ck::kOk) return rv;
  if (count == nullptr) return ck::kArgumentsBad;
  const auto available = static_cast<ck::Ulong>(kMechanisms.size());
  if (mechanisms != nullptr && *count < available) {
    *count = available;
    return ck::kBufferTooSmall;
  }
  if (mechanisms != nullptr)
    for (std::size_t i = 0; i < kMechanisms.size(); ++i) mechanisms[i] = kMechanisms[i].type;
  *count = available;
  return ck::kOk;
}

ck::Rv getMechanismInfo(ck::SlotId slot, ck::Ulong type, ck::MechanismInfo* info) {
  Call call;
  if (const auto rv = call.openToken(slot); rv != ck::kOk) return rv;
  if (info == nullptr) return ck::kArgumentsBad;
  for (const auto& entry : kMechanisms) {
    if (entry.type != type) continue;
    *info = entry.info;
    return ck::kOk;
  }
  return ck::kMechanismInvalid;
}

}  // namespace certbridge::mock_pkcs11

/// The module's one export, as PKCS#11 asks: the caller gets every function through the list.
extern "C" __declspec(dllexport) certbridge::mock_pkcs11::ck::Rv
    C_GetFunctionList(certbridge::mock_pkcs11::ck::FunctionList** list) {
  return certbridge::mock_pkcs11::getFunctionList(list);
}

/// Says what this DLL is, so that nobody mistakes it for card middleware.
extern "C" __declspec(dllexport) const char* CertBridgeTestDouble() {
  return "CertBridge mock PKCS#11 module (TEST DOUBLE, not for installation)";
}
