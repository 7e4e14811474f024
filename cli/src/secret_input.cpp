#include "secret_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ostream>

#include "certbridge/protocol.hpp"

namespace certbridge::cli {
namespace {

// Restores the terminal's echo however the read ends.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

// Longest line kept: a secret's limit in code points, 4 bytes each at most. A longer line is read to its
// end (so the next prompt does not get the rest) and returned over-long, for the caller's length check.
constexpr std::size_t kLineBytes = protocol::kSecretMaxLength * 4 + 8;

// One line from fd, byte by byte (no buffering that would keep a secret beyond this call). false at end.
bool readLineFrom(int fd, std::array<char, kLineBytes>& buffer, std::size_t& length, bool& tooLong) {
  length = 0;
  tooLong = false;
  bool any = false;
  for (;;) {
    char c = 0;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return any;
    any = true;
    if (c == '\n') return true;
    if (c == '\r') continue;
    if (length < buffer.size() - 1) {
      buffer[length++] = c;
    } else {
      tooLong = true;
    }
    card::wipeMemory(&c, 1);
  }
}

}  // namespace

std::size_t codePoints(const char* text, std::size_t size) noexcept {
  std::size_t count = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) ++count;
  }
  return count;
}

bool SecretInput::available() const {
  return pinFd_.has_value() || ::isatty(STDIN_FILENO) == 1;
}

std::optional<card::SecretString> SecretInput::read(const std::string& prompt, std::ostream& out) const {
  const int fd = pinFd_.value_or(STDIN_FILENO);
  std::array<char, kLineBytes> buffer{};
  std::size_t length = 0;
  bool tooLong = false;
  bool got = false;
  if (pinFd_) {
    got = readLineFrom(fd, buffer, length, tooLong);
  } else {
    {
      // Echo off first, then the prompt: what was typed before the prompt is discarded (TCSAFLUSH), never echoed.
      EchoOff quiet(fd);
      out << prompt << std::flush;
      got = readLineFrom(fd, buffer, length, tooLong);
    }
    out << "\n" << std::flush;  // the Enter the user typed was not echoed
  }
  if (!got) {
    card::wipeMemory(buffer.data(), buffer.size());
    return std::nullopt;
  }
  // Over-long input stays over-long (filled to the limit + 1 code point) so the length rule refuses it.
  if (tooLong && length < buffer.size() - 1) buffer[length++] = 'x';
  card::SecretString secret = card::SecretString::takeFrom(std::span<char>(buffer.data(), length));
  card::wipeMemory(buffer.data(), buffer.size());
  return secret;
}

std::optional<std::string> SecretInput::readLine(const std::string& prompt, std::ostream& out) {
  // Not a secret (a "y", an encrypted authorization): an ordinary line, up to a bound no answer comes near.
  constexpr std::size_t kMaxLineBytes = 64 * 1024;
  out << prompt << std::flush;
  std::string line;
  for (;;) {
    char c = 0;
    const ssize_t got = ::read(STDIN_FILENO, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
    if (c == '\n') return line;
    if (c != '\r' && line.size() < kMaxLineBytes) line += c;
  }
}

}  // namespace certbridge::cli
