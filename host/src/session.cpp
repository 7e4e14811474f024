#include "certbridge/host/session.hpp"

#include <spdlog/spdlog.h>

#include "certbridge/card/secret_string.hpp"
#include "certbridge/protocol.hpp"
#include "secret_memory.hpp"

namespace certbridge::host {

int runSession(ByteSource& in, ByteSink& out, const HostState& host, SessionEnd end) {
  FrameWriter writer(out, protocol::kHostToBrowserMaxBytes);
  Responder responder(writer);
  responder.sendHello();

  Dispatcher dispatcher(host, responder);
  FrameReader reader(in, protocol::kBrowserToHostMaxBytes);
  for (;;) {
    Frame frame;
    try {
      frame = reader.next();
    } catch (const std::exception& e) {
      spdlog::error("native messaging: cannot read from the browser: {}", e.what());
      break;
    }
    if (frame.kind == Frame::Kind::Message) {
      dispatcher.handleMessage(frame.payload);
      // The message may have carried PINs (wiped again where they were parsed); leave no copy behind: not
      // in the frame, nor on the stack where the parser kept short strings.
      card::wipeMemory(frame.payload.data(), frame.payload.size());
      wipeStackBelowCaller();
    } else if (frame.kind == Frame::Kind::TooLarge) {
      dispatcher.handleTooLarge(frame.declaredLength, reader.maxPayloadBytes());
    } else if (frame.kind == Frame::Kind::Truncated) {
      spdlog::warn("native messaging: the stream ended inside a message (declared {} bytes); stopping",
                   frame.declaredLength);
      break;
    } else {
      spdlog::info("native messaging: the browser closed the connection");
      break;
    }
  }
  dispatcher.shutdown();
  if (end == SessionEnd::ProcessExits) dispatcher.leaveCardsToProcessExit();
  return 0;
}

}  // namespace certbridge::host
