#include "certbridge/host/origin.hpp"

#include <charconv>

#include "certbridge/protocol.hpp"

namespace certbridge::host {
namespace {

bool isLowerAlnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A lower-case ASCII DNS name: labels of [a-z0-9-], 1-63 characters, not starting or ending with '-'.
// Dotted-decimal IPv4 addresses are valid DNS-shaped names too and need no separate rule.
bool isValidDnsName(std::string_view host) noexcept {
  if (host.empty() || host.size() > 253) return false;
  std::size_t labelLength = 0;
  char previous = '.';
  for (char c : host) {
    if (c == '.') {
      if (labelLength == 0 || previous == '-') return false;
      labelLength = 0;
    } else if (isLowerAlnum(c) || c == '-') {
      if (c == '-' && labelLength == 0) return false;
      if (++labelLength > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return labelLength > 0 && previous != '-';
}

// "[...]" with hex digits, ':' and '.' (IPv4-mapped tails); browsers serialize IPv6 hosts in lower case.
bool isValidIpv6Literal(std::string_view host) noexcept {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  const std::string_view inner = host.substr(1, host.size() - 2);
  bool hasColon = false;
  for (char c : inner) {
    if (c == ':') {
      hasColon = true;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.')) {
      return false;
    }
  }
  return hasColon;
}

std::optional<unsigned> parsePort(std::string_view text) noexcept {
  if (text.empty() || text.size() > 5 || text.front() == '0') return std::nullopt;
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) return std::nullopt;
  return port;
}

// Splits "scheme://host[:port-part]"; portPart is empty when there is no ':' after the host.
bool split(std::string_view text, std::string_view& scheme, std::string_view& host, std::string_view& portPart,
           bool& hasPort) noexcept {
  const auto separator = text.find("://");
  if (separator == std::string_view::npos) return false;
  scheme = text.substr(0, separator);
  std::string_view rest = text.substr(separator + 3);
  // The port separator is the last ':' after any IPv6 literal.
  const auto bracket = rest.rfind(']');
  const auto colon = rest.rfind(':');
  hasPort = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  if (hasPort) {
    host = rest.substr(0, colon);
    portPart = rest.substr(colon + 1);
  } else {
    host = rest;
    portPart = {};
  }
  return true;
}

bool isValidHost(std::string_view host) noexcept {
  return host.front() == '[' ? isValidIpv6Literal(host) : isValidDnsName(host);
}

}  // namespace

std::optional<Origin> parseOrigin(std::string_view text) {
  if (text.empty() || text.size() > protocol::kOriginMaxLength) return std::nullopt;
  std::string_view scheme, host, portPart;
  bool hasPort = false;
  if (!split(text, scheme, host, portPart, hasPort)) return std::nullopt;
  if (scheme != "https" && scheme != "http") return std::nullopt;
  if (host.empty() || !isValidHost(host)) return std::nullopt;
  Origin origin{std::string(scheme), std::string(host), std::nullopt};
  if (hasPort) {
    origin.port = parsePort(portPart);
    if (!origin.port) return std::nullopt;
  }
  return origin;
}

bool isValidOrigin(std::string_view text) {
  return parseOrigin(text).has_value();
}

std::optional<OriginPattern> OriginPattern::parse(std::string_view text) {
  OriginPattern pattern;
  pattern.text_ = std::string(text);
  if (text.size() > 2 && text.substr(text.size() - 2) == ":*") {
    const auto origin = parseOrigin(text.substr(0, text.size() - 2));
    if (!origin || origin->port) return std::nullopt;
    pattern.origin_ = *origin;
    pattern.anyPort_ = true;
    return pattern;
  }
  const auto origin = parseOrigin(text);
  if (!origin) return std::nullopt;
  pattern.origin_ = *origin;
  return pattern;
}

bool OriginPattern::matches(std::string_view origin) const {
  if (!anyPort_) return origin == text_;
  const auto parsed = parseOrigin(origin);
  return parsed && parsed->scheme == origin_.scheme && parsed->host == origin_.host;
}

}  // namespace certbridge::host
