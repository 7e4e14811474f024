#include "certbridge/host/error_mapping.hpp"

namespace certbridge::host {
namespace {

using card::ErrorKind;

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
    case ErrorKind::ModuleFailed:
      code = ErrorCode::Pkcs11ModuleFailed;
      break;
    case ErrorKind::TokenNotFound:
      code = ErrorCode::TokenNotFound;
      break;
    case ErrorKind::Pkcs11:
      code = ErrorCode::Pkcs11Error;
      break;
    case ErrorKind::Pcsc:
      code = ErrorCode::PcscError;
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
    case ErrorKind::PinNotInitialized:
      code = ErrorCode::CardNotInitialized;
      break;
    case ErrorKind::CardBusy:
      code = ErrorCode::Busy;
      break;
    case ErrorKind::Timeout:
      code = ErrorCode::Timeout;
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
