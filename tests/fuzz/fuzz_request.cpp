// Fuzz target: the request path up to the card. A message is parsed as strict JSON, checked as an envelope
// (id, command, origin, params), its origin matched against the built-in allow-list, and its params
// validated by the command's own prepare step, as the dispatcher does; nothing is run. Every outcome must
// be a result or a ProtocolError (BAD_REQUEST, UNKNOWN_COMMAND, ...), never another exception or a crash.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "certbridge/host/config.hpp"
#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/host/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certbridge::host;
  static const HostConfig config = HostConfig::builtInDefaults();
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> knownId;
  try {
    Request request = parseRequest(payload, knownId);
    // The dispatcher refuses unlisted origins first; validation below must hold for every origin anyway.
    (void)config.isOriginAllowed(request.origin);
    const CommandEntry* entry = findCommandEntry(request.command);
    if (entry == nullptr) return 0;
    CommandRun run = entry->prepare(request.params);
    if (!run) std::abort();
  } catch (const ProtocolError&) {
    // The answer the browser gets: fine.
  }
  return 0;
}
