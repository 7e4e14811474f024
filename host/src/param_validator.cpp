#include "certbridge/host/param_validator.hpp"

#include "certbridge/host/protocol_error.hpp"
#include "certbridge/host/request.hpp"

namespace certbridge::host {
namespace {

constexpr std::size_t kEchoedKeyMaxBytes = 64;

bool isControl(char32_t c) noexcept {
  return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

// Decodes valid UTF-8 (nlohmann's parser has checked it) and tests every code point.
template <typename Predicate>
bool allCodePoints(std::string_view text, Predicate predicate) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    if (i + length > text.size()) return false;
    char32_t c = length == 1 ? lead : length == 2 ? (lead & 0x1fu) : length == 3 ? (lead & 0x0fu) : (lead & 0x07u);
    for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3fu);
    if (!predicate(c)) return false;
    i += length;
  }
  return true;
}

bool isBase64(std::string_view text) noexcept {
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
      return false;
    }
  }
  return padding <= 2 && text.size() % 4 == 0;
}

bool isHex(std::string_view text) noexcept {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

bool matchesCharset(std::string_view text, Charset charset) {
  switch (charset) {
    case Charset::RequestId:
      return text.empty() || isValidRequestId(text);
    case Charset::Printable:
      return allCodePoints(text, [](char32_t c) { return !isControl(c); });
    case Charset::Lines:
      return allCodePoints(text, [](char32_t c) { return c == '\n' || c == '\r' || !isControl(c); });
    case Charset::Base64:
      return isBase64(text);
    case Charset::Hex:
      return isHex(text);
  }
  return false;
}

const char* describe(Charset charset) noexcept {
  switch (charset) {
    case Charset::RequestId:
      return "A-Z a-z 0-9 _ -";
    case Charset::Printable:
      return "text without control characters";
    case Charset::Lines:
      return "text without control characters other than line breaks";
    case Charset::Base64:
      return "base64";
    case Charset::Hex:
      return "hexadecimal digits";
  }
  return "";
}

}  // namespace

std::size_t utf8Length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xc0u) != 0x80u) ++count;
  }
  return count;
}

ParamValidator::ParamValidator(const nlohmann::json& params, std::initializer_list<std::string_view> allowedKeys)
    : ParamValidator(params, "params", allowedKeys) {}

ParamValidator::ParamValidator(const nlohmann::json& object, std::string path,
                               std::initializer_list<std::string_view> allowedKeys)
    : params_(object), path_(std::move(path)) {
  if (!params_.is_object()) throw badRequest(path_, "must be an object");
  for (const auto& [key, value] : params_.items()) {
    bool allowed = false;
    for (const auto name : allowedKeys) allowed = allowed || key == name;
    if (!allowed) throw badRequest(field(key), "unexpected key");
  }
}

std::string ParamValidator::field(std::string_view key) const {
  return path_ + "." + std::string(key.substr(0, kEchoedKeyMaxBytes));
}

std::string ParamValidator::element(std::string_view key, std::size_t index) const {
  return field(key) + "[" + std::to_string(index) + "]";
}

const nlohmann::json* ParamValidator::find(std::string_view key) const {
  const auto it = params_.find(key);
  return it == params_.end() ? nullptr : &*it;
}

std::string checkStringValue(const std::string& field, const nlohmann::json& value, const StringRule& rule) {
  if (!value.is_string()) throw badRequest(field, "must be a string");
  const auto& text = value.get_ref<const std::string&>();
  const std::size_t length = utf8Length(text);
  if (length < rule.minLength || length > rule.maxLength) {
    throw badRequest(field, "length must be " + std::to_string(rule.minLength) + "-" + std::to_string(rule.maxLength) +
                                " characters");
  }
  if (!matchesCharset(text, rule.charset)) throw badRequest(field, std::string("must be ") + describe(rule.charset));
  return text;
}

std::string ParamValidator::checkString(std::string_view key, const nlohmann::json& value,
                                        const StringRule& rule) const {
  return checkStringValue(field(key), value, rule);
}

std::int64_t ParamValidator::checkInteger(std::string_view key, const nlohmann::json& value, std::int64_t min,
                                          std::int64_t max) const {
  if (!value.is_number_integer()) throw badRequest(field(key), "must be an integer");
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    throw badRequest(field(key), "must be " + std::to_string(min) + "-" + std::to_string(max));
  }
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) {
    throw badRequest(field(key), "must be " + std::to_string(min) + "-" + std::to_string(max));
  }
  return number;
}

std::string ParamValidator::requiredString(std::string_view key, const StringRule& rule) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) throw badRequest(field(key), "missing");
  return checkString(key, *value, rule);
}

std::optional<std::string> ParamValidator::optionalString(std::string_view key, const StringRule& rule) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return std::nullopt;
  return checkString(key, *value, rule);
}

std::int64_t ParamValidator::requiredInteger(std::string_view key, std::int64_t min, std::int64_t max) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) throw badRequest(field(key), "missing");
  return checkInteger(key, *value, min, max);
}

std::optional<std::int64_t> ParamValidator::optionalInteger(std::string_view key, std::int64_t min,
                                                            std::int64_t max) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return std::nullopt;
  return checkInteger(key, *value, min, max);
}

std::optional<bool> ParamValidator::optionalBool(std::string_view key) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) throw badRequest(field(key), "must be true or false");
  return value->get<bool>();
}

const nlohmann::json* ParamValidator::optionalArray(std::string_view key, std::size_t minItems,
                                                    std::size_t maxItems) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) throw badRequest(field(key), "must be an array");
  if (value->size() < minItems || value->size() > maxItems) {
    throw badRequest(field(key), "must have " + std::to_string(minItems) + "-" + std::to_string(maxItems) + " items");
  }
  return value;
}

const nlohmann::json& ParamValidator::requiredArray(std::string_view key, std::size_t minItems,
                                                    std::size_t maxItems) const {
  const nlohmann::json* value = optionalArray(key, minItems, maxItems);
  if (value == nullptr) throw badRequest(field(key), "missing");
  return *value;
}

const nlohmann::json& ParamValidator::requiredObject(std::string_view key) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) throw badRequest(field(key), "missing");
  if (!value->is_object()) throw badRequest(field(key), "must be an object");
  return *value;
}

std::vector<std::string> ParamValidator::stringArray(std::string_view key, std::size_t minItems, std::size_t maxItems,
                                                     const StringRule& rule) const {
  std::vector<std::string> strings;
  const nlohmann::json* array = optionalArray(key, minItems, maxItems);
  if (array == nullptr) {
    if (minItems > 0) throw badRequest(field(key), "missing");
    return strings;
  }
  for (std::size_t i = 0; i < array->size(); ++i)
    strings.push_back(checkStringValue(element(key, i), (*array)[i], rule));
  return strings;
}

}  // namespace certbridge::host
