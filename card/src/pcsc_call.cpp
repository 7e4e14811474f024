// PC/SC return code names and their meaning for users.

#include "pcsc_call.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace certbridge::card::detail {

namespace {

struct PcscCode {
  LONG code;
  const char* name;
};

#define CERTBRIDGE_PCSC_CODE(name) \
  PcscCode {                       \
    name, #name                    \
  }

// Every code pcsclite.h defines. pcsc-lite gives SCARD_E_UNEXPECTED and SCARD_E_UNSUPPORTED_FEATURE the
// same value; the first entry wins, so the feature one (what drivers actually mean) comes first.
constexpr std::array kPcscCodes{
    CERTBRIDGE_PCSC_CODE(SCARD_S_SUCCESS),
    CERTBRIDGE_PCSC_CODE(SCARD_F_INTERNAL_ERROR),
    CERTBRIDGE_PCSC_CODE(SCARD_E_CANCELLED),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INVALID_HANDLE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INVALID_PARAMETER),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INVALID_TARGET),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_MEMORY),
    CERTBRIDGE_PCSC_CODE(SCARD_F_WAITED_TOO_LONG),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INSUFFICIENT_BUFFER),
    CERTBRIDGE_PCSC_CODE(SCARD_E_UNKNOWN_READER),
    CERTBRIDGE_PCSC_CODE(SCARD_E_TIMEOUT),
    CERTBRIDGE_PCSC_CODE(SCARD_E_SHARING_VIOLATION),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_SMARTCARD),
    CERTBRIDGE_PCSC_CODE(SCARD_E_UNKNOWN_CARD),
    CERTBRIDGE_PCSC_CODE(SCARD_E_CANT_DISPOSE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_PROTO_MISMATCH),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NOT_READY),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INVALID_VALUE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_SYSTEM_CANCELLED),
    CERTBRIDGE_PCSC_CODE(SCARD_F_COMM_ERROR),
    CERTBRIDGE_PCSC_CODE(SCARD_F_UNKNOWN_ERROR),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INVALID_ATR),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NOT_TRANSACTED),
    CERTBRIDGE_PCSC_CODE(SCARD_E_READER_UNAVAILABLE),
    CERTBRIDGE_PCSC_CODE(SCARD_P_SHUTDOWN),
    CERTBRIDGE_PCSC_CODE(SCARD_E_PCI_TOO_SMALL),
    CERTBRIDGE_PCSC_CODE(SCARD_E_READER_UNSUPPORTED),
    CERTBRIDGE_PCSC_CODE(SCARD_E_DUPLICATE_READER),
    CERTBRIDGE_PCSC_CODE(SCARD_E_CARD_UNSUPPORTED),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_SERVICE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_SERVICE_STOPPED),
    CERTBRIDGE_PCSC_CODE(SCARD_E_UNSUPPORTED_FEATURE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_UNEXPECTED),
    CERTBRIDGE_PCSC_CODE(SCARD_E_ICC_INSTALLATION),
    CERTBRIDGE_PCSC_CODE(SCARD_E_ICC_CREATEORDER),
    CERTBRIDGE_PCSC_CODE(SCARD_E_DIR_NOT_FOUND),
    CERTBRIDGE_PCSC_CODE(SCARD_E_FILE_NOT_FOUND),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_DIR),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_FILE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_ACCESS),
    CERTBRIDGE_PCSC_CODE(SCARD_E_WRITE_TOO_MANY),
    CERTBRIDGE_PCSC_CODE(SCARD_E_BAD_SEEK),
    CERTBRIDGE_PCSC_CODE(SCARD_E_INVALID_CHV),
    CERTBRIDGE_PCSC_CODE(SCARD_E_UNKNOWN_RES_MNG),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_SUCH_CERTIFICATE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_CERTIFICATE_UNAVAILABLE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_READERS_AVAILABLE),
    CERTBRIDGE_PCSC_CODE(SCARD_E_COMM_DATA_LOST),
    CERTBRIDGE_PCSC_CODE(SCARD_E_NO_KEY_CONTAINER),
    CERTBRIDGE_PCSC_CODE(SCARD_E_SERVER_TOO_BUSY),
    CERTBRIDGE_PCSC_CODE(SCARD_W_UNSUPPORTED_CARD),
    CERTBRIDGE_PCSC_CODE(SCARD_W_UNRESPONSIVE_CARD),
    CERTBRIDGE_PCSC_CODE(SCARD_W_UNPOWERED_CARD),
    CERTBRIDGE_PCSC_CODE(SCARD_W_RESET_CARD),
    CERTBRIDGE_PCSC_CODE(SCARD_W_REMOVED_CARD),
    CERTBRIDGE_PCSC_CODE(SCARD_W_SECURITY_VIOLATION),
    CERTBRIDGE_PCSC_CODE(SCARD_W_WRONG_CHV),
    CERTBRIDGE_PCSC_CODE(SCARD_W_CHV_BLOCKED),
    CERTBRIDGE_PCSC_CODE(SCARD_W_EOF),
    CERTBRIDGE_PCSC_CODE(SCARD_W_CANCELLED_BY_USER),
    CERTBRIDGE_PCSC_CODE(SCARD_W_CARD_NOT_AUTHENTICATED),
};

#undef CERTBRIDGE_PCSC_CODE

// The user-facing first half of the message; the function and code name are appended by CardError.
std::string describe(ErrorKind kind, const char* function) {
  switch (kind) {
    case ErrorKind::PcscUnavailable:
      return "The smart card service is not running or not reachable (start pcscd, or the Windows "
             "\"Smart Card\" service)";
    case ErrorKind::NoReader:
      return "The smart card reader is not connected";
    case ErrorKind::NoCard:
      return "There is no card in the reader";
    case ErrorKind::CardRemoved:
      return "The card was removed from the reader";
    case ErrorKind::CardNotSupported:
      return "The reader cannot talk to this card";
    case ErrorKind::Cancelled:
      return "The smart card operation was cancelled";
    default:
      return std::string("PC/SC call ") + function + " failed";
  }
}

}  // namespace

const char* pcscErrorName(LONG code) noexcept {
  const auto* found =
      std::find_if(kPcscCodes.begin(), kPcscCodes.end(), [code](const PcscCode& entry) { return entry.code == code; });
  return found == kPcscCodes.end() ? "SCARD_E_UNRECOGNIZED" : found->name;
}

ErrorKind pcscErrorKind(LONG code) noexcept {
  switch (code) {
    // pcsc-lite reports a daemon that died under an open connection as a communication error.
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
    case SCARD_F_COMM_ERROR:
      return ErrorKind::PcscUnavailable;
    case SCARD_E_NO_READERS_AVAILABLE:
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_READER_UNAVAILABLE:
      return ErrorKind::NoReader;
    case SCARD_E_NO_SMARTCARD:
      return ErrorKind::NoCard;
    case SCARD_W_REMOVED_CARD:
    case SCARD_W_RESET_CARD:  // another application reset it: what we knew of its state is gone
      return ErrorKind::CardRemoved;
    case SCARD_W_UNSUPPORTED_CARD:
    case SCARD_E_CARD_UNSUPPORTED:
    case SCARD_W_UNRESPONSIVE_CARD:
      return ErrorKind::CardNotSupported;
    case SCARD_E_SHARING_VIOLATION:
      return ErrorKind::CardBusy;
    case SCARD_E_TIMEOUT:
      return ErrorKind::Timeout;
    case SCARD_E_CANCELLED:
    case SCARD_W_CANCELLED_BY_USER:
      return ErrorKind::Cancelled;
    // Our own bad arguments: not worth retrying.
    case SCARD_E_INVALID_PARAMETER:
    case SCARD_E_INVALID_VALUE:
      return ErrorKind::InvalidArgument;
    default:
      return ErrorKind::Pcsc;
  }
}

LONG checkPcsc(const char* function, LONG rv, std::initializer_list<LONG> passed, std::source_location where) {
  if (rv == SCARD_S_SUCCESS || std::find(passed.begin(), passed.end(), rv) != passed.end()) return rv;
  const ErrorKind kind = pcscErrorKind(rv);
  throw CardError(kind, describe(kind, function), function, static_cast<long>(rv), pcscErrorName(rv), where);
}

}  // namespace certbridge::card::detail
