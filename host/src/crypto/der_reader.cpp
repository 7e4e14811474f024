#include "der_reader.hpp"

namespace certbridge::host::crypto::der {

std::optional<Element> Reader::next() noexcept {
  if (rest_.size() < 2 || (rest_[0] & 0x1f) == 0x1f) return std::nullopt;
  std::size_t length = rest_[1];
  std::size_t header = 2;
  if ((length & 0x80) != 0) {
    const std::size_t lengthBytes = length & 0x7f;
    // 0x80 is the indefinite length (BER only); more than 4 length bytes is no certificate this host reads.
    if (lengthBytes == 0 || lengthBytes > 4 || rest_.size() < 2 + lengthBytes || rest_[2] == 0) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < lengthBytes; ++i) length = (length << 8) | rest_[2 + i];
    if (length < 0x80) return std::nullopt;  // DER uses the short form for these.
    header += lengthBytes;
  }
  if (rest_.size() - header < length) return std::nullopt;
  Element element;
  element.tag = rest_[0];
  element.content = rest_.subspan(header, length);
  element.encoding = rest_.first(header + length);
  rest_ = rest_.subspan(header + length);
  return element;
}

std::optional<Element> readSingle(std::span<const std::uint8_t> bytes) noexcept {
  Reader reader(bytes);
  auto element = reader.next();
  if (!element || !reader.atEnd()) return std::nullopt;
  return element;
}

std::optional<std::string> objectIdentifierText(std::span<const std::uint8_t> content) {
  if (content.empty() || (content.back() & 0x80) != 0) return std::nullopt;
  std::string text;
  std::uint64_t value = 0;
  bool first = true;
  std::size_t digits = 0;
  for (const std::uint8_t byte : content) {
    if (digits == 0 && byte == 0x80) return std::nullopt;  // A leading zero digit: not minimal.
    if (++digits > 9) return std::nullopt;                 // Past 63 bits.
    value = (value << 7) | (byte & 0x7fu);
    if ((byte & 0x80) != 0) continue;
    if (first) {
      const std::uint64_t top = value < 80 ? value / 40 : 2;
      text = std::to_string(top) + "." + std::to_string(value - top * 40);
      first = false;
    } else {
      text += "." + std::to_string(value);
    }
    value = 0;
    digits = 0;
  }
  return text;
}

}  // namespace certbridge::host::crypto::der
