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

namespace {

// decimal * 128 + digit, on a decimal string (arcs may exceed 64 bits: UUID arcs under 2.25 have 39 digits).
void timesBase128Plus(std::string& decimal, unsigned digit) {
  unsigned carry = digit;
  for (std::size_t i = decimal.size(); i-- > 0;) {
    const unsigned value = static_cast<unsigned>(decimal[i] - '0') * 128 + carry;
    decimal[i] = static_cast<char>('0' + value % 10);
    carry = value / 10;
  }
  for (; carry != 0; carry /= 10) decimal.insert(decimal.begin(), static_cast<char>('0' + carry % 10));
  const std::size_t first = decimal.find_first_not_of('0');
  decimal.erase(0, first == std::string::npos ? decimal.size() - 1 : first);
}

// decimal - 80 for a decimal string of at least 80.
std::string minus80(std::string decimal) {
  unsigned borrow = 80;
  for (std::size_t i = decimal.size(); i-- > 0 && borrow != 0;) {
    const int digit = decimal[i] - '0' - static_cast<int>(borrow % 10);
    borrow /= 10;
    if (digit < 0) {
      decimal[i] = static_cast<char>('0' + digit + 10);
      ++borrow;
    } else {
      decimal[i] = static_cast<char>('0' + digit);
    }
  }
  const std::size_t first = decimal.find_first_not_of('0');
  decimal.erase(0, first == std::string::npos ? decimal.size() - 1 : first);
  return decimal;
}

}  // namespace

std::optional<std::string> objectIdentifierText(std::span<const std::uint8_t> content) {
  if (content.empty() || (content.back() & 0x80) != 0) return std::nullopt;
  std::string text;
  std::string arc = "0";
  bool startOfArc = true;
  for (const std::uint8_t byte : content) {
    if (startOfArc && byte == 0x80) return std::nullopt;  // A leading zero digit: not minimal.
    startOfArc = false;
    timesBase128Plus(arc, byte & 0x7fu);
    if ((byte & 0x80) != 0) continue;
    if (text.empty()) {  // The first subidentifier holds two arcs: 40 * first + second.
      const bool small = arc.size() < 3 && std::stoi(arc) < 80;
      const int first = small ? std::stoi(arc) / 40 : 2;
      text = std::to_string(first) + "." + (small ? std::to_string(std::stoi(arc) - first * 40) : minus80(arc));
    } else {
      text += "." + arc;
    }
    arc = "0";
    startOfArc = true;
  }
  return text;
}

}  // namespace certbridge::host::crypto::der
