#pragma once
// The host's command layer, in this process: each call goes through the host's own command table (the
// prepare step that validates params and takes PINs out of them, then the command itself), so the
// `certbridge` command has no card or store logic of its own.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/native_messaging.hpp"
#include "certbridge/host/responder.hpp"

namespace certbridge::host {
class CardAccess;
}

namespace certbridge::cli {

/// The origin requests from the terminal carry. ".invalid" is reserved (RFC 2606): no web page has it, so
/// a command's origin binding (authenticate, unblock) can never be confused with a site's.
inline constexpr std::string_view kCommandLineOrigin = "https://certbridge-cli.invalid";

/// Progress messages of a running command: {"stage", ...details}.
using ProgressHandler = std::function<void(const nlohmann::json& progress)>;

class CommandRunner {
 public:
  /// host: configuration and log file, as the host loads them (loadConfigAndPolicy, initLogging).
  CommandRunner(const host::HostState& host, ProgressHandler onProgress);
  ~CommandRunner();
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  /// Runs one command of protocol.json with params (taken: PINs in it are wiped). Returns the result;
  /// throws host::ProtocolError as the host would answer it (card errors mapped the host's way).
  nlohmann::json run(std::string_view command, nlohmann::json params);

 private:
  class ProgressSink;

  const host::HostState& host_;
  std::unique_ptr<ProgressSink> sink_;
  std::unique_ptr<host::FrameWriter> writer_;
  std::unique_ptr<host::Responder> responder_;
  std::unique_ptr<host::CardAccess> card_;
  std::uint64_t nextId_ = 1;
};

}  // namespace certbridge::cli
