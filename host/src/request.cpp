#include "certbridge/host/request.hpp"

#include <array>

#include "certbridge/host/origin.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/host/strict_json.hpp"

namespace certbridge::host {
namespace {

constexpr std::array<std::string_view, 4> kEnvelopeKeys = {"id", "command", "origin", "params"};
constexpr std::size_t kCommandMaxLength = 64;
// A key named in an error is cut to this many bytes: it is echoed back, and it is the caller's text.
constexpr std::size_t kEchoedKeyMaxBytes = 64;

bool isIdChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool isValidCommandName(std::string_view name) noexcept {
  if (name.empty() || name.size() > kCommandMaxLength) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

const nlohmann::json& requireMember(const nlohmann::json& envelope, const char* key) {
  const auto it = envelope.find(key);
  if (it == envelope.end()) throw badRequest(key, "missing");
  return *it;
}

}  // namespace

bool isValidRequestId(std::string_view id) noexcept {
  if (id.empty() || id.size() > protocol::kRequestIdMaxLength) return false;
  for (char c : id) {
    if (!isIdChar(c)) return false;
  }
  return true;
}

Request parseRequest(std::string_view payload, std::optional<std::string>& knownId) {
  knownId.reset();
  if (payload.empty()) throw badRequest("", "empty message");

  std::string parseError;
  auto parsed = parseStrictJson(payload, parseError);
  if (!parsed) throw badRequest("", parseError);
  nlohmann::json& envelope = *parsed;
  if (!envelope.is_object()) throw badRequest("", "not a JSON object");

  // The id first, so that every later error can be answered with it.
  const nlohmann::json& id = requireMember(envelope, "id");
  if (!id.is_string()) throw badRequest("id", "must be a string");
  if (!isValidRequestId(id.get_ref<const std::string&>())) {
    throw badRequest("id",
                     "must be 1-" + std::to_string(protocol::kRequestIdMaxLength) + " characters of A-Z a-z 0-9 _ -");
  }
  knownId = id.get<std::string>();

  for (const auto& [key, value] : envelope.items()) {
    bool allowed = false;
    for (const auto name : kEnvelopeKeys) allowed = allowed || key == name;
    if (!allowed) throw badRequest(key.substr(0, kEchoedKeyMaxBytes), "unexpected key");
  }

  const nlohmann::json& command = requireMember(envelope, "command");
  const nlohmann::json& origin = requireMember(envelope, "origin");
  if (!envelope.contains("params")) throw badRequest("params", "missing");
  nlohmann::json& params = envelope["params"];

  if (!command.is_string()) throw badRequest("command", "must be a string");
  const auto& commandName = command.get_ref<const std::string&>();
  if (!isValidCommandName(commandName)) throw badRequest("command", "must be 1-64 letters or digits");

  if (!origin.is_string()) throw badRequest("origin", "must be a string");
  if (!isValidOrigin(origin.get_ref<const std::string&>())) {
    throw badRequest("origin", "must be a serialized http(s) origin of at most " +
                                   std::to_string(protocol::kOriginMaxLength) + " characters");
  }
  if (!params.is_object()) throw badRequest("params", "must be an object");

  const protocol::CommandInfo* info = protocol::findCommand(commandName);
  if (info == nullptr) throw ProtocolError(ErrorCode::UnknownCommand, {{"command", commandName}});

  Request request;
  request.id = *knownId;
  request.command = commandName;
  request.origin = origin.get<std::string>();
  request.params = std::move(params);
  request.info = info;
  return request;
}

}  // namespace certbridge::host
