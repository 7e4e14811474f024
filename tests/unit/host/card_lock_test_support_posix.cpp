// OtherHolder (card_lock_test_support.hpp) with flock, as card_lock.cpp locks.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "card_lock_test_support.hpp"

namespace certbridge::host::test {

OtherHolder::OtherHolder(const std::filesystem::path& file) : file_(::open(file.c_str(), O_RDWR)) {}

OtherHolder::~OtherHolder() {
  if (file_ >= 0) ::close(static_cast<int>(file_));
}

bool OtherHolder::tryLock() const {
  return file_ >= 0 && ::flock(static_cast<int>(file_), LOCK_EX | LOCK_NB) == 0;
}

}  // namespace certbridge::host::test
