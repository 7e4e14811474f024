#pragma once
// Parameters several card commands share, with one rule each.

#include <optional>
#include <string>

#include "certbridge/host/param_validator.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host::commands {

inline constexpr StringRule kReaderRule{1, 128, Charset::Printable};
inline constexpr StringRule kCertificateIdRule{64, 64, Charset::Hex};
/// A PIN group index; no card has more than protocol.json's limits.maxPinGroups.
inline constexpr std::int64_t kMaxPinGroupIndex = static_cast<std::int64_t>(protocol::kMaxPinGroups) - 1;

/// "reader", when given.
inline std::optional<std::string> readerParam(const ParamValidator& validator) {
  return validator.optionalString("reader", kReaderRule);
}

/// text with ASCII letters lower-cased (ids and hex compare lower-case).
std::string lowerAscii(std::string text);

/// "certificate" (an id from listCertificates), lower-cased, when given.
std::optional<std::string> certificateIdParam(const ParamValidator& validator);

}  // namespace certbridge::host::commands
