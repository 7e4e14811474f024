// Card profiles: ATR parsing, validation and matching.

#include "certbridge/card/card_profile.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "certbridge/card/error.hpp"

namespace certbridge::card {

namespace {

// ISO 7816-3 caps an ATR at 33 bytes; a longer pattern can never match a card.
constexpr std::size_t kMaxAtrLength = 33;
// PKCS#11 token labels are 32 bytes, blank padded; a longer label can never match a token.
constexpr std::size_t kMaxTokenLabelLength = 32;
// RSA below 1024 bits is not a real option on any card we could support.
constexpr int kSmallestKeySize = 1024;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

bool isSeparator(char c) {
  return c == ' ' || c == ':' || c == '\t';
}

[[noreturn]] void invalidProfile(const CardProfile& profile, const std::string& why) {
  throw CardError(ErrorKind::InvalidArgument,
                  "Card profile \"" + (profile.id.empty() ? std::string("(no id)") : profile.id) + "\": " + why);
}

}  // namespace

std::vector<std::uint8_t> parseHexBytes(const std::string& text) {
  std::vector<std::uint8_t> bytes;
  // Each separator-delimited group must hold whole bytes, so "3 B" is refused instead of read as 0x3B.
  for (std::size_t at = 0; at < text.size();) {
    if (isSeparator(text[at])) {
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() && !isSeparator(text[end])) ++end;
    if ((end - at) % 2 != 0)
      throw CardError(ErrorKind::InvalidArgument, "Hex bytes \"" + text + "\": \"" + text.substr(at, end - at) +
                                                      "\" is not a whole number of bytes");
    for (std::size_t i = at; i < end; i += 2) {
      const int high = hexDigit(text[i]);
      const int low = hexDigit(text[i + 1]);
      if (high < 0 || low < 0)
        throw CardError(ErrorKind::InvalidArgument,
                        "Hex bytes \"" + text + "\": \"" + text.substr(i, 2) + "\" is not a hex byte");
      bytes.push_back(static_cast<std::uint8_t>(high * 16 + low));
    }
    at = end;
  }
  return bytes;
}

CardProfileTable::CardProfileTable(std::vector<CardProfile> profiles) : profiles_(std::move(profiles)) {
  std::set<std::string> ids;
  for (const auto& profile : profiles_) {
    validate(profile);
    if (!ids.insert(profile.id).second) invalidProfile(profile, "the id is used by another profile");
  }
}

void CardProfileTable::validate(const CardProfile& profile) {
  if (profile.id.empty()) invalidProfile(profile, "the id is empty");
  if (profile.atr.empty()) invalidProfile(profile, "the ATR pattern is empty");
  if (profile.atr.size() > kMaxAtrLength)
    invalidProfile(profile, "the ATR pattern is longer than " + std::to_string(kMaxAtrLength) + " bytes");
  if (!profile.atrMask.empty() && profile.atrMask.size() != profile.atr.size())
    invalidProfile(profile, "the ATR mask has " + std::to_string(profile.atrMask.size()) + " bytes, the ATR " +
                                std::to_string(profile.atr.size()));
  if (profile.modulePath.empty()) invalidProfile(profile, "no PKCS#11 module is named");
  if (profile.tokenLabel.size() > kMaxTokenLabelLength)
    invalidProfile(profile, "the token label is longer than " + std::to_string(kMaxTokenLabelLength) + " bytes");
  if (profile.pins.empty()) invalidProfile(profile, "no PIN is described");
  for (const auto& pin : profile.pins) {
    if (pin.name.empty()) invalidProfile(profile, "a PIN has no name");
    if (pin.minLength < 1 || pin.maxLength < pin.minLength)
      invalidProfile(profile, "PIN \"" + pin.name + "\" needs 1 <= minLength <= maxLength, has " +
                                  std::to_string(pin.minLength) + ".." + std::to_string(pin.maxLength));
    if (pin.maxTries < 0) invalidProfile(profile, "PIN \"" + pin.name + "\" has a negative maxTries");
    if (pin.tokenLabel.size() > kMaxTokenLabelLength)
      invalidProfile(profile, "PIN \"" + pin.name + "\" names a token label longer than " +
                                  std::to_string(kMaxTokenLabelLength) + " bytes");
  }
  if (profile.keySizes.empty()) invalidProfile(profile, "no key size is listed");
  if (!std::is_sorted(profile.keySizes.begin(), profile.keySizes.end()) ||
      std::adjacent_find(profile.keySizes.begin(), profile.keySizes.end()) != profile.keySizes.end())
    invalidProfile(profile, "key sizes must be listed smallest first, each once");
  if (profile.keySizes.front() < kSmallestKeySize)
    invalidProfile(profile, "key size " + std::to_string(profile.keySizes.front()) + " is below " +
                                std::to_string(kSmallestKeySize));
}

const CardProfile* CardProfileTable::match(std::span<const std::uint8_t> atr) const noexcept {
  for (const auto& profile : profiles_) {
    if (atr.size() != profile.atr.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < atr.size() && matches; ++i) {
      const std::uint8_t mask = profile.atrMask.empty() ? std::uint8_t{0xFF} : profile.atrMask[i];
      matches = (atr[i] & mask) == (profile.atr[i] & mask);
    }
    if (matches) return &profile;
  }
  return nullptr;
}

}  // namespace certbridge::card
