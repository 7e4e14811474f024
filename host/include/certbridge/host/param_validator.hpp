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
  Base64,     ///< [A-Za-z0-9+/] with up to two trailing '='.
  Hex,        ///< [0-9A-Fa-f]
};

/// Bounds for a string parameter. Lengths count Unicode code points.
struct StringRule {
  std::size_t minLength = 0;
  std::size_t maxLength = 0;
  Charset charset = Charset::Printable;
};

/// Validates the params object of one command.
class ParamValidator {
 public:
  /// Throws BAD_REQUEST if params is not an object or holds a key outside allowedKeys.
  ParamValidator(const nlohmann::json& params, std::initializer_list<std::string_view> allowedKeys);
  /// Keeps a reference to params: a temporary would dangle.
  ParamValidator(nlohmann::json&& params, std::initializer_list<std::string_view> allowedKeys) = delete;

  std::string requiredString(std::string_view key, const StringRule& rule) const;
  std::optional<std::string> optionalString(std::string_view key, const StringRule& rule) const;
  std::int64_t requiredInteger(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optionalInteger(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<bool> optionalBool(std::string_view key) const;

 private:
  const nlohmann::json* find(std::string_view key) const;
  std::string checkString(std::string_view key, const nlohmann::json& value, const StringRule& rule) const;
  std::int64_t checkInteger(std::string_view key, const nlohmann::json& value, std::int64_t min,
                            std::int64_t max) const;

  const nlohmann::json& params_;
};

/// Number of Unicode code points in valid UTF-8 text.
std::size_t utf8Length(std::string_view text) noexcept;

}  // namespace certbridge::host
