#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {

ProtocolError::ProtocolError(ErrorCode code, nlohmann::json details)
    : std::runtime_error(std::string(toString(code))), code_(code), details_(std::move(details)) {
  if (!details_.is_object()) details_ = nlohmann::json::object();
}

ProtocolError badRequest(std::string field, std::string reason) {
  nlohmann::json details = nlohmann::json::object();
  if (!field.empty()) details["field"] = std::move(field);
  details["reason"] = std::move(reason);
  return ProtocolError(ErrorCode::BadRequest, std::move(details));
}

nlohmann::json errorObject(ErrorCode code, const nlohmann::json& details) {
  nlohmann::json error = nlohmann::json::object();
  if (details.is_object()) {
    for (const auto& [key, value] : details.items()) error[key] = value;
  }
  error["code"] = toString(code);
  error["message"] = errorMessage(code, Language::En);
  // A fix with steps per OS names this host's OS only; "os" tells the page which (its own language's text).
  if (hasOsSpecificFix(code)) error["os"] = toString(kBuildOs);
  error["fix"] = errorFix(code, Language::En, kBuildOs);
  return error;
}

nlohmann::json errorObject(const ProtocolError& error) {
  return errorObject(error.code(), error.details());
}

}  // namespace certbridge::host
