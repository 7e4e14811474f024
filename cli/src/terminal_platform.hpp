#pragma once
// What terminal.cpp needs of each platform (terminal_posix.cpp, terminal_windows.cpp); not for other callers.

#include <memory>
#include <span>

#include "terminal.hpp"

namespace certbridge::cli::terminal::platform {

/// Reads one byte from fd: 1, or 0 at end of input or on an error (an interrupted read is retried).
int readByte(int fd, char& byte);

/// Reads one line typed at the terminal on standard input, as UTF-8. false at end of input.
bool readConsoleLine(std::span<char> buffer, Line& line);

/// Echo off on the terminal of standard input for as long as it lives (what was typed ahead is discarded),
/// and back on however the program ends: return, exception, Ctrl-C.
class EchoOff {
 public:
  EchoOff();
  ~EchoOff();
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace certbridge::cli::terminal::platform
