#pragma once
// Where PINs come from: typed at the terminal without echo, or, for scripts, read from a file descriptor the
// caller opened (--pin-fd N: one secret per line). Never from an argument or an environment variable, which
// other users' `ps` and /proc/<pid>/environ show, and shells keep in their history.

#include <iosfwd>
#include <optional>
#include <string>

#include "certbridge/card/secret_string.hpp"

namespace certbridge::cli {

class SecretInput {
 public:
  /// From the terminal on standard input (pinFd nullopt) or from pinFd.
  explicit SecretInput(std::optional<int> pinFd) : pinFd_(pinFd) {}

  /// True when secrets can be read: standard input is a terminal, or a PIN descriptor was given.
  bool available() const;

  /// Prints prompt on out and reads one line without echo (terminal) or one line from the descriptor.
  /// nullopt at end of input (Ctrl-D, closed descriptor) or on a read error. The line break is not kept.
  std::optional<card::SecretString> read(const std::string& prompt, std::ostream& out) const;

  /// Reads one ordinary (echoed) line from standard input, e.g. "y" to confirm; nullopt at end of input.
  static std::optional<std::string> readLine(const std::string& prompt, std::ostream& out);

 private:
  std::optional<int> pinFd_;
};

/// The number of Unicode code points in UTF-8 text (how PIN lengths are counted, as the host counts them).
std::size_t codePoints(const char* text, std::size_t size) noexcept;

}  // namespace certbridge::cli
