// PIN rules and tries-left deduction.

#include "certbridge/card/pin_policy.hpp"

#include <algorithm>
#include <string>

#include "certbridge/card/error.hpp"

namespace certbridge::card {

namespace {

bool allowed(char c, PinCharset charset) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  const bool digit = byte >= '0' && byte <= '9';
  const bool letter = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
  switch (charset) {
    case PinCharset::Digits:
      return digit;
    case PinCharset::Alphanumeric:
      return digit || letter;
    case PinCharset::Printable:
      return byte >= 0x21 && byte <= 0x7E;
  }
  return false;
}

const char* describe(PinCharset charset) noexcept {
  switch (charset) {
    case PinCharset::Digits:
      return "digits";
    case PinCharset::Alphanumeric:
      return "letters and digits";
    case PinCharset::Printable:
      return "letters, digits and punctuation (no spaces)";
  }
  return "";
}

}  // namespace

void checkPinPolicy(const SecretString& pin, const PinRules& rules) {
  const auto length = static_cast<long>(pin.size());
  const std::string limits = std::to_string(rules.minLength) + " to " + std::to_string(rules.maxLength);
  // The length is a fact the user typed and may be told; the characters themselves never appear.
  if (length < rules.minLength || length > rules.maxLength) {
    throw CardError(ErrorKind::PinPolicy,
                    rules.name + " must be " + limits + " characters long, not " + std::to_string(length));
  }
  const auto* begin = pin.data();
  const auto* end = begin + pin.size();
  if (!std::all_of(begin, end, [&](char c) { return allowed(c, rules.charset); })) {
    throw CardError(ErrorKind::PinPolicy, rules.name + " may only hold " + describe(rules.charset));
  }
}

PinCounter userPinCounter(const TokenInfo& token) noexcept {
  return {token.userPinCountLow, token.userPinFinalTry, token.userPinLocked};
}

PinCounter soPinCounter(const TokenInfo& token) noexcept {
  return {token.soPinCountLow, token.soPinFinalTry, token.soPinLocked};
}

std::optional<int> triesLeftAfterWrongPin(const PinCounter& counter, int maxTries) noexcept {
  if (counter.locked) return 0;
  if (counter.finalTry) return 1;
  // Count low without final try leaves 2 .. maxTries - 1: exact only when that is one number.
  if (counter.countLow && maxTries == 3) return 2;
  return std::nullopt;
}

}  // namespace certbridge::card
