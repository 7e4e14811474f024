#pragma once
// TEST DOUBLE - never installed, never shipped. The PKCS#11 v2.40 binary interface as a Windows module
// exports it (structures packed to 1 byte, CK_ULONG = unsigned long = 4 bytes), written for the mock module
// independently of the card library's card/src/pkcs11_raw.hpp, so that a layout mistake on either side shows
// up as a failing test instead of cancelling out. Only what the mock implements has a full signature; every
// other entry of the 68-entry function list answers CKR_FUNCTION_NOT_SUPPORTED.

#include <cstddef>

namespace certbridge::mock_pkcs11::ck {

#pragma pack(push, cryptoki, 1)

using Ulong = unsigned long;
using Rv = Ulong;
using Byte = unsigned char;
using Bool = unsigned char;
using SlotId = Ulong;
using SessionHandle = Ulong;
using ObjectHandle = Ulong;
using Flags = Ulong;

struct Version {
  Byte major;
  Byte minor;
};

struct Info {
  Version cryptokiVersion;
  Byte manufacturerId[32];
  Flags flags;
  Byte libraryDescription[32];
  Version libraryVersion;
};

struct SlotInfo {
  Byte slotDescription[64];
  Byte manufacturerId[32];
  Flags flags;
  Version hardwareVersion;
  Version firmwareVersion;
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

struct SessionInfo {
  SlotId slotId;
  Ulong state;
  Flags flags;
  Ulong deviceError;
};

struct Attribute {
  Ulong type;
  void* value;
  Ulong valueLength;
};

struct Mechanism {
  Ulong mechanism;
  void* parameter;
  Ulong parameterLength;
};

struct MechanismInfo {
  Ulong minKeySize;
  Ulong maxKeySize;
  Flags flags;
};

/// An entry the mock does not implement: it takes whatever the caller passes (the Windows x64 calling
/// convention leaves arguments to the caller) and answers CKR_FUNCTION_NOT_SUPPORTED.
using NotSupported = Rv (*)();

struct FunctionList;

struct FunctionList {
  Version version;
  Rv (*C_Initialize)(void* initArgs);
  Rv (*C_Finalize)(void* reserved);
  Rv (*C_GetInfo)(Info* info);
  Rv (*C_GetFunctionList)(FunctionList** list);
  Rv (*C_GetSlotList)(Bool tokenPresent, SlotId* slots, Ulong* count);
  Rv (*C_GetSlotInfo)(SlotId slot, SlotInfo* info);
  Rv (*C_GetTokenInfo)(SlotId slot, TokenInfo* info);
  Rv (*C_GetMechanismList)(SlotId slot, Ulong* mechanisms, Ulong* count);
  Rv (*C_GetMechanismInfo)(SlotId slot, Ulong type, MechanismInfo* info);
  NotSupported C_InitToken;
  Rv (*C_InitPIN)(SessionHandle session, Byte* pin, Ulong length);
  Rv (*C_SetPIN)(SessionHandle session, Byte* oldPin, Ulong oldLength, Byte* newPin, Ulong newLength);
  Rv (*C_OpenSession)(SlotId slot, Flags flags, void* application, void* notify, SessionHandle* session);
  Rv (*C_CloseSession)(SessionHandle session);
  Rv (*C_CloseAllSessions)(SlotId slot);
  Rv (*C_GetSessionInfo)(SessionHandle session, SessionInfo* info);
  NotSupported C_GetOperationState;
  NotSupported C_SetOperationState;
  Rv (*C_Login)(SessionHandle session, Ulong userType, Byte* pin, Ulong length);
  Rv (*C_Logout)(SessionHandle session);
  Rv (*C_CreateObject)(SessionHandle session, Attribute* attributes, Ulong count, ObjectHandle* object);
  NotSupported C_CopyObject;
  Rv (*C_DestroyObject)(SessionHandle session, ObjectHandle object);
  NotSupported C_GetObjectSize;
  Rv (*C_GetAttributeValue)(SessionHandle session, ObjectHandle object, Attribute* attributes, Ulong count);
  NotSupported C_SetAttributeValue;
  Rv (*C_FindObjectsInit)(SessionHandle session, Attribute* attributes, Ulong count);
  Rv (*C_FindObjects)(SessionHandle session, ObjectHandle* objects, Ulong maxCount, Ulong* count);
  Rv (*C_FindObjectsFinal)(SessionHandle session);
  NotSupported C_EncryptInit, C_Encrypt, C_EncryptUpdate, C_EncryptFinal;
  NotSupported C_DecryptInit, C_Decrypt, C_DecryptUpdate, C_DecryptFinal;
  NotSupported C_DigestInit, C_Digest, C_DigestUpdate, C_DigestKey, C_DigestFinal;
  Rv (*C_SignInit)(SessionHandle session, Mechanism* mechanism, ObjectHandle key);
  Rv (*C_Sign)(SessionHandle session, Byte* data, Ulong length, Byte* signature, Ulong* signatureLength);
  NotSupported C_SignUpdate, C_SignFinal, C_SignRecoverInit, C_SignRecover;
  NotSupported C_VerifyInit, C_Verify, C_VerifyUpdate, C_VerifyFinal, C_VerifyRecoverInit, C_VerifyRecover;
  NotSupported C_DigestEncryptUpdate, C_DecryptDigestUpdate, C_SignEncryptUpdate, C_DecryptVerifyUpdate;
  NotSupported C_GenerateKey;
  Rv (*C_GenerateKeyPair)(SessionHandle session, Mechanism* mechanism, Attribute* publicTemplate, Ulong publicCount,
                          Attribute* privateTemplate, Ulong privateCount, ObjectHandle* publicKey,
                          ObjectHandle* privateKey);
  NotSupported C_WrapKey, C_UnwrapKey, C_DeriveKey;
  Rv (*C_SeedRandom)(SessionHandle session, Byte* seed, Ulong length);
  Rv (*C_GenerateRandom)(SessionHandle session, Byte* data, Ulong length);
  Rv (*C_GetFunctionStatus)(SessionHandle session);
  Rv (*C_CancelFunction)(SessionHandle session);
  Rv (*C_WaitForSlotEvent)(Flags flags, SlotId* slot, void* reserved);
};

#pragma pack(pop, cryptoki)

// The sizes a Windows PKCS#11 module has (cryptoki.h with pack(1) and a 4-byte CK_ULONG).
static_assert(sizeof(Ulong) == 4, "CK_ULONG is 4 bytes on Windows");
static_assert(sizeof(TokenInfo) == 160, "CK_TOKEN_INFO is 160 bytes on Windows");
static_assert(sizeof(SlotInfo) == 104, "CK_SLOT_INFO is 104 bytes on Windows");
static_assert(sizeof(Info) == 72, "CK_INFO is 72 bytes on Windows");
static_assert(sizeof(Attribute) == 16, "CK_ATTRIBUTE is packed on Windows");
static_assert(sizeof(FunctionList) == 2 + 68 * sizeof(void*), "CK_FUNCTION_LIST has 68 entries after the version");
static_assert(offsetof(FunctionList, C_WaitForSlotEvent) == 2 + 67 * sizeof(void*), "the last entry is the 68th");

inline constexpr Bool kTrue = 1;
inline constexpr Bool kFalse = 0;
inline constexpr Ulong kUnavailable = ~Ulong{0};

// Return values.
inline constexpr Rv kOk = 0x000;
inline constexpr Rv kSlotIdInvalid = 0x003;
inline constexpr Rv kGeneralError = 0x005;
inline constexpr Rv kFunctionFailed = 0x006;
inline constexpr Rv kArgumentsBad = 0x007;
inline constexpr Rv kAttributeSensitive = 0x011;
inline constexpr Rv kAttributeTypeInvalid = 0x012;
inline constexpr Rv kAttributeValueInvalid = 0x013;
inline constexpr Rv kDataInvalid = 0x020;
inline constexpr Rv kDataLenRange = 0x021;
inline constexpr Rv kDeviceError = 0x030;
inline constexpr Rv kDeviceRemoved = 0x032;
inline constexpr Rv kFunctionNotParallel = 0x051;
inline constexpr Rv kFunctionNotSupported = 0x054;
inline constexpr Rv kKeyHandleInvalid = 0x060;
inline constexpr Rv kKeySizeRange = 0x062;
inline constexpr Rv kKeyFunctionNotPermitted = 0x068;
inline constexpr Rv kMechanismInvalid = 0x070;
inline constexpr Rv kMechanismParamInvalid = 0x071;
inline constexpr Rv kObjectHandleInvalid = 0x082;
inline constexpr Rv kOperationActive = 0x090;
inline constexpr Rv kOperationNotInitialized = 0x091;
inline constexpr Rv kPinIncorrect = 0x0A0;
inline constexpr Rv kPinLenRange = 0x0A2;
inline constexpr Rv kPinLocked = 0x0A4;
inline constexpr Rv kSessionHandleInvalid = 0x0B3;
inline constexpr Rv kSessionParallelNotSupported = 0x0B4;
inline constexpr Rv kSessionReadOnly = 0x0B5;
inline constexpr Rv kSessionReadOnlyExists = 0x0B7;
inline constexpr Rv kSessionReadWriteSoExists = 0x0B8;
inline constexpr Rv kTemplateIncomplete = 0x0D0;
inline constexpr Rv kTemplateInconsistent = 0x0D1;
inline constexpr Rv kTokenNotPresent = 0x0E0;
inline constexpr Rv kUserAlreadyLoggedIn = 0x100;
inline constexpr Rv kUserNotLoggedIn = 0x101;
inline constexpr Rv kUserTypeInvalid = 0x103;
inline constexpr Rv kUserAnotherAlreadyLoggedIn = 0x104;
inline constexpr Rv kRandomSeedNotSupported = 0x120;
inline constexpr Rv kBufferTooSmall = 0x150;
inline constexpr Rv kCryptokiNotInitialized = 0x190;
inline constexpr Rv kCryptokiAlreadyInitialized = 0x191;

// Flags.
inline constexpr Flags kTokenPresent = 0x1;
inline constexpr Flags kRemovableDevice = 0x2;
inline constexpr Flags kHwSlot = 0x4;
inline constexpr Flags kRng = 0x1;
inline constexpr Flags kLoginRequired = 0x4;
inline constexpr Flags kUserPinInitialized = 0x8;
inline constexpr Flags kProtectedAuthenticationPath = 0x100;
inline constexpr Flags kTokenInitialized = 0x400;
inline constexpr Flags kUserPinCountLow = 0x10000;
inline constexpr Flags kUserPinFinalTry = 0x20000;
inline constexpr Flags kUserPinLocked = 0x40000;
inline constexpr Flags kSoPinCountLow = 0x100000;
inline constexpr Flags kSoPinFinalTry = 0x200000;
inline constexpr Flags kSoPinLocked = 0x400000;
inline constexpr Flags kRwSession = 0x2;
inline constexpr Flags kSerialSession = 0x4;
inline constexpr Flags kMechanismHw = 0x1;
inline constexpr Flags kMechanismSign = 0x800;
inline constexpr Flags kMechanismGenerateKeyPair = 0x10000;

// Users and session states.
inline constexpr Ulong kSo = 0;
inline constexpr Ulong kUser = 1;
inline constexpr Ulong kRoPublicSession = 0;
inline constexpr Ulong kRoUserFunctions = 1;
inline constexpr Ulong kRwPublicSession = 2;
inline constexpr Ulong kRwUserFunctions = 3;
inline constexpr Ulong kRwSoFunctions = 4;

// Objects, keys, certificates, mechanisms.
inline constexpr Ulong kCertificate = 1;
inline constexpr Ulong kPublicKey = 2;
inline constexpr Ulong kPrivateKey = 3;
inline constexpr Ulong kRsa = 0;
inline constexpr Ulong kX509 = 0;
inline constexpr Ulong kRsaPkcsKeyPairGen = 0x0;
inline constexpr Ulong kRsaPkcs = 0x1;

// Attributes.
inline constexpr Ulong kClass = 0x000;
inline constexpr Ulong kToken = 0x001;
inline constexpr Ulong kPrivate = 0x002;
inline constexpr Ulong kLabel = 0x003;
inline constexpr Ulong kValue = 0x011;
inline constexpr Ulong kCertificateType = 0x080;
inline constexpr Ulong kIssuer = 0x081;
inline constexpr Ulong kSerialNumber = 0x082;
inline constexpr Ulong kTrusted = 0x086;
inline constexpr Ulong kCertificateCategory = 0x087;
inline constexpr Ulong kKeyType = 0x100;
inline constexpr Ulong kSubject = 0x101;
inline constexpr Ulong kId = 0x102;
inline constexpr Ulong kSensitive = 0x103;
inline constexpr Ulong kEncrypt = 0x104;
inline constexpr Ulong kDecrypt = 0x105;
inline constexpr Ulong kWrap = 0x106;
inline constexpr Ulong kUnwrap = 0x107;
inline constexpr Ulong kSign = 0x108;
inline constexpr Ulong kSignRecover = 0x109;
inline constexpr Ulong kVerify = 0x10A;
inline constexpr Ulong kVerifyRecover = 0x10B;
inline constexpr Ulong kDerive = 0x10C;
inline constexpr Ulong kModulus = 0x120;
inline constexpr Ulong kModulusBits = 0x121;
inline constexpr Ulong kPublicExponent = 0x122;
inline constexpr Ulong kPrivateExponent = 0x123;
inline constexpr Ulong kPrime1 = 0x124;
inline constexpr Ulong kPrime2 = 0x125;
inline constexpr Ulong kExponent1 = 0x126;
inline constexpr Ulong kExponent2 = 0x127;
inline constexpr Ulong kCoefficient = 0x128;
inline constexpr Ulong kExtractable = 0x162;
inline constexpr Ulong kLocal = 0x163;
inline constexpr Ulong kNeverExtractable = 0x164;
inline constexpr Ulong kAlwaysSensitive = 0x165;
inline constexpr Ulong kKeyGenMechanism = 0x166;
inline constexpr Ulong kModifiable = 0x170;
inline constexpr Ulong kAlwaysAuthenticate = 0x202;

}  // namespace certbridge::mock_pkcs11::ck
