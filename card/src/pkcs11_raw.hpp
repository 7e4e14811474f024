#pragma once
// The module's own PKCS#11 function list, for what libp11 0.4.12 cannot do: sessions we own (so a login
// leaves no PIN copy in libp11), fresh token flags, key generation with our attribute template, attribute
// reads, and certificate objects openCryptoki accepts. Private to the card library.
//
// Only the subset of PKCS#11 (v2.40) this library uses is declared here: libp11 0.4.12 ships no pkcs11.h
// and the build must not depend on one. The function list layout is the standard one (all 68 entries, in
// order); the types are those of the OASIS headers with the usual "unsigned long" CK_ULONG. Constants are
// named kCkaId, kCkrPinIncorrect, ... so that they cannot clash with the macros of a real pkcs11.h.

#include <cstdint>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include "certbridge/card/error.hpp"

namespace certbridge::card::detail::ck {

#if defined(_WIN32)
#pragma pack(push, cryptoki, 1)  // PKCS#11 structures are packed on Windows.
#endif

using Ulong = unsigned long;
using Rv = Ulong;
using SlotId = Ulong;
using SessionHandle = Ulong;
using ObjectHandle = Ulong;
using AttributeType = Ulong;
using Flags = Ulong;
using Byte = unsigned char;
using Bool = unsigned char;

struct Version {
  Byte major;
  Byte minor;
};

struct TokenInfo {
  Byte label[32];
  Byte manufacturerId[32];
  Byte model[16];
  Byte serialNumber[16];
  Flags flags;
  Ulong maxSessionCount;
  Ulong sessionCount;
  Ulong maxRwSessionCount;
  Ulong rwSessionCount;
  Ulong maxPinLen;
  Ulong minPinLen;
  Ulong totalPublicMemory;
  Ulong freePublicMemory;
  Ulong totalPrivateMemory;
  Ulong freePrivateMemory;
  Version hardwareVersion;
  Version firmwareVersion;
  Byte utcTime[16];
};

struct SlotInfo {
  Byte slotDescription[64];
  Byte manufacturerId[32];
  Flags flags;
  Version hardwareVersion;
  Version firmwareVersion;
};

/// C_Initialize's arguments (CK_C_INITIALIZE_ARGS): no mutex callbacks, the operating system's locking.
struct InitializeArgs {
  void* createMutex;
  void* destroyMutex;
  void* lockMutex;
  void* unlockMutex;
  Flags flags;
  void* reserved;
};

struct SessionInfo {
  SlotId slotId;
  Ulong state;
  Flags flags;
  Ulong deviceError;
};

struct Attribute {
  AttributeType type;
  void* value;
  Ulong valueLength;
};

/// What a token can do with one mechanism (CK_MECHANISM_INFO); for RSA key generation the key sizes in bits.
struct MechanismInfo {
  Ulong minKeySize;
  Ulong maxKeySize;
  Flags flags;
};

struct Mechanism {
  Ulong mechanism;
  void* parameter;
  Ulong parameterLength;
};

/// An entry of the function list this library never calls; only its size and position matter.
using Unused = Rv (*)();

struct FunctionList {
  Version version;
  Rv (*C_Initialize)(InitializeArgs* args);
  Rv (*C_Finalize)(void* reserved);
  Unused C_GetInfo;
  Unused C_GetFunctionList;
  Rv (*C_GetSlotList)(Bool tokenPresent, SlotId* slots, Ulong* count);
  Rv (*C_GetSlotInfo)(SlotId slot, SlotInfo* info);
  Rv (*C_GetTokenInfo)(SlotId slot, TokenInfo* info);
  Unused C_GetMechanismList;
  Rv (*C_GetMechanismInfo)(SlotId slot, Ulong type, MechanismInfo* info);
  Unused C_InitToken;
  Rv (*C_InitPIN)(SessionHandle session, const Byte* pin, Ulong pinLength);
  Rv (*C_SetPIN)(SessionHandle session, const Byte* oldPin, Ulong oldLength, const Byte* newPin, Ulong newLength);
  Rv (*C_OpenSession)(SlotId slot, Flags flags, void* application, void* notify, SessionHandle* session);
  Rv (*C_CloseSession)(SessionHandle session);
  Rv (*C_CloseAllSessions)(SlotId slot);
  Rv (*C_GetSessionInfo)(SessionHandle session, SessionInfo* info);
  Unused C_GetOperationState;
  Unused C_SetOperationState;
  Rv (*C_Login)(SessionHandle session, Ulong userType, const Byte* pin, Ulong pinLength);
  Rv (*C_Logout)(SessionHandle session);
  Rv (*C_CreateObject)(SessionHandle session, Attribute* attributes, Ulong count, ObjectHandle* object);
  Unused C_CopyObject;
  Rv (*C_DestroyObject)(SessionHandle session, ObjectHandle object);
  Unused C_GetObjectSize;
  Rv (*C_GetAttributeValue)(SessionHandle session, ObjectHandle object, Attribute* attributes, Ulong count);
  Unused C_SetAttributeValue;
  Rv (*C_FindObjectsInit)(SessionHandle session, Attribute* attributes, Ulong count);
  Rv (*C_FindObjects)(SessionHandle session, ObjectHandle* objects, Ulong maxCount, Ulong* count);
  Rv (*C_FindObjectsFinal)(SessionHandle session);
  Unused C_EncryptInit;
  Unused C_Encrypt;
  Unused C_EncryptUpdate;
  Unused C_EncryptFinal;
  Unused C_DecryptInit;
  Unused C_Decrypt;
  Unused C_DecryptUpdate;
  Unused C_DecryptFinal;
  Unused C_DigestInit;
  Unused C_Digest;
  Unused C_DigestUpdate;
  Unused C_DigestKey;
  Unused C_DigestFinal;
  Rv (*C_SignInit)(SessionHandle session, Mechanism* mechanism, ObjectHandle key);
  Rv (*C_Sign)(SessionHandle session, const Byte* data, Ulong dataLength, Byte* signature, Ulong* signatureLength);
  Unused C_SignUpdate;
  Unused C_SignFinal;
  Unused C_SignRecoverInit;
  Unused C_SignRecover;
  Unused C_VerifyInit;
  Unused C_Verify;
  Unused C_VerifyUpdate;
  Unused C_VerifyFinal;
  Unused C_VerifyRecoverInit;
  Unused C_VerifyRecover;
  Unused C_DigestEncryptUpdate;
  Unused C_DecryptDigestUpdate;
  Unused C_SignEncryptUpdate;
  Unused C_DecryptVerifyUpdate;
  Unused C_GenerateKey;
  Rv (*C_GenerateKeyPair)(SessionHandle session, Mechanism* mechanism, Attribute* publicTemplate, Ulong publicCount,
                          Attribute* privateTemplate, Ulong privateCount, ObjectHandle* publicKey,
                          ObjectHandle* privateKey);
  Unused C_WrapKey;
  Unused C_UnwrapKey;
  Unused C_DeriveKey;
  Unused C_SeedRandom;
  Unused C_GenerateRandom;
  Unused C_GetFunctionStatus;
  Unused C_CancelFunction;
  Unused C_WaitForSlotEvent;
};

#if defined(_WIN32)
#pragma pack(pop, cryptoki)
#endif

using GetFunctionList = Rv (*)(FunctionList** list);

inline constexpr Ulong kUnavailableInformation = ~Ulong{0};
inline constexpr Bool kTrue = 1;
inline constexpr Bool kFalse = 0;

// Return values this library reacts to (the names of all live in pkcs11_call.cpp).
inline constexpr Rv kCkrOk = 0x000;
inline constexpr Rv kCkrSlotIdInvalid = 0x003;
inline constexpr Rv kCkrGeneralError = 0x005;
inline constexpr Rv kCkrFunctionFailed = 0x006;
inline constexpr Rv kCkrKeySizeRange = 0x062;
inline constexpr Rv kCkrMechanismInvalid = 0x070;
inline constexpr Rv kCkrDeviceRemoved = 0x032;
inline constexpr Rv kCkrTokenNotPresent = 0x0E0;
inline constexpr Rv kCkrAttributeSensitive = 0x011;
inline constexpr Rv kCkrAttributeTypeInvalid = 0x012;
inline constexpr Rv kCkrBufferTooSmall = 0x150;
inline constexpr Rv kCkrPinIncorrect = 0x0A0;
inline constexpr Rv kCkrPinInvalid = 0x0A1;
inline constexpr Rv kCkrPinLenRange = 0x0A2;
inline constexpr Rv kCkrPinLocked = 0x0A4;
inline constexpr Rv kCkrSessionClosed = 0x0B0;
inline constexpr Rv kCkrSessionHandleInvalid = 0x0B3;
inline constexpr Rv kCkrUserAlreadyLoggedIn = 0x100;
inline constexpr Rv kCkrUserNotLoggedIn = 0x101;
inline constexpr Rv kCkrPinTooWeak = 0x1C3;
inline constexpr Rv kCkrTokenNotRecognized = 0x0E1;
inline constexpr Rv kCkrCryptokiAlreadyInitialized = 0x191;

// Slot flags and C_Initialize flags.
inline constexpr Flags kCkfTokenPresent = 0x1;
inline constexpr Flags kCkfOsLockingOk = 0x2;

// Session flags and user types.
inline constexpr Flags kCkfRwSession = 0x2;
inline constexpr Flags kCkfSerialSession = 0x4;
inline constexpr Ulong kCkuSo = 0;
inline constexpr Ulong kCkuUser = 1;

// Token flags.
inline constexpr Flags kCkfWriteProtected = 0x2;
inline constexpr Flags kCkfLoginRequired = 0x4;
inline constexpr Flags kCkfUserPinInitialized = 0x8;
inline constexpr Flags kCkfProtectedAuthenticationPath = 0x100;
inline constexpr Flags kCkfTokenInitialized = 0x400;
inline constexpr Flags kCkfUserPinCountLow = 0x10000;
inline constexpr Flags kCkfUserPinFinalTry = 0x20000;
inline constexpr Flags kCkfUserPinLocked = 0x40000;
inline constexpr Flags kCkfUserPinToBeChanged = 0x80000;
inline constexpr Flags kCkfSoPinCountLow = 0x100000;
inline constexpr Flags kCkfSoPinFinalTry = 0x200000;
inline constexpr Flags kCkfSoPinLocked = 0x400000;

// Object classes, key and certificate types, mechanisms.
inline constexpr Ulong kCkoCertificate = 1;
inline constexpr Ulong kCkoPublicKey = 2;
inline constexpr Ulong kCkoPrivateKey = 3;
inline constexpr Ulong kCkkRsa = 0;
inline constexpr Ulong kCkcX509 = 0;
inline constexpr Ulong kCkmRsaPkcsKeyPairGen = 0;
inline constexpr Ulong kCkmRsaPkcs = 1;  // PKCS#1 v1.5 padding of the given data (a DigestInfo when signing)
inline constexpr Ulong kCkmRsaX509 = 3;  // raw RSA, no padding

// Attributes.
inline constexpr AttributeType kCkaClass = 0x000;
inline constexpr AttributeType kCkaToken = 0x001;
inline constexpr AttributeType kCkaPrivate = 0x002;
inline constexpr AttributeType kCkaLabel = 0x003;
inline constexpr AttributeType kCkaValue = 0x011;
inline constexpr AttributeType kCkaCertificateType = 0x080;
inline constexpr AttributeType kCkaIssuer = 0x081;
inline constexpr AttributeType kCkaSerialNumber = 0x082;
inline constexpr AttributeType kCkaKeyType = 0x100;
inline constexpr AttributeType kCkaSubject = 0x101;
inline constexpr AttributeType kCkaId = 0x102;
inline constexpr AttributeType kCkaSensitive = 0x103;
inline constexpr AttributeType kCkaEncrypt = 0x104;
inline constexpr AttributeType kCkaDecrypt = 0x105;
inline constexpr AttributeType kCkaWrap = 0x106;
inline constexpr AttributeType kCkaUnwrap = 0x107;
inline constexpr AttributeType kCkaSign = 0x108;
inline constexpr AttributeType kCkaVerify = 0x10A;
inline constexpr AttributeType kCkaModulus = 0x120;
inline constexpr AttributeType kCkaModulusBits = 0x121;
inline constexpr AttributeType kCkaPublicExponent = 0x122;
inline constexpr AttributeType kCkaPrivateExponent = 0x123;
inline constexpr AttributeType kCkaExtractable = 0x162;
inline constexpr AttributeType kCkaNeverExtractable = 0x164;
inline constexpr AttributeType kCkaAlwaysSensitive = 0x165;

/// Throws the CardError for a failed PKCS#11 call (kind from the CK_RV, function name, call site).
[[noreturn]] void throwCkr(const char* function, Rv rv, std::source_location where);

inline Rv checkCkr(const char* function, Rv rv, std::source_location where) {
  if (rv != kCkrOk) throwCkr(function, rv, where);
  return rv;
}

template <typename... Allowed>
Rv checkCkr(const char* function, Rv rv, std::source_location where, Allowed... allowed) {
  if (rv == kCkrOk || ((rv == static_cast<Rv>(allowed)) || ...)) return rv;
  throwCkr(function, rv, where);
}

/// A template attribute pointing at caller-owned storage, which must outlive the call.
inline Attribute attribute(AttributeType type, const void* value, std::size_t length) {
  return Attribute{type, const_cast<void*>(value), static_cast<Ulong>(length)};
}
inline Attribute attribute(AttributeType type, const Bool& value) {
  return attribute(type, &value, sizeof value);
}
inline Attribute attribute(AttributeType type, const Ulong& value) {
  return attribute(type, &value, sizeof value);
}
inline Attribute attribute(AttributeType type, std::span<const std::uint8_t> bytes) {
  return attribute(type, bytes.data(), bytes.size());
}
inline Attribute attribute(AttributeType type, const std::string& text) {
  return attribute(type, text.data(), text.size());
}

}  // namespace certbridge::card::detail::ck

/// Calls a function of a module's PKCS#11 function list and throws CardError (function name, CKR name, this
/// file:line) unless it returns CKR_OK or one of the listed values; returns the CK_RV:
///   CERTBRIDGE_CK_CALL(functions, C_Logout, (session), kCkrUserNotLoggedIn)
#define CERTBRIDGE_CK_CALL(functions, function, arguments, ...)                       \
  ::certbridge::card::detail::ck::checkCkr(#function, (functions).function arguments, \
                                           std::source_location::current() __VA_OPT__(, ) __VA_ARGS__)
