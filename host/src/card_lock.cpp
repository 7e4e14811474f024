#include "card_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {
namespace {

constexpr std::chrono::milliseconds kPollInterval{100};

// A directory only this user can write, so nobody else can pre-create (or hold) our lock files.
std::optional<std::filesystem::path> lockDirectory() {
  std::filesystem::path base;
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && runtime[0] == '/') {
    base = std::filesystem::path(runtime) / "certbridge";
  } else {
    base = std::filesystem::path("/tmp") / ("certbridge-" + std::to_string(::getuid()));
  }
  if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) return std::nullopt;
  struct stat info {};
  if (::lstat(base.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::getuid() ||
      (info.st_mode & 0077) != 0) {
    return std::nullopt;
  }
  return base;
}

// Reader names are free text: keep letters and digits, so the name is a plain file name.
std::string lockFileName(const std::string& reader) {
  std::string name = "card-";
  for (char c : reader) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name.push_back(plain ? c : '_');
  }
  return name + ".lock";
}

}  // namespace

CardLock::CardLock(const std::string& reader, std::chrono::milliseconds wait, const std::function<bool()>& stop) {
  const auto directory = lockDirectory();
  if (!directory) {
    spdlog::warn("card lock: no private lock directory; card work is not serialized with other host processes");
    return;
  }
  const auto path = *directory / lockFileName(reader);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    spdlog::warn("card lock: cannot open {}: {}", path.string(), std::strerror(errno));
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (bool first = true;; first = false) {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      spdlog::warn("card lock: cannot lock {}: {}", path.string(), std::strerror(errno));
      ::close(fd_);
      fd_ = -1;
      return;
    }
    if (first) spdlog::info("card lock: another CertBridge process is using reader '{}'; waiting", reader);
    waited_ = true;
    if (stop()) {
      ::close(fd_);
      fd_ = -1;
      throw ProtocolError(ErrorCode::UserCancelled);
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  ::close(fd_);
  fd_ = -1;
  throw ProtocolError(ErrorCode::Busy, {{"reason", "cardInUse"}, {"reader", reader}});
}

CardLock::~CardLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace certbridge::host
