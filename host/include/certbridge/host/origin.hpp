#pragma once
// Web origins: syntax checks for the origin a request names, and the allow-list patterns of the host
// configuration ("https://ra.example" exactly, or "http://127.0.0.1:*" for any port).

#include <optional>
#include <string>
#include <string_view>

namespace certbridge::host {

/// The parts of a serialized origin.
struct Origin {
  std::string scheme;            ///< "https" or "http".
  std::string host;              ///< Lower-case DNS name, IPv4 address or bracketed IPv6 address.
  std::optional<unsigned> port;  ///< Explicit port, if any.
};

/// Parses a serialized web origin as browsers send it: "https://host" or "http://host:port", lower case,
/// ASCII (punycode) host, port 1-65535 without leading zeros, no path, no trailing slash, at most
/// protocol::kOriginMaxLength characters. Only http and https have origins CertBridge can serve.
std::optional<Origin> parseOrigin(std::string_view text);

/// True when parseOrigin would succeed.
bool isValidOrigin(std::string_view text);

/// One entry of an origin allow-list.
class OriginPattern {
 public:
  /// Parses "scheme://host[:port]" (exact) or "scheme://host:*" (that host on any port, including the
  /// scheme's default port). Returns nullopt on bad syntax.
  static std::optional<OriginPattern> parse(std::string_view text);

  /// True when the (syntactically valid) origin matches this pattern.
  bool matches(std::string_view origin) const;

  /// The pattern as written.
  const std::string& text() const noexcept { return text_; }
  /// The scheme and host it matches.
  const Origin& origin() const noexcept { return origin_; }

 private:
  std::string text_;
  Origin origin_;
  bool anyPort_ = false;
};

}  // namespace certbridge::host
