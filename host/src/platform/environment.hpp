#pragma once
// What the host reads of its operating system outside the card library: environment variables and the
// folders that follow from them, as UTF-8 strings and std::filesystem paths. On Windows both come from the
// wide (UTF-16) API, so a user name or folder outside the ANSI code page still works; elsewhere they are the
// bytes the system gives, which are UTF-8 on every platform the host supports.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certbridge::host::platform {

/// The variable's value, or nullopt when it is unset or empty. Read at start-up or from the worker thread
/// only: nothing in the host sets variables.
std::optional<std::string> environmentVariable(const char* name);

/// The program's arguments after its name, as UTF-8 (on Windows read from the wide command line: argv is
/// in the ANSI code page there, which cannot hold every path or name).
std::vector<std::string> commandLineArguments(int argc, char** argv);

/// A path from UTF-8 text (on Windows, converted to UTF-16; elsewhere taken as it is).
std::filesystem::path pathFromUtf8(std::string_view text);

/// A path as UTF-8 text, for logs and protocol messages.
std::string pathToUtf8(const std::filesystem::path& path);

/// The folder the host writes its log to: CERTBRIDGE_LOG_DIR, else %LOCALAPPDATA%\CertBridge\logs on
/// Windows, ~/Library/Logs/CertBridge on macOS, $XDG_STATE_HOME/certbridge or ~/.local/state/certbridge on
/// Linux. nullopt when none can be named (no home folder).
std::optional<std::filesystem::path> logFolder();

/// The host's configuration file: CERTBRIDGE_CONFIG, else %ProgramData%\CertBridge\config.json on Windows,
/// /Library/Application Support/CertBridge/config.json on macOS, /etc/certbridge/config.json on Linux.
std::filesystem::path configFile();

}  // namespace certbridge::host::platform
