// The terminal on Windows: the console API for PINs (ReadConsoleW, so any character the keyboard gives
// arrives as UTF-8, whatever the console's code page) and the C runtime's descriptors for --pin-fd.

#include <io.h>
#include <windows.h>

#include <array>

#include "certbridge/card/secret_string.hpp"
#include "terminal.hpp"
#include "terminal_platform.hpp"

namespace certbridge::cli::terminal {
namespace {

HANDLE consoleInput() {
  return ::GetStdHandle(STD_INPUT_HANDLE);
}

// The input mode to put back if Ctrl-C or a closed window ends the program while echo is off (the console
// outlives us: cmd.exe would go on without echo). Written before the handler is installed.
HANDLE savedConsole = nullptr;
DWORD savedMode = 0;

BOOL WINAPI restoreConsoleAndGoOn(DWORD /*event*/) {
  if (savedConsole != nullptr) ::SetConsoleMode(savedConsole, savedMode);
  return FALSE;  // the default handler then ends the program, as without us
}

// Appends one code point as UTF-8.
void appendUtf8(char32_t code, std::span<char> buffer, Line& line) {
  std::array<char, 4> bytes{};
  std::size_t count = 0;
  if (code < 0x80) {
    bytes[count++] = static_cast<char>(code);
  } else if (code < 0x800) {
    bytes[count++] = static_cast<char>(0xC0 | (code >> 6));
    bytes[count++] = static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    bytes[count++] = static_cast<char>(0xE0 | (code >> 12));
    bytes[count++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    bytes[count++] = static_cast<char>(0x80 | (code & 0x3F));
  } else {
    bytes[count++] = static_cast<char>(0xF0 | (code >> 18));
    bytes[count++] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    bytes[count++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    bytes[count++] = static_cast<char>(0x80 | (code & 0x3F));
  }
  for (std::size_t i = 0; i < count; ++i) appendByte(bytes[i], buffer, line);
  card::wipeMemory(bytes.data(), bytes.size());
}

}  // namespace

bool standardInputIsTerminal() {
  DWORD mode = 0;
  return ::GetConsoleMode(consoleInput(), &mode) != 0;
}

bool descriptorIsOpen(int fd) {
  return ::_get_osfhandle(fd) != -1;
}

namespace platform {

int readByte(int fd, char& byte) {
  return ::_read(fd, &byte, 1) == 1 ? 1 : 0;
}

// One line from the console, a UTF-16 unit at a time (surrogate pairs joined). false at end of input:
// nothing read, or Ctrl-Z at the start of the line (the console's end of file).
bool readConsoleLine(std::span<char> buffer, Line& line) {
  const HANDLE console = consoleInput();
  line = Line{};
  bool any = false;
  wchar_t highSurrogate = 0;
  for (;;) {
    wchar_t unit = 0;
    DWORD got = 0;
    if (::ReadConsoleW(console, &unit, 1, &got, nullptr) == 0 || got == 0) return any;
    if (!any && unit == 0x1A) return false;
    any = true;
    if (unit == L'\n') return true;
    if (unit == L'\r') continue;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      highSurrogate = unit;
      continue;
    }
    char32_t code = unit;
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      code = highSurrogate != 0 ? 0x10000 + ((static_cast<char32_t>(highSurrogate) - 0xD800) << 10) + (unit - 0xDC00)
                                : 0xFFFD;
    } else if (highSurrogate != 0) {
      appendUtf8(0xFFFD, buffer, line);  // a high surrogate alone
    }
    highSurrogate = 0;
    appendUtf8(code, buffer, line);
    card::wipeMemory(&unit, sizeof unit);
    card::wipeMemory(&code, sizeof code);
  }
}

struct EchoOff::Saved {
  HANDLE console = nullptr;
  DWORD mode = 0;
  bool active = false;
};

EchoOff::EchoOff() : saved_(std::make_unique<Saved>()) {
  saved_->console = consoleInput();
  if (::GetConsoleMode(saved_->console, &saved_->mode) == 0) return;
  savedMode = saved_->mode;
  savedConsole = saved_->console;
  ::SetConsoleCtrlHandler(restoreConsoleAndGoOn, TRUE);
  const DWORD quiet =
      (saved_->mode | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT) & ~static_cast<DWORD>(ENABLE_ECHO_INPUT);
  saved_->active = ::SetConsoleMode(saved_->console, quiet) != 0;
  // What was typed before the prompt is discarded, never taken as the PIN.
  if (saved_->active) ::FlushConsoleInputBuffer(saved_->console);
}

EchoOff::~EchoOff() {
  if (saved_->active) ::SetConsoleMode(saved_->console, saved_->mode);
  if (savedConsole == saved_->console) {
    ::SetConsoleCtrlHandler(restoreConsoleAndGoOn, FALSE);
    savedConsole = nullptr;
  }
}

}  // namespace platform

Utf8Console::Utf8Console() : previousCodePage_(::GetConsoleOutputCP()) {
  if (previousCodePage_ != 0 && previousCodePage_ != CP_UTF8) ::SetConsoleOutputCP(CP_UTF8);
}

Utf8Console::~Utf8Console() {
  if (previousCodePage_ != 0 && previousCodePage_ != CP_UTF8) ::SetConsoleOutputCP(previousCodePage_);
}

}  // namespace certbridge::cli::terminal
