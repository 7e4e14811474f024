#pragma once
// What the card lock tests of every platform share (card_lock_test.cpp, card_lock_windows_test.cpp and the
// portable card_lock_common_test.cpp): a throw-away lock folder, another process's hold on a lock file, and
// the error a CardLock throws. Only OtherHolder differs by platform (card_lock_test_support_{posix,windows}.cpp).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "certbridge/host/protocol_error.hpp"
#include "test_support.hpp"

namespace certbridge::host::test {

/// While it lives, the host takes its card locks from a fresh directory: XDG_RUNTIME_DIR (POSIX; the locks in
/// <it>/certbridge) or LOCALAPPDATA (Windows; <it>\CertBridge\locks) names it; the old value comes back after.
class LockFolder {
 public:
  LockFolder();
  const std::filesystem::path& base() const { return base_.path(); }
  /// The folder the host puts its lock files in.
  std::filesystem::path folder() const;

 private:
  TempDir base_;
  ScopedEnv variable_;
};

/// Another process's hold on a lock file. The platform's locks belong to the open file (flock) or the handle
/// (LockFileEx), so a second open conflicts even within this process, just as another host process would.
class OtherHolder {
 public:
  explicit OtherHolder(const std::filesystem::path& file);
  ~OtherHolder();
  OtherHolder(const OtherHolder&) = delete;
  OtherHolder& operator=(const OtherHolder&) = delete;
  bool tryLock() const;

 private:
  std::intptr_t file_;  // a file descriptor (POSIX) or a HANDLE (Windows)
};

/// The error a CardLock of reader throws after waiting `wait`, or nullopt when it locks (and unlocks at once).
std::optional<ProtocolError> lockError(const std::string& reader,
                                       std::chrono::milliseconds wait = std::chrono::milliseconds(0));

}  // namespace certbridge::host::test
