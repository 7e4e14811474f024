#include "secret_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <ostream>

#include "certbridge/protocol.hpp"

namespace certbridge::cli {
namespace {

// The terminal settings to put back if a signal ends the program while echo is off (Ctrl-C at a PIN
// prompt must not leave the user's shell without echo). Written before the handlers can run.
termios savedTerminal{};
int savedTerminalFd = -1;

extern "C" void restoreTerminalAndDie(int signal) {
  if (savedTerminalFd >= 0) ::tcsetattr(savedTerminalFd, TCSANOW, &savedTerminal);  // async-signal-safe
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// Turns echo off for one read and restores it however the read ends (return, exception or signal).
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    savedTerminal = saved_;
    savedTerminalFd = fd_;
    for (const int signal : kSignals) previous_[index(signal)] = std::signal(signal, restoreTerminalAndDie);
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    if (savedTerminalFd == fd_) {
      for (const int signal : kSignals) std::signal(signal, previous_[index(signal)]);
      savedTerminalFd = -1;
    }
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  static constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  static std::size_t index(int signal) {
    return static_cast<std::size_t>(std::find(kSignals.begin(), kSignals.end(), signal) - kSignals.begin());
  }

  int fd_;
  termios saved_{};
  bool active_ = false;
  std::array<void (*)(int), 4> previous_{};
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
