#pragma once
// A strict JSON parser for untrusted input: valid UTF-8 only, no duplicate object keys, bounded nesting.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace certbridge::host {

/// Deepest nesting of arrays and objects accepted in a request.
inline constexpr std::size_t kMaxJsonDepth = 32;

/// Parses text as one JSON value. On failure returns nullopt and sets error to a short reason
/// (never containing the input). Never throws on bad input.
std::optional<nlohmann::json> parseStrictJson(std::string_view text, std::string& error,
                                              std::size_t maxDepth = kMaxJsonDepth);

}  // namespace certbridge::host
