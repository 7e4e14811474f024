// PKCS#11 return value names and their meaning for users.

#include "pkcs11_call.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "pkcs11_raw.hpp"

namespace certbridge::card::detail {

namespace {

struct CkrName {
  unsigned long rv;
  const char* name;
};

// PKCS#11 3.0 return values, sorted by value (pkcs11.h stays out of the build: libp11 0.4.12 ships none).
constexpr std::array<CkrName, 94> kCkrNames{{
    {0x000, "CKR_OK"},
    {0x001, "CKR_CANCEL"},
    {0x002, "CKR_HOST_MEMORY"},
    {0x003, "CKR_SLOT_ID_INVALID"},
    {0x005, "CKR_GENERAL_ERROR"},
    {0x006, "CKR_FUNCTION_FAILED"},
    {0x007, "CKR_ARGUMENTS_BAD"},
    {0x008, "CKR_NO_EVENT"},
    {0x009, "CKR_NEED_TO_CREATE_THREADS"},
    {0x00A, "CKR_CANT_LOCK"},
    {0x010, "CKR_ATTRIBUTE_READ_ONLY"},
    {0x011, "CKR_ATTRIBUTE_SENSITIVE"},
    {0x012, "CKR_ATTRIBUTE_TYPE_INVALID"},
    {0x013, "CKR_ATTRIBUTE_VALUE_INVALID"},
    {0x01B, "CKR_ACTION_PROHIBITED"},
    {0x020, "CKR_DATA_INVALID"},
    {0x021, "CKR_DATA_LEN_RANGE"},
    {0x030, "CKR_DEVICE_ERROR"},
    {0x031, "CKR_DEVICE_MEMORY"},
    {0x032, "CKR_DEVICE_REMOVED"},
    {0x040, "CKR_ENCRYPTED_DATA_INVALID"},
    {0x041, "CKR_ENCRYPTED_DATA_LEN_RANGE"},
    {0x050, "CKR_FUNCTION_CANCELED"},
    {0x051, "CKR_FUNCTION_NOT_PARALLEL"},
    {0x054, "CKR_FUNCTION_NOT_SUPPORTED"},
    {0x060, "CKR_KEY_HANDLE_INVALID"},
    {0x062, "CKR_KEY_SIZE_RANGE"},
    {0x063, "CKR_KEY_TYPE_INCONSISTENT"},
    {0x064, "CKR_KEY_NOT_NEEDED"},
    {0x065, "CKR_KEY_CHANGED"},
    {0x066, "CKR_KEY_NEEDED"},
    {0x067, "CKR_KEY_INDIGESTIBLE"},
    {0x068, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
    {0x069, "CKR_KEY_NOT_WRAPPABLE"},
    {0x06A, "CKR_KEY_UNEXTRACTABLE"},
    {0x070, "CKR_MECHANISM_INVALID"},
    {0x071, "CKR_MECHANISM_PARAM_INVALID"},
    {0x082, "CKR_OBJECT_HANDLE_INVALID"},
    {0x090, "CKR_OPERATION_ACTIVE"},
    {0x091, "CKR_OPERATION_NOT_INITIALIZED"},
    {0x0A0, "CKR_PIN_INCORRECT"},
    {0x0A1, "CKR_PIN_INVALID"},
    {0x0A2, "CKR_PIN_LEN_RANGE"},
    {0x0A3, "CKR_PIN_EXPIRED"},
    {0x0A4, "CKR_PIN_LOCKED"},
    {0x0B0, "CKR_SESSION_CLOSED"},
    {0x0B1, "CKR_SESSION_COUNT"},
    {0x0B3, "CKR_SESSION_HANDLE_INVALID"},
    {0x0B4, "CKR_SESSION_PARALLEL_NOT_SUPPORTED"},
    {0x0B5, "CKR_SESSION_READ_ONLY"},
    {0x0B6, "CKR_SESSION_EXISTS"},
    {0x0B7, "CKR_SESSION_READ_ONLY_EXISTS"},
    {0x0B8, "CKR_SESSION_READ_WRITE_SO_EXISTS"},
    {0x0C0, "CKR_SIGNATURE_INVALID"},
    {0x0C1, "CKR_SIGNATURE_LEN_RANGE"},
    {0x0D0, "CKR_TEMPLATE_INCOMPLETE"},
    {0x0D1, "CKR_TEMPLATE_INCONSISTENT"},
    {0x0E0, "CKR_TOKEN_NOT_PRESENT"},
    {0x0E1, "CKR_TOKEN_NOT_RECOGNIZED"},
    {0x0E2, "CKR_TOKEN_WRITE_PROTECTED"},
    {0x0F0, "CKR_UNWRAPPING_KEY_HANDLE_INVALID"},
    {0x0F1, "CKR_UNWRAPPING_KEY_SIZE_RANGE"},
    {0x0F2, "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT"},
    {0x100, "CKR_USER_ALREADY_LOGGED_IN"},
    {0x101, "CKR_USER_NOT_LOGGED_IN"},
    {0x102, "CKR_USER_PIN_NOT_INITIALIZED"},
    {0x103, "CKR_USER_TYPE_INVALID"},
    {0x104, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN"},
    {0x105, "CKR_USER_TOO_MANY_TYPES"},
    {0x110, "CKR_WRAPPED_KEY_INVALID"},
    {0x112, "CKR_WRAPPED_KEY_LEN_RANGE"},
    {0x113, "CKR_WRAPPING_KEY_HANDLE_INVALID"},
    {0x114, "CKR_WRAPPING_KEY_SIZE_RANGE"},
    {0x115, "CKR_WRAPPING_KEY_TYPE_INCONSISTENT"},
    {0x120, "CKR_RANDOM_SEED_NOT_SUPPORTED"},
    {0x121, "CKR_RANDOM_NO_RNG"},
    {0x130, "CKR_DOMAIN_PARAMS_INVALID"},
    {0x140, "CKR_CURVE_NOT_SUPPORTED"},
    {0x150, "CKR_BUFFER_TOO_SMALL"},
    {0x160, "CKR_SAVED_STATE_INVALID"},
    {0x170, "CKR_INFORMATION_SENSITIVE"},
    {0x180, "CKR_STATE_UNSAVEABLE"},
    {0x190, "CKR_CRYPTOKI_NOT_INITIALIZED"},
    {0x191, "CKR_CRYPTOKI_ALREADY_INITIALIZED"},
    {0x1A0, "CKR_MUTEX_BAD"},
    {0x1A1, "CKR_MUTEX_NOT_LOCKED"},
    {0x1B0, "CKR_NEW_PIN_MODE"},
    {0x1B1, "CKR_NEXT_OTP"},
    {0x1C0, "CKR_EXCEEDED_MAX_ITERATIONS"},
    {0x1C1, "CKR_FIPS_SELF_TEST_FAILED"},
    {0x1C2, "CKR_LIBRARY_LOAD_FAILED"},
    {0x1C3, "CKR_PIN_TOO_WEAK"},
    {0x1C4, "CKR_PUBLIC_KEY_INVALID"},
    {0x200, "CKR_FUNCTION_REJECTED"},
}};

// The values the mapping to ErrorKind needs, named as in pkcs11.h.
constexpr unsigned long kCkrCancel = 0x001;
constexpr unsigned long kCkrSlotIdInvalid = 0x003;
constexpr unsigned long kCkrArgumentsBad = 0x007;
constexpr unsigned long kCkrDeviceRemoved = 0x032;
constexpr unsigned long kCkrFunctionCanceled = 0x050;
constexpr unsigned long kCkrKeyHandleInvalid = 0x060;
constexpr unsigned long kCkrPinExpired = 0x0A3;
constexpr unsigned long kCkrUserPinNotInitialized = 0x102;
constexpr unsigned long kCkrPinIncorrect = 0x0A0;
constexpr unsigned long kCkrPinInvalid = 0x0A1;
constexpr unsigned long kCkrPinLenRange = 0x0A2;
constexpr unsigned long kCkrPinLocked = 0x0A4;
constexpr unsigned long kCkrSessionClosed = 0x0B0;
constexpr unsigned long kCkrSessionHandleInvalid = 0x0B3;
constexpr unsigned long kCkrTokenNotPresent = 0x0E0;
constexpr unsigned long kCkrTokenNotRecognized = 0x0E1;
constexpr unsigned long kCkrPinTooWeak = 0x1C3;
constexpr unsigned long kCkrVendorDefined = 0x80000000UL;

}  // namespace

const char* pkcs11ErrorName(unsigned long rv) noexcept {
  if (rv >= kCkrVendorDefined) return "CKR_VENDOR_DEFINED";
  const auto found = std::lower_bound(kCkrNames.begin(), kCkrNames.end(), rv,
                                      [](const CkrName& e, unsigned long v) { return e.rv < v; });
  return found != kCkrNames.end() && found->rv == rv ? found->name : "CKR_UNRECOGNIZED";
}

ErrorKind pkcs11ErrorKind(unsigned long rv) noexcept {
  switch (rv) {
    case kCkrSlotIdInvalid:
      return ErrorKind::NoReader;  // The slot (reader) went away.
    case kCkrDeviceRemoved:
    case kCkrTokenNotPresent:
    // The module dropped our session: the token went away under it (pulled card, restarted middleware).
    case kCkrSessionHandleInvalid:
    case kCkrSessionClosed:
      return ErrorKind::CardRemoved;
    case kCkrPinIncorrect:
      return ErrorKind::PinIncorrect;
    case kCkrPinLocked:
    case kCkrPinExpired:  // the card refuses the PIN until it is reset, as for a lock
      return ErrorKind::PinLocked;
    case kCkrUserPinNotInitialized:
      return ErrorKind::PinNotInitialized;
    case kCkrKeyHandleInvalid:
      return ErrorKind::KeyNotFound;
    case kCkrPinInvalid:
    case kCkrPinLenRange:
    case kCkrPinTooWeak:
      return ErrorKind::PinPolicy;
    case kCkrTokenNotRecognized:
      return ErrorKind::CardNotSupported;
    case kCkrCancel:
    case kCkrFunctionCanceled:
      return ErrorKind::Cancelled;
    case kCkrArgumentsBad:
      return ErrorKind::InvalidArgument;  // Our bug: not worth retrying.
    default:
      return ErrorKind::Pkcs11;
  }
}

void ck::throwCkr(const char* function, Rv rv, std::source_location where) {
  throw CardError(pkcs11ErrorKind(rv), std::string("PKCS#11 call ") + function + " failed", function,
                  static_cast<long>(rv), pkcs11ErrorName(rv), where);
}

}  // namespace certbridge::card::detail
