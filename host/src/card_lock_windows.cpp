// CardLock on Windows: LockFileEx on a per-reader file in %LOCALAPPDATA%\CertBridge\locks. The folder is in
// the user's profile, which only the user (and administrators) can write, so another user can neither
// pre-create nor hold our lock files. Windows releases the lock when the file is closed or the process
// ends, however it ends.

#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <filesystem>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "card_lock.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "platform/environment.hpp"

namespace certbridge::host {
namespace {

constexpr std::chrono::milliseconds kPollInterval{100};

std::optional<std::filesystem::path> lockDirectory() {
  const auto local = platform::environmentVariable("LOCALAPPDATA");
  if (!local) return std::nullopt;
  auto directory = platform::pathFromUtf8(*local) / "CertBridge" / "locks";
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory, error)) return std::nullopt;
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

bool tryLock(int fd) {
  OVERLAPPED whole{};
  const auto file = reinterpret_cast<HANDLE>(_get_osfhandle(fd));
  return LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &whole) != 0;
}

}  // namespace

CardLock::CardLock(const std::string& reader, std::chrono::milliseconds wait, const std::function<bool()>& stop) {
  const auto directory = lockDirectory();
  if (!directory) {
    throw ProtocolError(ErrorCode::InternalError,
                        {{"reason", "cardLockUnavailable"}, {"detail", "no lock folder under %LOCALAPPDATA%"}});
  }
  const auto path = *directory / lockFileName(reader);
  fd_ = _wopen(path.c_str(), _O_RDWR | _O_CREAT | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
  if (fd_ < 0) {
    throw ProtocolError(ErrorCode::InternalError,
                        {{"reason", "cardLockUnavailable"}, {"detail", "cannot open " + platform::pathToUtf8(path)}});
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (bool first = true;; first = false) {
    if (tryLock(fd_)) return;
    if (first) spdlog::info("card lock: another CertBridge process is using reader '{}'; waiting", reader);
    waited_ = true;
    if (stop()) {
      _close(fd_);
      fd_ = -1;
      throw ProtocolError(ErrorCode::UserCancelled);
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  _close(fd_);
  fd_ = -1;
  throw ProtocolError(ErrorCode::Busy, {{"reason", "cardInUse"}, {"reader", reader}});
}

CardLock::~CardLock() {
  if (fd_ >= 0) _close(fd_);  // closing the file releases the lock
}

}  // namespace certbridge::host
