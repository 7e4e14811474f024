#pragma once
// The request envelope {id, command, origin, params}: parsing and validation, in one place.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "certbridge/protocol.hpp"

namespace certbridge::host {

/// A request whose envelope passed validation. params is an object, not yet validated per command.
struct Request {
  std::string id;
  std::string command;
  std::string origin;
  nlohmann::json params;
  const protocol::CommandInfo* info = nullptr;  ///< The command's entry in protocol.json.
  /// When the message was taken in: what the card reader state must be at least as fresh as.
  std::chrono::steady_clock::time_point received;
};

/// True for 1 to protocol::kRequestIdMaxLength characters of [A-Za-z0-9_-].
bool isValidRequestId(std::string_view id) noexcept;

/// Parses and validates one incoming message. Throws ProtocolError: BAD_REQUEST (not JSON, not an
/// object, a missing or extra key, a wrong type or length, a bad origin) or UNKNOWN_COMMAND. As soon
/// as the id is known to be valid it is stored in knownId, so that errors can be answered with it.
Request parseRequest(std::string_view payload, std::optional<std::string>& knownId);

}  // namespace certbridge::host
