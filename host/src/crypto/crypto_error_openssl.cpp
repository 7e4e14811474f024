// CryptoError with OpenSSL: the message carries the thread's OpenSSL error queue.
#include "crypto_error.hpp"

#include <openssl/err.h>

#include <string>

namespace certbridge::host::crypto {
namespace {

// A failing call can queue many entries (a whole decoder chain); the first few say what went wrong.
constexpr int kMaxReportedErrors = 4;

// "what: error:...:reason (data); error:..." with the queue emptied afterwards.
std::string messageWithErrorQueue(std::string_view what) {
  std::string message(what);
  int reported = 0;
  const char* data = nullptr;
  int flags = 0;
  while (const unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    if (reported++ >= kMaxReportedErrors) continue;  // Keep draining so the queue ends up empty.
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    message += reported == 1 ? ": " : "; ";
    message += text;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      message += " (";
      message += data;
      message += ')';
    }
  }
  return message;
}

}  // namespace

CryptoError::CryptoError(std::string_view what) : std::runtime_error(messageWithErrorQueue(what)) {}

void throwCryptoError(std::string_view what) {
  throw CryptoError(what);
}

}  // namespace certbridge::host::crypto
