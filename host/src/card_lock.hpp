#pragma once
// Serializes card work across host processes. Each browser port starts its own host process, so two tabs
// (or two browsers) could otherwise drive the same card at once and interleave logins and writes. Within one
// process the worker thread already serializes; this lock covers the rest. The interface is the same on
// every platform; each platform's source file (card_lock.cpp for POSIX, card_lock_windows.cpp) holds the lock.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace certbridge::host {

/// An exclusive lock on one reader's card, held by one host process at a time. On POSIX: an advisory lock
/// (flock) on a per-reader file in a private per-user directory ($XDG_RUNTIME_DIR/certbridge, else
/// /tmp/certbridge-<uid>, mode 0700, owned by the user). Released on destruction or when the process ends,
/// however it ends.
class CardLock {
 public:
  /// Waits up to `wait` for the reader's lock, polling, and gives up early when stop() returns true
  /// (USER_CANCELLED). Throws ProtocolError BUSY {"reason": "cardInUse"} when another process still holds
  /// it. Never works unlocked: when the lock cannot be had for any other reason (the lock folder belongs to
  /// someone else or is open to others, the lock file cannot be made), throws CARD_LOCK_UNAVAILABLE naming
  /// the folder and why.
  CardLock(const std::string& reader, std::chrono::milliseconds wait, const std::function<bool()>& stop);
  ~CardLock();
  CardLock(const CardLock&) = delete;
  CardLock& operator=(const CardLock&) = delete;

  /// Another process held the lock first: the card may have changed meanwhile.
  bool waited() const noexcept { return waited_; }

 private:
  /// The platform's hold on the lock (an open lock file on POSIX); defined beside the implementation.
  struct Held;
  std::unique_ptr<Held> held_;
  bool waited_ = false;
};

}  // namespace certbridge::host
