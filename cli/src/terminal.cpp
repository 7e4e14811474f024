// Reading lines and PINs: the same on every platform, over the primitives of terminal_platform.hpp.

#include <ostream>

#include "certbridge/card/secret_string.hpp"
#include "terminal.hpp"
#include "terminal_platform.hpp"

namespace certbridge::cli::terminal {

// Standard input's descriptor (0 on every platform the command runs on).
constexpr int kStandardInput = 0;

void appendByte(char byte, std::span<char> buffer, Line& line) {
  if (line.length < buffer.size() - 1) {
    buffer[line.length++] = byte;
  } else {
    line.tooLong = true;
  }
}

bool readDescriptorLine(int fd, std::span<char> buffer, Line& line) {
  line = Line{};
  bool any = false;
  for (;;) {
    char c = 0;
    if (platform::readByte(fd, c) != 1) return any;
    any = true;
    if (c == '\n') return true;
    if (c != '\r') appendByte(c, buffer, line);
    card::wipeMemory(&c, 1);
  }
}

bool readTerminalLine(const std::string& prompt, std::ostream& out, bool echo, std::span<char> buffer, Line& line) {
  if (echo) {
    out << prompt << std::flush;
    return platform::readConsoleLine(buffer, line);
  }
  bool got = false;
  {
    // Echo off first, then the prompt: what was typed before the prompt is discarded, never echoed.
    platform::EchoOff quiet;
    out << prompt << std::flush;
    got = platform::readConsoleLine(buffer, line);
  }
  out << "\n" << std::flush;  // the Enter the user typed was not echoed
  return got;
}

bool readStandardInputLine(std::span<char> buffer, Line& line) {
  return readDescriptorLine(kStandardInput, buffer, line);
}

}  // namespace certbridge::cli::terminal
