// The platform-neutral part of card_lock_test_support.hpp.

#include "card_lock_test_support.hpp"

#include "card_lock.hpp"

namespace certbridge::host::test {
namespace {

#ifdef _WIN32
constexpr const char* kLockFolderVariable = "LOCALAPPDATA";
#else
constexpr const char* kLockFolderVariable = "XDG_RUNTIME_DIR";
#endif

}  // namespace

LockFolder::LockFolder() : variable_(kLockFolderVariable, utf8(base_.path())) {}

std::filesystem::path LockFolder::folder() const {
#ifdef _WIN32
  return base() / "CertBridge" / "locks";
#else
  return base() / "certbridge";
#endif
}

std::optional<ProtocolError> lockError(const std::string& reader, std::chrono::milliseconds wait) {
  try {
    CardLock lock(reader, wait, [] { return false; });
    return std::nullopt;
  } catch (const ProtocolError& error) {
    return error;
  }
}

}  // namespace certbridge::host::test
