#pragma once
// Logging through spdlog to a per-user rotating file. Nothing is ever written to stdout (it carries the
// native-messaging frames). Never log request parameters: they carry PINs and passwords.

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace certbridge::host {

/// The per-user log directory: $CERTBRIDGE_LOG_DIR if set, else $XDG_STATE_HOME/certbridge or
/// ~/.local/state/certbridge (Linux), ~/Library/Logs/CertBridge (macOS), %LOCALAPPDATA%\CertBridge\logs (Windows).
std::optional<std::filesystem::path> logDirectory();

/// Replaces spdlog's default logger (which would write to stdout) with one writing to
/// <logDirectory()>/certbridge-host.log, or with a logger that discards everything if the directory
/// cannot be created. Returns the log file in use, if any. Call first thing in main.
std::optional<std::filesystem::path> initLogging();

/// The log file and the rotated copies the host keeps of it (certbridge-host.1.log ...), newest first,
/// whether or not they exist yet.
std::vector<std::filesystem::path> logFileAndRotations(const std::filesystem::path& logFile);

/// Sets the level from a configuration name ("info", "debug", ...); false if the name is unknown.
bool setLogLevel(std::string_view name);

/// True for the level names setLogLevel accepts.
bool isValidLogLevel(std::string_view name);

}  // namespace certbridge::host
