#pragma once
// The exception that carries a protocol error code to the one place that answers the browser.

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "certbridge/error_codes.hpp"

namespace certbridge::host {

/// A request failed with a protocol error code. details are merged into the wire error object
/// (e.g. {"field": "origin"}, {"triesLeft": 2}, {"ckr": "CKR_PIN_INCORRECT"}); they must never hold secrets.
class ProtocolError : public std::runtime_error {
 public:
  explicit ProtocolError(ErrorCode code, nlohmann::json details = nlohmann::json::object());

  ErrorCode code() const noexcept { return code_; }
  const nlohmann::json& details() const noexcept { return details_; }

 private:
  ErrorCode code_;
  nlohmann::json details_;
};

/// Shorthand for a BAD_REQUEST naming the offending field and why.
ProtocolError badRequest(std::string field, std::string reason);

/// The wire error object: {code, message, fix, ...details}, with English texts from the catalogue.
/// Details cannot override code, message or fix.
nlohmann::json errorObject(ErrorCode code, const nlohmann::json& details = nlohmann::json::object());

/// errorObject(error.code(), error.details()).
nlohmann::json errorObject(const ProtocolError& error);

}  // namespace certbridge::host
