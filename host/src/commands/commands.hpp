#pragma once
// The prepare step of every command (validates params, returns what to run). The table that names them
// is in dispatcher.cpp.

#include <nlohmann/json.hpp>

#include "certbridge/host/dispatcher.hpp"

namespace certbridge::host::commands {

/// status: {} -> {"host": {"version", "protocol"}}. Any origin; answered on the reading thread.
CommandRun prepareStatus(const nlohmann::json& params);

/// cancel: {"target": id} -> {"cancelled": bool}. Answered on the reading thread; the target, if it was
/// still pending and came from the same origin, answers USER_CANCELLED.
CommandRun prepareCancel(const nlohmann::json& params);

/// listReaders: {} -> {"readers": [{"name", "cardPresent", "pinPad", "atr", "profile"}]}.
CommandRun prepareListReaders(const nlohmann::json& params);

/// environment: {} -> the full diagnostic report (see environment.cpp); never fails for a missing part.
CommandRun prepareEnvironment(const nlohmann::json& params);

}  // namespace certbridge::host::commands
