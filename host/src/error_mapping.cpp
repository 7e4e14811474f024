#include "certbridge/host/error_mapping.hpp"

#include <array>
#include <string_view>

namespace certbridge::host {
namespace {

using card::ErrorKind;

struct NativeMapping {
  std::string_view name;
  ErrorCode code;
};

// PKCS#11 return values with a more precise protocol code than PKCS11_ERROR.
constexpr std::array<NativeMapping, 12> kCkrMappings = {{
    {"CKR_PIN_INCORRECT", ErrorCode::PinIncorrect},
    {"CKR_PIN_LOCKED", ErrorCode::PinLocked},
    {"CKR_PIN_EXPIRED", ErrorCode::PinLocked},
    {"CKR_PIN_LEN_RANGE", ErrorCode::PinPolicy},
    {"CKR_PIN_INVALID", ErrorCode::PinPolicy},
    {"CKR_USER_PIN_NOT_INITIALIZED", ErrorCode::CardNotInitialized},
    {"CKR_TOKEN_NOT_PRESENT", ErrorCode::CardRemoved},
    {"CKR_DEVICE_REMOVED", ErrorCode::CardRemoved},
    {"CKR_SESSION_HANDLE_INVALID", ErrorCode::CardRemoved},
    {"CKR_TOKEN_NOT_RECOGNIZED", ErrorCode::CardNotSupported},
    {"CKR_FUNCTION_CANCELED", ErrorCode::UserCancelled},
    {"CKR_KEY_HANDLE_INVALID", ErrorCode::KeyNotFound},
}};

// PC/SC return values with a more precise protocol code than PCSC_ERROR.
constexpr std::array<NativeMapping, 13> kScardMappings = {{
    {"SCARD_E_NO_SERVICE", ErrorCode::PcscUnavailable},
    {"SCARD_E_SERVICE_STOPPED", ErrorCode::PcscUnavailable},
    {"SCARD_E_NO_READERS_AVAILABLE", ErrorCode::NoReader},
    {"SCARD_E_UNKNOWN_READER", ErrorCode::NoReader},
    {"SCARD_E_READER_UNAVAILABLE", ErrorCode::NoReader},
    {"SCARD_E_NO_SMARTCARD", ErrorCode::NoCard},
    {"SCARD_W_REMOVED_CARD", ErrorCode::CardRemoved},
    {"SCARD_W_RESET_CARD", ErrorCode::CardRemoved},
    {"SCARD_W_UNRESPONSIVE_CARD", ErrorCode::CardNotSupported},
    {"SCARD_W_UNSUPPORTED_CARD", ErrorCode::CardNotSupported},
    {"SCARD_E_SHARING_VIOLATION", ErrorCode::Busy},
    {"SCARD_E_TIMEOUT", ErrorCode::Timeout},
    {"SCARD_E_CANCELLED", ErrorCode::UserCancelled},
}};

template <std::size_t N>
ErrorCode lookup(const std::array<NativeMapping, N>& table, std::string_view name, ErrorCode fallback) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.code;
  }
  return fallback;
}

}  // namespace

ProtocolError toProtocolError(const card::CardError& error) {
  nlohmann::json details = nlohmann::json::object();
  ErrorCode code = ErrorCode::InternalError;
  switch (error.kind()) {
    case ErrorKind::PcscUnavailable:
      code = ErrorCode::PcscUnavailable;
      break;
    case ErrorKind::NoReader:
      code = ErrorCode::NoReader;
      break;
    case ErrorKind::NoCard:
      code = ErrorCode::NoCard;
      break;
    case ErrorKind::CardRemoved:
      code = ErrorCode::CardRemoved;
      break;
    case ErrorKind::CardNotSupported:
      code = ErrorCode::CardNotSupported;
      break;
    case ErrorKind::ModuleUnavailable:
      code = ErrorCode::Pkcs11ModuleUnavailable;
      break;
    case ErrorKind::TokenNotFound:
      code = ErrorCode::TokenNotFound;
      break;
    case ErrorKind::Pkcs11:
      code = lookup(kCkrMappings, error.nativeName(), ErrorCode::Pkcs11Error);
      break;
    case ErrorKind::Pcsc:
      code = lookup(kScardMappings, error.nativeName(), ErrorCode::PcscError);
      break;
    case ErrorKind::Cancelled:
      code = ErrorCode::UserCancelled;
      break;
    case ErrorKind::PinIncorrect:
      code = ErrorCode::PinIncorrect;
      if (error.triesLeft()) details["triesLeft"] = *error.triesLeft();
      break;
    case ErrorKind::PinLocked:
      code = ErrorCode::PinLocked;
      details["triesLeft"] = 0;
      break;
    case ErrorKind::PinPolicy:
      code = ErrorCode::PinPolicy;
      break;
    case ErrorKind::KeyNotFound:
      code = ErrorCode::KeyNotFound;
      break;
    case ErrorKind::InvalidArgument:
      code = ErrorCode::InternalError;  // our own bug: requests are validated before card work
      break;
  }
  if (!error.nativeName().empty()) {
    if (error.nativeName().starts_with("CKR_")) details["ckr"] = error.nativeName();
    if (error.nativeName().starts_with("SCARD_")) details["pcsc"] = error.nativeName();
  }
  return ProtocolError(code, std::move(details));
}

}  // namespace certbridge::host
