#pragma once
// One native-messaging conversation: hello, then read and dispatch frames until the browser closes stdin.

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/native_messaging.hpp"

namespace certbridge::host {

/// Runs the conversation over in/out and returns the process exit code (0 after a clean end or a
/// truncated last frame; pending work is cancelled first).
int runSession(ByteSource& in, ByteSink& out, const HostState& host);

}  // namespace certbridge::host
