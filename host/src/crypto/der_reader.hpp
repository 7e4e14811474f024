#pragma once
// A small DER reader (X.690) for the few places where the facts must come from the encoding itself: names
// (the RFC 2253 text needs each value's string type and bytes, which crypt32 converts to UTF-16) and the
// public key exactly as a certificate holds it.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace certbridge::host::crypto::der {

struct Element {
  std::uint8_t tag = 0;                    ///< One-byte tags only (all this project reads).
  std::span<const std::uint8_t> content;   ///< The value bytes.
  std::span<const std::uint8_t> encoding;  ///< Tag, length and value.
};

/// Consecutive elements of a byte string (the content of a SEQUENCE or SET, or a whole encoding).
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) noexcept : rest_(bytes) {}

  bool atEnd() const noexcept { return rest_.empty(); }

  /// The next element, or nullopt at the end or when the bytes are not DER (multi-byte tag, indefinite or
  /// non-minimal length, a length past the end).
  std::optional<Element> next() noexcept;

 private:
  std::span<const std::uint8_t> rest_;
};

/// The one element that bytes holds exactly; nullopt when bytes hold anything else or trailing bytes.
std::optional<Element> readSingle(std::span<const std::uint8_t> bytes) noexcept;

/// Dotted text of an OBJECT IDENTIFIER's content ("2.5.4.3"); nullopt when malformed.
std::optional<std::string> objectIdentifierText(std::span<const std::uint8_t> content);

}  // namespace certbridge::host::crypto::der
