#pragma once
// Runs the real certbridge-host binary over pipes, as a browser does: frames to stdin, frames from stdout.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>
#include <nlohmann/json.hpp>

namespace certbridge::host::integration {

/// A host's answer to one request and the progress messages that came before it.
struct Answer {
  nlohmann::json message;
  std::vector<nlohmann::json> progress;
  bool ok() const { return message.value("ok", false); }
  const nlohmann::json& result() const { return message.at("result"); }
  std::string code() const { return message.contains("error") ? message["error"].value("code", "") : ""; }
  const nlohmann::json& error() const { return message.at("error"); }
};

class HostProcess {
 public:
  /// Starts binary with args, the current environment plus overrides, stderr into stderrFile.
  HostProcess(const std::string& binary, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& environment, const std::filesystem::path& stderrFile);
  /// Kills the process if it still runs.
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  /// Writes one frame (4-byte native-endian length + bytes).
  void send(const nlohmann::json& message);
  void sendPayload(const std::string& payload);
  /// Writes raw bytes (e.g. a header that lies about the length).
  void sendRaw(const std::string& bytes);

  /// The next frame's JSON; throws std::runtime_error on timeout, end of stream or invalid JSON.
  nlohmann::json receive(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Receives until the message with this id arrives; others are kept in order for later receive calls.
  nlohmann::json receiveFor(const std::string& id, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Closes the host's stdin (the browser closed the port).
  void closeStdin();

  /// Waits for exit; the exit code, or nullopt if it did not exit in time (it is then killed).
  std::optional<int> wait(std::chrono::milliseconds timeout);

  /// After exit: everything left on stdout, split into frames. Throws if stdout held anything but whole frames.
  std::vector<nlohmann::json> remainingFrames();

  /// After wait() saw the exit: the process's resource use as wait4 reports it (CPU time, ru_maxrss).
  const rusage& resourceUsage() const { return usage_; }

  /// The host's process id, e.g. to read /proc/<pid>/status while it runs.
  pid_t pid() const { return pid_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // reads more stdout; false on EOF/timeout
  std::optional<std::string> takeFrame();

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffer_;
  std::vector<nlohmann::json> pending_;
  bool eof_ = false;
  std::optional<int> exitCode_;
  rusage usage_{};
};

/// Waits for the answer to the request with this id, collecting the progress messages that come first.
/// Throws std::runtime_error when none comes within timeout.
Answer awaitAnswer(HostProcess& host, const std::string& id, std::chrono::milliseconds timeout);

}  // namespace certbridge::host::integration
