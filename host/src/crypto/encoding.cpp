// The platform-neutral encodings; randomBytes and sha256 are in encoding_openssl.cpp and
// windows/encoding_windows.cpp.
#include "encoding.hpp"

#include <chrono>
#include <cstdio>

namespace certbridge::host::crypto {
namespace {

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHexDigits[] = "0123456789abcdef";

// The 6-bit value of a base64 alphabet character, or -1.
int base64Value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string base64Encode(std::span<const std::uint8_t> bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    text += kBase64Alphabet[(group >> 18) & 0x3f];
    text += kBase64Alphabet[(group >> 12) & 0x3f];
    text += kBase64Alphabet[(group >> 6) & 0x3f];
    text += kBase64Alphabet[group & 0x3f];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t group = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) group |= std::uint32_t{bytes[i + 1]} << 8;
    text += kBase64Alphabet[(group >> 18) & 0x3f];
    text += kBase64Alphabet[(group >> 12) & 0x3f];
    text += rest == 2 ? kBase64Alphabet[(group >> 6) & 0x3f] : '=';
    text += '=';
  }
  return text;
}

std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;

  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool lastGroup = i + 4 == text.size();
    const std::size_t dataCharacters = lastGroup ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      int value = 0;
      if (j < dataCharacters) {
        value = base64Value(text[i + j]);
        if (value < 0) return std::nullopt;  // Includes a '=' before the final padding.
      }
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    bytes.push_back(static_cast<std::uint8_t>(group >> 16));
    if (dataCharacters >= 3) bytes.push_back(static_cast<std::uint8_t>(group >> 8));
    if (dataCharacters == 4) bytes.push_back(static_cast<std::uint8_t>(group));
    // Bits of the last character that fall past the final byte must be zero, else "QR==" and "QQ==" would
    // both decode to "A" and the encoding would not be canonical.
    if (dataCharacters == 2 && (group & 0xffff) != 0) return std::nullopt;
    if (dataCharacters == 3 && (group & 0xff) != 0) return std::nullopt;
  }
  return bytes;
}

std::string pemEncode(std::string_view label, std::span<const std::uint8_t> der) {
  constexpr std::size_t kLineLength = 64;
  const std::string body = base64Encode(der);
  std::string pem = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t offset = 0; offset < body.size(); offset += kLineLength) {
    pem += body.substr(offset, kLineLength);
    pem += '\n';
  }
  return pem + "-----END " + std::string(label) + "-----\n";
}

std::string hexEncode(std::span<const std::uint8_t> bytes) {
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    text += kHexDigits[byte >> 4];
    text += kHexDigits[byte & 0x0f];
  }
  return text;
}

std::optional<std::vector<std::uint8_t>> hexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hexValue(text[i]);
    const int low = hexValue(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>((high << 4) | low));
  }
  return bytes;
}

std::string isoTime(std::time_t time) {
  // std::chrono's civil calendar instead of gmtime: no platform differences (gmtime_r vs gmtime_s) and
  // correct for times before 1970.
  using namespace std::chrono;
  const sys_seconds instant{seconds{time}};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss clock{instant - day};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

}  // namespace certbridge::host::crypto
