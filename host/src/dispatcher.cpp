#include "certbridge/host/dispatcher.hpp"

#include <array>
#include <chrono>

#include <spdlog/spdlog.h>

#include "card_access.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/host/error_mapping.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "commands/commands.hpp"

namespace certbridge::host {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array kCommandTable = std::to_array<CommandEntry>({
    {"status", Placement::ReaderThread, &commands::prepareStatus},
    {"cancel", Placement::ReaderThread, &commands::prepareCancel},
    {"listReaders", Placement::Worker, &commands::prepareListReaders},
    {"environment", Placement::Worker, &commands::prepareEnvironment},
    {"listCertificates", Placement::Worker, &commands::prepareListCertificates},
    {"generateKeyPair", Placement::Worker, &commands::prepareGenerateKeyPair},
    {"writeCertificates", Placement::Worker, &commands::prepareWriteCertificates},
    {"signRenewal", Placement::Worker, &commands::prepareSignRenewal},
    {"authenticate", Placement::Worker, &commands::prepareAuthenticate},
    {"changePin", Placement::Worker, &commands::prepareChangePin},
    {"unblockRequest", Placement::Worker, &commands::prepareUnblockRequest},
    {"unblockPin", Placement::Worker, &commands::prepareUnblockPin},
    {"removeKeys", Placement::Worker, &commands::prepareRemoveKeys},
    {"checkParams", Placement::ReaderThread, &commands::prepareCheckParams},
    {"registerCertificates", Placement::Worker, &commands::prepareRegisterCertificates},
    {"unregisterCertificates", Placement::Worker, &commands::prepareUnregisterCertificates},
    {"generateSoftwareKey", Placement::Worker, &commands::prepareGenerateSoftwareKey},
    {"installCertificates", Placement::Worker, &commands::prepareInstallCertificates},
    {"exportPkcs12", Placement::Worker, &commands::prepareExportPkcs12},
    {"importPkcs12", Placement::Worker, &commands::prepareImportPkcs12},
    {"changePkcs12Password", Placement::Worker, &commands::prepareChangePkcs12Password},
    {"protectSavedFile", Placement::Worker, &commands::prepareProtectSavedFile},
});  // std::to_array: the size follows the rows (the static_asserts below check them against protocol.json)

constexpr bool allCommandsInProtocol() {
  for (const auto& entry : kCommandTable) {
    if (protocol::findCommand(entry.name) == nullptr) return false;
  }
  return true;
}
static_assert(allCommandsInProtocol(), "every command in the table must be declared in extension/shared/protocol.json");
static_assert(kCommandTable.size() == protocol::kCommands.size(),
              "every command of protocol.json must be in the table");

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The only request log line: never params, never error details (both may carry caller text).
void logOutcome(const std::optional<std::string>& id, std::string_view command, std::string_view origin,
                std::optional<ErrorCode> outcome, Clock::time_point start) {
  spdlog::info("request id={} command={} origin={} outcome={} duration_ms={:.3f}", id ? *id : "-",
               command.empty() ? "-" : command, origin.empty() ? "-" : origin,
               outcome ? toString(*outcome) : std::string_view("ok"), millisecondsSince(start));
}

// Runs a command, turning every failure into a ProtocolError.
template <typename Body>
nlohmann::json guarded(const Request& request, Body&& body) {
  try {
    return body();
  } catch (const ProtocolError&) {
    throw;
  } catch (const card::CardError& e) {
    spdlog::warn("request id={}: card error {} in {} ({} {}) at {}: {}", request.id, card::toString(e.kind()),
                 e.function().empty() ? "-" : e.function(), e.nativeName().empty() ? "-" : e.nativeName(),
                 e.nativeCode(), e.location(), e.what());
    throw toProtocolError(e);
  } catch (const std::exception& e) {
    spdlog::error("request id={}: internal error: {}", request.id, e.what());
    throw ProtocolError(ErrorCode::InternalError);
  } catch (...) {
    spdlog::error("request id={}: internal error (non-standard exception)", request.id);
    throw ProtocolError(ErrorCode::InternalError);
  }
}

}  // namespace

std::span<const CommandEntry> commandTable() noexcept {
  return kCommandTable;
}

const CommandEntry* findCommandEntry(std::string_view name) noexcept {
  for (const auto& entry : kCommandTable) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

Dispatcher::Dispatcher(const HostState& host, Responder& responder, std::size_t queueCapacity)
    : host_(host), responder_(responder), card_(std::make_unique<CardAccess>(host.config)), worker_(queueCapacity) {}

Dispatcher::~Dispatcher() {
  shutdown();
}

void Dispatcher::shutdown() {
  worker_.shutdown();
}

void Dispatcher::leaveCardsToProcessExit() noexcept {
  // Deliberately never destroyed: the process ends right after, and its end does the teardown's work.
  [[maybe_unused]] CardAccess* const leftToExit = card_.release();
}

void Dispatcher::handleTooLarge(std::uint32_t declaredLength, std::size_t limit) {
  spdlog::warn("request rejected: message of {} bytes is over the {} byte limit", declaredLength, limit);
  responder_.sendError(std::nullopt, ProtocolError(ErrorCode::MessageTooLarge, {{"limit", limit}}));
}

void Dispatcher::handleMessage(std::string_view payload) {
  const auto start = Clock::now();
  std::optional<std::string> id;
  Request request;
  try {
    request = parseRequest(payload, id);
    request.received = start;
    const CommandEntry* entry = findCommandEntry(request.command);
    if (entry == nullptr) throw ProtocolError(ErrorCode::UnknownCommand, {{"command", request.command}});
    if (!request.info->anyOrigin && !host_.config.isOriginAllowed(request.origin)) {
      // "refusedBy": the extension refuses with the same code; IT must know which allow-list to change.
      throw ProtocolError(ErrorCode::OriginNotAllowed, {{"origin", request.origin}, {"refusedBy", "host"}});
    }
    CommandRun run = entry->prepare(request.params);
    request.params = nullptr;  // validated and consumed; nothing downstream sees the raw params

    if (entry->placement == Placement::ReaderThread) {
      CancelToken never;
      CommandContext context{request, host_, never, responder_, nullptr, &worker_};
      const nlohmann::json result = guarded(request, [&] { return run(context); });
      logOutcome(id, request.command, request.origin, responder_.sendResult(request.id, result), start);
      return;
    }

    Worker::Job job;
    job.id = request.id;
    job.origin = request.origin;
    job.run = [this, request, run = std::move(run), start](const CancelToken& token) {
      std::optional<ErrorCode> outcome;
      try {
        if (token.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
        CommandContext context{request, host_, token, responder_, card_.get(), nullptr};
        const nlohmann::json result = guarded(request, [&] { return run(context); });
        if (token.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
        outcome = responder_.sendResult(request.id, result);
      } catch (const ProtocolError& e) {
        outcome = e.code();
        responder_.sendError(request.id, e);
      }
      logOutcome(request.id, request.command, request.origin, outcome, start);
    };
    job.dropped = [this, request, start] {
      responder_.sendError(request.id, ProtocolError(ErrorCode::UserCancelled));
      logOutcome(request.id, request.command, request.origin, ErrorCode::UserCancelled, start);
    };
    switch (worker_.submit(std::move(job))) {
      case Worker::SubmitResult::Queued:
        return;
      case Worker::SubmitResult::QueueFull:
        throw ProtocolError(ErrorCode::Busy);
      case Worker::SubmitResult::DuplicateId:
        throw badRequest("id", "a request with this id is already pending");
      case Worker::SubmitResult::Stopped:
        throw ProtocolError(ErrorCode::UserCancelled);
    }
  } catch (const ProtocolError& e) {
    responder_.sendError(id, e);
    logOutcome(id, request.command, request.origin, e.code(), start);
  } catch (const std::exception& e) {
    spdlog::error("request id={}: internal error: {}", id ? *id : "-", e.what());
    responder_.sendError(id, ProtocolError(ErrorCode::InternalError));
    logOutcome(id, request.command, request.origin, ErrorCode::InternalError, start);
  } catch (...) {
    spdlog::error("request id={}: internal error (non-standard exception)", id ? *id : "-");
    responder_.sendError(id, ProtocolError(ErrorCode::InternalError));
    logOutcome(id, request.command, request.origin, ErrorCode::InternalError, start);
  }
}

}  // namespace certbridge::host
