#include "command_runner.hpp"

#include <cstring>

#include <spdlog/spdlog.h>

#include "card_access.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/host/error_mapping.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/host/request.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::cli {

using json = nlohmann::json;

// Reads the frames the host's Responder writes and hands progress messages on; results and errors come
// back from run() itself, so the frames carrying them are only checked to be well formed.
class CommandRunner::ProgressSink : public host::ByteSink {
 public:
  explicit ProgressSink(ProgressHandler onProgress) : onProgress_(std::move(onProgress)) {}

  void write(std::string_view bytes) override {
    buffer_.append(bytes);
    while (buffer_.size() >= sizeof(std::uint32_t)) {
      std::uint32_t length = 0;
      std::memcpy(&length, buffer_.data(), sizeof length);
      if (buffer_.size() < sizeof length + length) return;
      const json message = json::parse(buffer_.substr(sizeof length, length), nullptr, false);
      buffer_.erase(0, sizeof length + length);
      if (onProgress_ && message.is_object() && message.contains("progress")) onProgress_(message["progress"]);
    }
  }

 private:
  ProgressHandler onProgress_;
  std::string buffer_;
};

CommandRunner::CommandRunner(const host::HostState& host, ProgressHandler onProgress)
    : host_(host),
      sink_(std::make_unique<ProgressSink>(std::move(onProgress))),
      writer_(std::make_unique<host::FrameWriter>(*sink_, protocol::kHostToBrowserMaxBytes)),
      responder_(std::make_unique<host::Responder>(*writer_)),
      card_(std::make_unique<host::CardAccess>(host.config)) {}

CommandRunner::~CommandRunner() = default;

json CommandRunner::run(std::string_view command, json params) {
  const host::CommandEntry* entry = host::findCommandEntry(command);
  const protocol::CommandInfo* info = protocol::findCommand(command);
  if (entry == nullptr || info == nullptr) throw host::ProtocolError(ErrorCode::UnknownCommand);
  host::Request request;
  request.id = "cli-" + std::to_string(nextId_++);
  request.command = std::string(command);
  request.origin = std::string(kCommandLineOrigin);
  request.info = info;
  request.received = std::chrono::steady_clock::now();
  // The same steps as the host's dispatcher: validate and take the secrets out, then run.
  host::CommandRun run = entry->prepare(params);
  params = nullptr;
  host::CancelToken never;
  host::CommandContext context{request, host_, never, *responder_, card_.get(), nullptr};
  try {
    json result = run(context);
    spdlog::info("certbridge command={} outcome=ok", command);
    return result;
  } catch (const host::ProtocolError& e) {
    spdlog::info("certbridge command={} outcome={}", command, toString(e.code()));
    throw;
  } catch (const card::CardError& e) {
    spdlog::warn("certbridge command={}: card error {} in {} ({}): {}", command, card::toString(e.kind()),
                 e.function().empty() ? "-" : e.function(), e.nativeName().empty() ? "-" : e.nativeName(), e.what());
    throw host::toProtocolError(e);
  } catch (const std::exception& e) {
    spdlog::error("certbridge command={}: internal error: {}", command, e.what());
    throw host::ProtocolError(ErrorCode::InternalError);
  }
}

}  // namespace certbridge::cli
