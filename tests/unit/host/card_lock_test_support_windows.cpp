// OtherHolder (card_lock_test_support.hpp) with LockFileEx, as card_lock_windows.cpp locks.

#include <windows.h>

#include "card_lock_test_support.hpp"

namespace certbridge::host::test {
namespace {

HANDLE handleOf(std::intptr_t file) {
  return reinterpret_cast<HANDLE>(file);
}

}  // namespace

OtherHolder::OtherHolder(const std::filesystem::path& file)
    : file_(reinterpret_cast<std::intptr_t>(CreateFileW(file.c_str(), GENERIC_READ | GENERIC_WRITE,
                                                        FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                                                        FILE_ATTRIBUTE_NORMAL, nullptr))) {}

OtherHolder::~OtherHolder() {
  if (handleOf(file_) != INVALID_HANDLE_VALUE) CloseHandle(handleOf(file_));
}

bool OtherHolder::tryLock() const {
  OVERLAPPED firstByte{};
  return handleOf(file_) != INVALID_HANDLE_VALUE &&
         LockFileEx(handleOf(file_), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &firstByte);
}

}  // namespace certbridge::host::test
