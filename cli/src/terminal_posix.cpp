// The terminal on Linux and macOS: termios for echo, read(2) byte by byte.

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <ostream>

#include "certbridge/card/secret_string.hpp"
#include "terminal.hpp"

namespace certbridge::cli::terminal {
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

}  // namespace

bool standardInputIsTerminal() {
  return ::isatty(STDIN_FILENO) == 1;
}

bool descriptorIsOpen(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

bool readDescriptorLine(int fd, std::span<char> buffer, Line& line) {
  line = Line{};
  bool any = false;
  for (;;) {
    char c = 0;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return any;
    any = true;
    if (c == '\n') return true;
    if (c == '\r') continue;
    if (line.length < buffer.size() - 1) {
      buffer[line.length++] = c;
    } else {
      line.tooLong = true;
    }
    card::wipeMemory(&c, 1);
  }
}

bool readTerminalLine(const std::string& prompt, std::ostream& out, bool echo, std::span<char> buffer, Line& line) {
  if (echo) {
    out << prompt << std::flush;
    return readDescriptorLine(STDIN_FILENO, buffer, line);
  }
  bool got = false;
  {
    // Echo off first, then the prompt: what was typed before the prompt is discarded (TCSAFLUSH), never echoed.
    EchoOff quiet(STDIN_FILENO);
    out << prompt << std::flush;
    got = readDescriptorLine(STDIN_FILENO, buffer, line);
  }
  out << "\n" << std::flush;  // the Enter the user typed was not echoed
  return got;
}

Utf8Console::Utf8Console() = default;
Utf8Console::~Utf8Console() = default;

}  // namespace certbridge::cli::terminal
