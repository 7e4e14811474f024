#include "owner_only_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace certbridge::host::platform {
namespace {

#ifndef _WIN32
std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Closes the descriptor on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};
#endif

}  // namespace

std::variant<OwnerOnlyOutcome, OwnerOnlyRefusal> restrictToOwner(const std::filesystem::path& path) {
#ifdef _WIN32
  // No POSIX mode: the file inherits the Downloads folder's ACL (the user, SYSTEM, Administrators).
  (void)path;
  return OwnerOnlyOutcome{};
#else
  // O_NOFOLLOW: a symbolic link put in the file's place is refused, not followed to some other file.
  // O_NONBLOCK: a FIFO in its place does not hang the host (it is then refused as not a regular file).
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (file.get() < 0) {
    const int error = errno;
    const bool notAllowed = error == ENOENT || error == ELOOP || error == ENOTDIR || error == EACCES;
    return OwnerOnlyRefusal{std::string("cannot open the saved file: ") + std::strerror(error), notAllowed};
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) {
    return OwnerOnlyRefusal{std::string("cannot read the saved file's status: ") + std::strerror(errno), false};
  }
  if (!S_ISREG(status.st_mode)) return OwnerOnlyRefusal{"the saved file is not a regular file", true};
  if (status.st_uid != ::geteuid()) return OwnerOnlyRefusal{"the saved file belongs to another user", true};
  const mode_t previous = status.st_mode & 07777;
  const mode_t ownerOnly = previous & 0700;
  if (ownerOnly != previous && ::fchmod(file.get(), ownerOnly) != 0) {
    return OwnerOnlyRefusal{std::string("cannot change the saved file's mode: ") + std::strerror(errno), false};
  }
  return OwnerOnlyOutcome{octal(previous), octal(ownerOnly)};
#endif
}

}  // namespace certbridge::host::platform
