#pragma once
// The terminal: what the command needs of the console it runs in. terminal.cpp reads lines the same way on
// every platform over a few primitives (terminal_platform.hpp) of terminal_posix.cpp (termios, read(2)) and
// terminal_windows.cpp (the console API, the C runtime's descriptors).

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>

namespace certbridge::cli::terminal {

/// One line as read: its bytes (UTF-8) in the caller's buffer, never in a std::string that could leave a copy.
struct Line {
  std::size_t length = 0;  ///< Bytes kept (at most the buffer's size - 1).
  bool tooLong = false;    ///< More was typed than the buffer holds; the rest was read and dropped.
};

/// True when standard input is an interactive terminal (a console window on Windows).
bool standardInputIsTerminal();

/// True when fd is an open descriptor (for --pin-fd, checked before any question is asked).
bool descriptorIsOpen(int fd);

/// Reads one line from fd byte by byte (no buffering keeps a secret beyond the call). "\r" is dropped and
/// "\n" ends the line. false at end of input before any byte, or on a read error.
bool readDescriptorLine(int fd, std::span<char> buffer, Line& line);

/// readDescriptorLine on standard input (a pipe or file: no terminal).
bool readStandardInputLine(std::span<char> buffer, Line& line);

/// Appends one byte of a line, or marks the line too long when the buffer is full (its last byte stays free).
void appendByte(char byte, std::span<char> buffer, Line& line);

/// Shows prompt on out and reads one line typed at the terminal on standard input, as UTF-8. With echo false,
/// echo is off from before the prompt (what was typed ahead is discarded, never shown) until the line is
/// read, and is put back however the program ends (return, exception, Ctrl-C). false at end of input.
bool readTerminalLine(const std::string& prompt, std::ostream& out, bool echo, std::span<char> buffer, Line& line);

/// While alive, text the program writes shows correctly in the console (UTF-8 output on Windows, whose consoles
/// otherwise use the ANSI code page); the console's previous setting comes back afterwards. Nothing elsewhere.
class Utf8Console {
 public:
  Utf8Console();
  ~Utf8Console();
  Utf8Console(const Utf8Console&) = delete;
  Utf8Console& operator=(const Utf8Console&) = delete;

 private:
  unsigned int previousCodePage_ = 0;
};

}  // namespace certbridge::cli::terminal
