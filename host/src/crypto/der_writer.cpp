#include "der_writer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace certbridge::host::crypto::der {
namespace {

void appendLength(Bytes& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  std::uint8_t bytes[sizeof(std::size_t)];
  std::size_t count = 0;
  for (std::size_t rest = length; rest != 0; rest >>= 8) bytes[count++] = static_cast<std::uint8_t>(rest & 0xff);
  out.push_back(static_cast<std::uint8_t>(0x80 | count));
  while (count > 0) out.push_back(bytes[--count]);
}

// An arc as decimal digits, any length (UUID arcs under 2.25 have 39 digits), without leading zeros.
std::string decimalArc(std::string_view arc) {
  if (arc.empty() || (arc.size() > 1 && arc.front() == '0') ||
      !std::all_of(arc.begin(), arc.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw std::invalid_argument("not a dotted object identifier");
  }
  return std::string(arc);
}

// Adds a small number to a decimal string.
std::string plus(std::string decimal, unsigned value) {
  unsigned carry = value;
  for (std::size_t i = decimal.size(); i-- > 0 && carry != 0;) {
    const unsigned sum = static_cast<unsigned>(decimal[i] - '0') + carry;
    decimal[i] = static_cast<char>('0' + sum % 10);
    carry = sum / 10;
  }
  for (; carry != 0; carry /= 10) decimal.insert(decimal.begin(), static_cast<char>('0' + carry % 10));
  return decimal;
}

// Base-128 digits of a decimal number, most significant first, the high bit set on all but the last.
void appendBase128(Bytes& out, std::string decimal) {
  std::vector<std::uint8_t> digits;  // Least significant first.
  do {
    std::string quotient;
    unsigned remainder = 0;
    for (const char c : decimal) {
      remainder = remainder * 10 + static_cast<unsigned>(c - '0');
      if (!quotient.empty() || remainder >= 128) quotient += static_cast<char>('0' + remainder / 128);
      remainder %= 128;
    }
    digits.push_back(static_cast<std::uint8_t>(remainder));
    decimal = quotient.empty() ? "0" : quotient;
  } while (decimal != "0");
  for (std::size_t i = digits.size(); i-- > 1;) out.push_back(static_cast<std::uint8_t>(digits[i] | 0x80));
  out.push_back(digits[0]);
}

}  // namespace

Bytes tlv(std::uint8_t tag, std::span<const std::uint8_t> content) {
  Bytes out;
  out.reserve(content.size() + 6);
  out.push_back(tag);
  appendLength(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes concat(Parts parts) {
  Bytes out;
  for (const auto part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes sequence(Parts parts) {
  return tlv(kSequenceTag, concat(parts));
}

Bytes setOf(std::vector<Bytes> elements) {
  std::sort(elements.begin(), elements.end());  // Shorter encodings sort as if padded with zeros: X.690 11.6.
  Bytes content;
  for (const Bytes& element : elements) content.insert(content.end(), element.begin(), element.end());
  return tlv(kSetTag, content);
}

Bytes contextConstructed(unsigned number, std::span<const std::uint8_t> content) {
  if (number >= 31) throw std::invalid_argument("context tag number too large");
  return tlv(static_cast<std::uint8_t>(0xa0 | number), content);
}

Bytes integer(std::uint64_t value) {
  Bytes content;
  for (int shift = 56; shift >= 0; shift -= 8) {
    const auto byte = static_cast<std::uint8_t>((value >> shift) & 0xff);
    if (content.empty() && byte == 0 && shift != 0) continue;
    // A leading 0x80 bit would make the number negative: keep a zero byte before it.
    if (content.empty() && (byte & 0x80) != 0) content.push_back(0);
    content.push_back(byte);
  }
  return tlv(kIntegerTag, content);
}

Bytes boolean(bool value) {
  const std::uint8_t content = value ? 0xff : 0x00;
  return tlv(kBooleanTag, std::span<const std::uint8_t>(&content, 1));
}

Bytes null() {
  return {kNullTag, 0x00};
}

Bytes octetString(std::span<const std::uint8_t> bytes) {
  return tlv(kOctetStringTag, bytes);
}

Bytes objectIdentifier(std::string_view dotted) {
  std::vector<std::string> arcs;
  while (true) {
    const std::size_t end = std::min(dotted.find('.'), dotted.size());
    arcs.push_back(decimalArc(dotted.substr(0, end)));
    if (end == dotted.size()) break;
    dotted.remove_prefix(end + 1);
  }
  // The first two arcs share one number, 40 * first + second: first 0-2, second below 40 under 0 and 1.
  if (arcs.size() < 2 || arcs[0].size() != 1 || arcs[0][0] > '2' ||
      (arcs[0][0] < '2' && (arcs[1].size() > 2 || (arcs[1].size() == 2 && arcs[1][0] >= '4')))) {
    throw std::invalid_argument("not a dotted object identifier");
  }
  Bytes content;
  appendBase128(content, plus(arcs[1], static_cast<unsigned>(arcs[0][0] - '0') * 40));
  for (std::size_t i = 2; i < arcs.size(); ++i) appendBase128(content, arcs[i]);
  return tlv(kObjectIdentifierTag, content);
}

Bytes string(std::uint8_t tag, std::string_view text) {
  return tlv(tag, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Bytes namedBits(std::span<const int> bits) {
  Bytes bytes;
  int highest = -1;
  for (const int bit : bits) {
    if (bit < 0) throw std::invalid_argument("negative bit number");
    const auto index = static_cast<std::size_t>(bit / 8);
    if (bytes.size() <= index) bytes.resize(index + 1, 0);
    bytes[index] = static_cast<std::uint8_t>(bytes[index] | (0x80 >> (bit % 8)));
    highest = std::max(highest, bit);
  }
  Bytes content;
  content.push_back(highest < 0 ? 0 : static_cast<std::uint8_t>(7 - highest % 8));  // Unused bits.
  content.insert(content.end(), bytes.begin(), bytes.end());
  return tlv(kBitStringTag, content);
}

Bytes bitString(std::span<const std::uint8_t> bytes) {
  Bytes content;
  content.reserve(bytes.size() + 1);
  content.push_back(0);  // No unused bits.
  content.insert(content.end(), bytes.begin(), bytes.end());
  return tlv(kBitStringTag, content);
}

Bytes time(std::time_t value) {
  using namespace std::chrono;
  const sys_seconds instant{seconds{value}};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss clock{instant - day};
  const int year = static_cast<int>(date.year());
  if (year < 1950 || year > 9999) throw std::invalid_argument("time outside the years RFC 5280 can encode");
  const bool utc = year < 2050;
  char text[32];
  std::snprintf(text, sizeof text, "%0*d%02u%02u%02d%02d%02dZ", utc ? 2 : 4, utc ? year % 100 : year,
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return string(utc ? kUtcTimeTag : kGeneralizedTimeTag, text);
}

Bytes sha256DigestInfo(const std::array<std::uint8_t, 32>& digest) {
  // AlgorithmIdentifier with NULL parameters, as RFC 8017 section 9.2 note 1 gives it.
  return sequence({sequence({objectIdentifier("2.16.840.1.101.3.4.2.1"), null()}), octetString(digest)});
}

Bytes sha256WithRsaAlgorithm() {
  return sequence({objectIdentifier("1.2.840.113549.1.1.11"), null()});
}

}  // namespace certbridge::host::crypto::der
