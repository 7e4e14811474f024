// CardLock on POSIX (Linux, macOS): flock on a per-reader file in a private per-user directory.

#include "card_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {

namespace {

constexpr std::chrono::milliseconds kPollInterval{100};

/// An open file descriptor, closed on destruction (for the lock file, closing releases the flock).
class OpenFile {
 public:
  explicit OpenFile(int fd) noexcept : fd_(fd) {}
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OpenFile(OpenFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  OpenFile& operator=(OpenFile&&) = delete;
  int fd() const noexcept { return fd_; }
  bool isOpen() const noexcept { return fd_ >= 0; }

 private:
  int fd_;
};

[[noreturn]] void refuse(const std::filesystem::path& folder, const std::string& why) {
  spdlog::error("card lock: cannot use lock folder {}: {}", folder.string(), why);
  throw ProtocolError(ErrorCode::CardLockUnavailable, {{"folder", folder.string()}, {"reason", why}});
}

std::filesystem::path lockDirectoryPath() {
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && runtime[0] == '/') {
    return std::filesystem::path(runtime) / "certbridge";
  }
  // /tmp is shared: another local user could make this name first. Then it is not ours, and refused below.
  return std::filesystem::path("/tmp") / ("certbridge-" + std::to_string(::getuid()));
}

// The lock directory, created if missing, opened without following a link and checked through the open
// descriptor (so a directory swapped in after the check is never used): ours and closed to everybody else,
// since whoever can write it could hold or replace our lock files.
OpenFile openPrivateDirectory(const std::filesystem::path& folder) {
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) refuse(folder, std::strerror(errno));
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    refuse(folder,
           errno == ELOOP || errno == ENOTDIR ? "it is not a directory (or is a symbolic link)" : std::strerror(errno));
  }
  OpenFile directory(fd);
  struct stat info {};
  if (::fstat(directory.fd(), &info) != 0) refuse(folder, std::strerror(errno));
  if (info.st_uid != ::getuid()) {
    refuse(folder, "it belongs to user " + std::to_string(info.st_uid) + ", not to user " + std::to_string(::getuid()) +
                       " (remove it, or set XDG_RUNTIME_DIR)");
  }
  if ((info.st_mode & 0077) != 0) {
    // Ours, so nobody else could have opened it up: close it again rather than run without a lock.
    if (::fchmod(directory.fd(), 0700) != 0)
      refuse(folder, std::string("it is open to other users: ") + std::strerror(errno));
    spdlog::warn("card lock: lock folder {} was open to other users; made it private", folder.string());
  }
  return directory;
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

/// The open, locked lock file.
struct CardLock::Held {
  OpenFile file;
};

CardLock::CardLock(const std::string& reader, std::chrono::milliseconds wait, const std::function<bool()>& stop) {
  const auto folder = lockDirectoryPath();
  const OpenFile directory = openPrivateDirectory(folder);
  const std::string name = lockFileName(reader);
  OpenFile file(::openat(directory.fd(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!file.isOpen()) refuse(folder, name + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(file.fd(), &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::getuid() || info.st_nlink != 1) {
    refuse(folder, name + " is not a plain file of this user");
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (bool first = true;; first = false) {
    if (::flock(file.fd(), LOCK_EX | LOCK_NB) == 0) {
      held_ = std::make_unique<Held>(Held{std::move(file)});
      return;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) refuse(folder, name + ": cannot lock: " + std::strerror(errno));
    if (first) spdlog::info("card lock: another CertBridge process is using reader '{}'; waiting", reader);
    waited_ = true;
    if (stop()) throw ProtocolError(ErrorCode::UserCancelled);
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  throw ProtocolError(ErrorCode::Busy, {{"reason", "cardInUse"}, {"reader", reader}});
}

CardLock::~CardLock() = default;

}  // namespace certbridge::host
