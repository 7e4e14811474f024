#pragma once
// Per-command parameter validation: the exact set of allowed keys and typed getters with bounds.
// Every failure is a BAD_REQUEST naming the field ("params.target").

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace certbridge::host {

/// Which characters a string parameter may hold.
enum class Charset {
  RequestId,  ///< [A-Za-z0-9_-]
  Printable,  ///< Any UTF-8 text without control characters.
  Lines,      ///< Printable text in lines (line feed, carriage return allowed): PEM.
  Base64,     ///< [A-Za-z0-9+/] with up to two trailing '='.
  Hex,        ///< [0-9A-Fa-f]
};

/// Bounds for a string parameter. Lengths count Unicode code points.
struct StringRule {
  std::size_t minLength = 0;
  std::size_t maxLength = 0;
  Charset charset = Charset::Printable;
};

/// Validates the params object of one command, or an object nested in it (each element of "keys").
class ParamValidator {
 public:
  /// Throws BAD_REQUEST if params is not an object or holds a key outside allowedKeys.
  ParamValidator(const nlohmann::json& params, std::initializer_list<std::string_view> allowedKeys);
  /// The same for a nested object; path names it in errors ("params.keys[1]").
  ParamValidator(const nlohmann::json& object, std::string path, std::initializer_list<std::string_view> allowedKeys);
  /// Keeps a reference to params: a temporary would dangle.
  ParamValidator(nlohmann::json&& params, std::initializer_list<std::string_view> allowedKeys) = delete;
  ParamValidator(nlohmann::json&& object, std::string path,
                 std::initializer_list<std::string_view> allowedKeys) = delete;

  /// The name of a field in errors: "params.reader", "params.keys[1].usage".
  std::string field(std::string_view key) const;
  /// The name of an array element in errors: "params.certificates[2]".
  std::string element(std::string_view key, std::size_t index) const;

  std::string requiredString(std::string_view key, const StringRule& rule) const;
  std::optional<std::string> optionalString(std::string_view key, const StringRule& rule) const;
  std::int64_t requiredInteger(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optionalInteger(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<bool> optionalBool(std::string_view key) const;
  /// An array of minItems-maxItems elements (each still to be checked by the caller).
  const nlohmann::json& requiredArray(std::string_view key, std::size_t minItems, std::size_t maxItems) const;
  /// nullptr when absent.
  const nlohmann::json* optionalArray(std::string_view key, std::size_t minItems, std::size_t maxItems) const;
  const nlohmann::json& requiredObject(std::string_view key) const;
  /// Each element of an array of strings, checked against rule; an empty vector when absent.
  std::vector<std::string> stringArray(std::string_view key, std::size_t minItems, std::size_t maxItems,
                                       const StringRule& rule) const;

 private:
  const nlohmann::json* find(std::string_view key) const;
  std::string checkString(std::string_view key, const nlohmann::json& value, const StringRule& rule) const;
  std::int64_t checkInteger(std::string_view key, const nlohmann::json& value, std::int64_t min,
                            std::int64_t max) const;

  const nlohmann::json& params_;
  std::string path_;
};

/// Checks one string (an array element) against rule; field names it in the BAD_REQUEST.
std::string checkStringValue(const std::string& field, const nlohmann::json& value, const StringRule& rule);

/// Number of Unicode code points in valid UTF-8 text.
std::size_t utf8Length(std::string_view text) noexcept;

}  // namespace certbridge::host
