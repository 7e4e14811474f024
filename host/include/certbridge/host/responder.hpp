#pragma once
// Builds the messages the host sends (hello, result, error, progress) and hands them to the framing.
// The one place that turns a ProtocolError into a wire error and an over-size result into MESSAGE_TOO_LARGE.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "certbridge/host/native_messaging.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {

/// Serializes to compact JSON; invalid UTF-8 in strings (e.g. a token label) becomes U+FFFD instead of throwing.
std::string toWireJson(const nlohmann::json& message);

/// Sends protocol messages; thread-safe (the writer serializes frames).
class Responder {
 public:
  explicit Responder(FrameWriter& writer) : writer_(writer) {}

  /// {"hello": {"name", "version", "protocol"}}; the first message on every connection.
  void sendHello();

  /// {"id", "ok": true, "result"}. If that would exceed the outgoing limit, sends MESSAGE_TOO_LARGE
  /// instead. Returns the error code actually sent, or nullopt when the result went out.
  std::optional<ErrorCode> sendResult(const std::string& id, const nlohmann::json& result);

  /// {"id" (null when unknown), "ok": false, "error": {code, message, fix, ...details}}.
  void sendError(const std::optional<std::string>& id, const ProtocolError& error);

  /// {"id", "progress": {"stage", ...details}} (details such as {"key": 1, "keys": 2}; never secrets).
  void sendProgress(const std::string& id, std::string_view stage,
                    const nlohmann::json& details = nlohmann::json::object());

 private:
  void send(const nlohmann::json& message);

  FrameWriter& writer_;
};

}  // namespace certbridge::host
