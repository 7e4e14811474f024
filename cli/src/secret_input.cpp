#include "secret_input.hpp"

#include <array>
#include <ostream>
#include <span>

#include "certbridge/protocol.hpp"
#include "terminal.hpp"

namespace certbridge::cli {
namespace {

// Longest line kept: a secret's limit in code points, 4 bytes each at most. A longer line is read to its
// end (so the next prompt does not get the rest) and returned over-long, for the caller's length check.
constexpr std::size_t kLineBytes = protocol::kSecretMaxLength * 4 + 8;

}  // namespace

std::size_t codePoints(const char* text, std::size_t size) noexcept {
  std::size_t count = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) ++count;
  }
  return count;
}

bool SecretInput::available() const {
  return pinFd_.has_value() || terminal::standardInputIsTerminal();
}

std::optional<card::SecretString> SecretInput::read(const std::string& prompt, std::ostream& out) const {
  std::array<char, kLineBytes> buffer{};
  terminal::Line line;
  const bool got = pinFd_ ? terminal::readDescriptorLine(*pinFd_, buffer, line)
                          : terminal::readTerminalLine(prompt, out, false, buffer, line);
  if (!got) {
    card::wipeMemory(buffer.data(), buffer.size());
    return std::nullopt;
  }
  // Over-long input stays over-long (filled to the limit + 1 code point) so the length rule refuses it.
  if (line.tooLong && line.length < buffer.size() - 1) buffer[line.length++] = 'x';
  card::SecretString secret = card::SecretString::takeFrom(std::span<char>(buffer.data(), line.length));
  card::wipeMemory(buffer.data(), buffer.size());
  return secret;
}

std::optional<std::string> SecretInput::readLine(const std::string& prompt, std::ostream& out) {
  // Not a secret (a "y", an encrypted authorization): an ordinary line, up to a bound no answer comes near.
  static std::array<char, 64 * 1024> buffer{};
  terminal::Line line;
  bool got = false;
  if (terminal::standardInputIsTerminal()) {
    got = terminal::readTerminalLine(prompt, out, true, buffer, line);
  } else {
    out << prompt << std::flush;
    got = terminal::readStandardInputLine(buffer, line);
  }
  if (!got) return std::nullopt;
  return std::string(buffer.data(), line.length);
}

}  // namespace certbridge::cli
