#pragma once
// Requests as the extension sends them, shared by the host test suites on Linux and under wine: the
// envelope, an RA's subject, and the malformed parameters every command must refuse with BAD_REQUEST.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace certbridge::host::integration {

using nlohmann::json;

/// Allowed by the test bed's configuration and by every test build's built-in origins.
inline constexpr const char* kOrigin = "http://127.0.0.1:8080";

/// {"id", "command", "origin", "params"}.
json request(const std::string& id, const std::string& command, json params = json::object(),
             const std::string& origin = kOrigin);

/// A chinese subject as an RA sends it.
json raSubject(const std::string& commonName);

/// A command's parameters with one thing wrong, and the field the BAD_REQUEST must name.
struct Malformed {
  const char* command;
  json params;
  const char* field;
};

/// Malformed parameters of every command that takes any.
std::vector<Malformed> malformedCases();

}  // namespace certbridge::host::integration
