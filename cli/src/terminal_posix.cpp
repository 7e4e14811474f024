// The terminal on Linux and macOS: termios for echo, read(2) byte by byte.

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <ostream>

#include "terminal.hpp"
#include "terminal_platform.hpp"

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

}  // namespace

bool standardInputIsTerminal() {
  return ::isatty(STDIN_FILENO) == 1;
}

bool descriptorIsOpen(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

namespace platform {

int readByte(int fd, char& byte) {
  for (;;) {
    const ssize_t got = ::read(fd, &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    return got == 1 ? 1 : 0;
  }
}

bool readConsoleLine(std::span<char> buffer, Line& line) {
  return readDescriptorLine(STDIN_FILENO, buffer, line);
}

constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

struct EchoOff::Saved {
  termios terminal{};
  bool active = false;
  std::array<void (*)(int), kSignals.size()> previous{};
};

EchoOff::EchoOff() : saved_(std::make_unique<Saved>()) {
  if (::tcgetattr(STDIN_FILENO, &saved_->terminal) != 0) return;
  savedTerminal = saved_->terminal;
  savedTerminalFd = STDIN_FILENO;
  for (std::size_t i = 0; i < kSignals.size(); ++i)
    saved_->previous[i] = std::signal(kSignals[i], restoreTerminalAndDie);
  termios quiet = saved_->terminal;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  // TCSAFLUSH: what was typed before the prompt is discarded, never read as the PIN.
  saved_->active = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
}

EchoOff::~EchoOff() {
  if (saved_->active) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_->terminal);
  if (savedTerminalFd == STDIN_FILENO) {
    for (std::size_t i = 0; i < kSignals.size(); ++i) std::signal(kSignals[i], saved_->previous[i]);
    savedTerminalFd = -1;
  }
}

}  // namespace platform

Utf8Console::Utf8Console() = default;
Utf8Console::~Utf8Console() = default;

}  // namespace certbridge::cli::terminal
