#pragma once
// Serializes card work across host processes. Each browser port starts its own host process, so two tabs
// (or two browsers) could otherwise drive the same card at once and interleave logins and writes. Within one
// process the worker thread already serializes; this lock covers the rest.

#include <chrono>
#include <functional>
#include <string>

namespace certbridge::host {

/// An exclusive advisory lock (flock) on a per-reader file in a private per-user directory
/// ($XDG_RUNTIME_DIR/certbridge, else /tmp/certbridge-<uid>, mode 0700, owned by the user). Released on
/// destruction or when the process ends, however it ends.
class CardLock {
 public:
  /// Waits up to `wait` for the reader's lock, polling, and gives up early when stop() returns true.
  /// Throws ProtocolError BUSY {"reason": "cardInUse"} when another process still holds it. When no lock
  /// file can be made (no usable directory), logs a warning and works without the lock rather than
  /// refusing card work.
  CardLock(const std::string& reader, std::chrono::milliseconds wait, const std::function<bool()>& stop);
  ~CardLock();
  CardLock(const CardLock&) = delete;
  CardLock& operator=(const CardLock&) = delete;

  /// Another process held the lock first: the card may have changed meanwhile.
  bool waited() const noexcept { return waited_; }

 private:
  int fd_ = -1;
  bool waited_ = false;
};

}  // namespace certbridge::host
