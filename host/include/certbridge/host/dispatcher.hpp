#pragma once
// The one command table and the routing of each request: envelope validation, origin check, parameter
// validation, then either an answer from the reading thread (status, cancel) or a job on the worker.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "certbridge/host/config.hpp"
#include "certbridge/host/request.hpp"
#include "certbridge/host/responder.hpp"
#include "certbridge/host/worker.hpp"

namespace certbridge::host {

class CardAccess;

/// What the host process knows about itself, for status and environment.
struct HostState {
  HostConfig config;
  std::optional<std::filesystem::path> logFile;
};

/// The state every process that runs commands starts with (the host, the certbridge command): logging to its
/// file, then the configuration and policy in force, their problems logged (host_state.cpp).
HostState loadHostState();

/// Everything a command may use while it runs.
struct CommandContext {
  const Request& request;  ///< id, command and origin; params were consumed by the command's prepare step.
  const HostState& host;
  const CancelToken& cancel;
  Responder& responder;        ///< For progress messages.
  CardAccess* card = nullptr;  ///< Worker commands only.
  Worker* worker = nullptr;    ///< Reading-thread commands only.
};

/// A validated command, ready to run; returns the result object or throws ProtocolError / card::CardError.
using CommandRun = std::function<nlohmann::json(CommandContext&)>;

/// Validates a command's params (throwing BAD_REQUEST) and returns what to run. It may take secrets (PINs) out
/// of params, wiping them there.
using CommandPrepare = CommandRun (*)(nlohmann::json& params);

/// Where a command runs: quick answers on the reading thread, card work on the worker.
enum class Placement { ReaderThread, Worker };

struct CommandEntry {
  std::string_view name;
  Placement placement;
  CommandPrepare prepare;
};

/// The command table. Every entry is a command of protocol.json (checked at compile time).
std::span<const CommandEntry> commandTable() noexcept;

/// The table entry for a command, or nullptr.
const CommandEntry* findCommandEntry(std::string_view name) noexcept;

/// Routes incoming messages. Called from the reading thread only.
class Dispatcher {
 public:
  Dispatcher(const HostState& host, Responder& responder, std::size_t queueCapacity = 8);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Handles one incoming message: answers it at once or queues it on the worker.
  void handleMessage(std::string_view payload);

  /// Answers a message that was over the size limit (its payload was skipped).
  void handleTooLarge(std::uint32_t declaredLength, std::size_t limit);

  /// Cancels pending work (queued requests answer USER_CANCELLED) and waits for the worker.
  void shutdown();

  /// After shutdown(), when the process exits next: lets go of the card library without stopping its reader
  /// watch or finalizing its modules (see SessionEnd::ProcessExits in session.hpp).
  void leaveCardsToProcessExit() noexcept;

 private:
  void runOnWorker(const Request& request, const CommandRun& run, const CancelToken& token);

  const HostState& host_;
  Responder& responder_;
  std::unique_ptr<CardAccess> card_;  ///< Used on the worker thread only.
  Worker worker_;                     ///< Declared last: stopped first, while card_ still exists.
};

}  // namespace certbridge::host
