// CardError and the names of error kinds.

#include "certbridge/card/error.hpp"

#include <utility>

namespace certbridge::card {

namespace {

// Only the file name: full build paths differ between machines and say nothing to a help desk.
std::string formatLocation(const std::source_location& where) {
  std::string file = where.file_name();
  if (const auto slash = file.find_last_of("/\\"); slash != std::string::npos) file.erase(0, slash + 1);
  return file + ":" + std::to_string(where.line());
}

// what() carries the native name too, so a log line alone is enough to diagnose a failure.
std::string composeMessage(const std::string& detail, const std::string& function, const std::string& nativeName) {
  if (function.empty()) return detail;
  return detail + " (" + function + (nativeName.empty() ? "" : ": " + nativeName) + ")";
}

}  // namespace

const char* toString(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::PcscUnavailable:
      return "PcscUnavailable";
    case ErrorKind::NoReader:
      return "NoReader";
    case ErrorKind::NoCard:
      return "NoCard";
    case ErrorKind::CardRemoved:
      return "CardRemoved";
    case ErrorKind::CardNotSupported:
      return "CardNotSupported";
    case ErrorKind::ModuleUnavailable:
      return "ModuleUnavailable";
    case ErrorKind::ModuleFailed:
      return "ModuleFailed";
    case ErrorKind::TokenNotFound:
      return "TokenNotFound";
    case ErrorKind::Pkcs11:
      return "Pkcs11";
    case ErrorKind::Pcsc:
      return "Pcsc";
    case ErrorKind::Cancelled:
      return "Cancelled";
    case ErrorKind::InvalidArgument:
      return "InvalidArgument";
    case ErrorKind::PinIncorrect:
      return "PinIncorrect";
    case ErrorKind::PinLocked:
      return "PinLocked";
    case ErrorKind::PinPolicy:
      return "PinPolicy";
    case ErrorKind::KeyNotFound:
      return "KeyNotFound";
    case ErrorKind::PinNotInitialized:
      return "PinNotInitialized";
    case ErrorKind::CardBusy:
      return "CardBusy";
    case ErrorKind::Timeout:
      return "Timeout";
  }
  return "Unknown";
}

CardError::CardError(ErrorKind kind, const std::string& detail, std::string function, long nativeCode,
                     std::string nativeName, std::source_location where)
    : std::runtime_error(composeMessage(detail, function, nativeName)),
      kind_(kind),
      function_(std::move(function)),
      nativeCode_(nativeCode),
      nativeName_(std::move(nativeName)),
      location_(formatLocation(where)) {}

}  // namespace certbridge::card
