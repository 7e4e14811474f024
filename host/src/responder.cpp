#include "certbridge/host/responder.hpp"

#include <spdlog/spdlog.h>

#include "certbridge/build_info.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {

std::string toWireJson(const nlohmann::json& message) {
  return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Responder::send(const nlohmann::json& message) {
  const auto outcome = writer_.write(toWireJson(message));
  if (outcome == FrameWriter::Result::TooLarge) {
    // Only results can grow large, and sendResult checks them first; anything else is our bug.
    spdlog::error("native messaging: dropped an over-size message");
  }
}

void Responder::sendHello() {
  send({{"hello",
         {{"name", "certbridge-host"}, {"version", build::kVersion}, {"protocol", protocol::kProtocolVersion}}}});
}

std::optional<ErrorCode> Responder::sendResult(const std::string& id, const nlohmann::json& result) {
  const std::string payload = toWireJson({{"id", id}, {"ok", true}, {"result", result}});
  if (writer_.write(payload) != FrameWriter::Result::TooLarge) return std::nullopt;
  spdlog::warn("request id={}: result of {} bytes is over the {} byte limit", id, payload.size(),
               writer_.maxPayloadBytes());
  sendError(id, ProtocolError(ErrorCode::MessageTooLarge, {{"limit", writer_.maxPayloadBytes()}}));
  return ErrorCode::MessageTooLarge;
}

void Responder::sendError(const std::optional<std::string>& id, const ProtocolError& error) {
  nlohmann::json message = {{"ok", false}, {"error", errorObject(error)}};
  message["id"] = id ? nlohmann::json(*id) : nlohmann::json(nullptr);
  send(message);
}

void Responder::sendProgress(const std::string& id, std::string_view stage, const nlohmann::json& details) {
  nlohmann::json progress = details.is_object() ? details : nlohmann::json::object();
  progress["stage"] = stage;
  send({{"id", id}, {"progress", std::move(progress)}});
}

}  // namespace certbridge::host
