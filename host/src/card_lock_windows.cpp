// CardLock on Windows: LockFileEx on a per-reader file in %LOCALAPPDATA%\CertBridge\locks. The folder is in
// the user's profile, which only the user (and administrators) can write, so another user can neither
// pre-create nor hold our lock files. Windows releases the lock when the file is closed or the process
// ends, however it ends. Never works unlocked: without a lock, CARD_LOCK_UNAVAILABLE names the folder.

#include <windows.h>

#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

#include "card_lock.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "platform/environment.hpp"

namespace certbridge::host {
namespace {

constexpr std::chrono::milliseconds kPollInterval{100};

[[noreturn]] void refuse(const std::filesystem::path& folder, const std::string& why) {
  const std::string name = platform::pathToUtf8(folder);
  spdlog::error("card lock: cannot use lock folder {}: {}", name, why);
  throw ProtocolError(ErrorCode::CardLockUnavailable, {{"folder", name}, {"reason", why}});
}

std::filesystem::path lockFolder() {
  const auto local = platform::environmentVariable("LOCALAPPDATA");
  if (!local) refuse("%LOCALAPPDATA%\\CertBridge\\locks", "LOCALAPPDATA is not set");
  auto folder = platform::pathFromUtf8(*local) / "CertBridge" / "locks";
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error || !std::filesystem::is_directory(folder, error)) refuse(folder, "it cannot be made");
  return folder;
}

// Reader names are free text: keep letters and digits, so the name is a plain file name.
std::wstring lockFileName(const std::string& reader) {
  std::wstring name = L"card-";
  for (char c : reader) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name.push_back(plain ? static_cast<wchar_t>(c) : L'_');
  }
  return name + L".lock";
}

}  // namespace

/// The open, locked lock file.
struct CardLock::Held {
  explicit Held(HANDLE opened) noexcept : file(opened) {}
  ~Held() { CloseHandle(file); }  // closing the file releases the lock
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;
  HANDLE file;
};

CardLock::CardLock(const std::string& reader, std::chrono::milliseconds wait, const std::function<bool()>& stop) {
  const auto folder = lockFolder();
  const auto path = folder / lockFileName(reader);
  // Not inherited by child processes; shared so that a waiting process can open it and try the lock.
  const HANDLE opened = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                    nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (opened == INVALID_HANDLE_VALUE) {
    refuse(folder, platform::pathToUtf8(path.filename()) + ": error " + std::to_string(GetLastError()));
  }
  auto held = std::make_unique<Held>(opened);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (bool first = true;; first = false) {
    OVERLAPPED firstByte{};
    if (LockFileEx(held->file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &firstByte)) {
      held_ = std::move(held);
      return;
    }
    if (GetLastError() != ERROR_LOCK_VIOLATION && GetLastError() != ERROR_IO_PENDING) {
      refuse(folder, "cannot lock: error " + std::to_string(GetLastError()));
    }
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
