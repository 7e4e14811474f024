#pragma once
// One native-messaging conversation: hello, then read and dispatch frames until the browser closes stdin.

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/native_messaging.hpp"

namespace certbridge::host {

/// What the end of a session does with the card library once the worker has stopped.
enum class SessionEnd {
  /// Stops the reader watch and finalizes the PKCS#11 modules (a process that goes on, e.g. tests).
  TearDown,
  /// Leaves both to the process's exit, which follows at once: after the last reply nothing waits on pcscd or
  /// C_Finalize. No card call is in flight then (the worker has stopped); the exit closes the PC/SC connections
  /// (pcscd ends a dead client's transactions and connections) and releases the card lock (card_lock.hpp).
  ProcessExits,
};

/// Runs the conversation over in/out and returns the process exit code (0 after a clean end or a
/// truncated last frame; pending work is cancelled first).
int runSession(ByteSource& in, ByteSink& out, const HostState& host, SessionEnd end = SessionEnd::TearDown);

}  // namespace certbridge::host
