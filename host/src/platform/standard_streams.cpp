#include "standard_streams.hpp"

#include <cstdio>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#endif

namespace certbridge::host::platform {

#if defined(_WIN32)

int takeStandardStreams() {
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  const int frames = _dup(_fileno(stdout));
  if (frames < 0) return _fileno(stdout);
  _setmode(frames, _O_BINARY);
  _dup2(_fileno(stderr), _fileno(stdout));
  return frames;
}

// The CRT takes an unsigned int count: larger transfers are split by the callers' loops.
long long readDescriptor(int fd, char* data, std::size_t size) {
  return _read(fd, data, static_cast<unsigned int>(size > 0x7fffffff ? 0x7fffffff : size));
}

long long writeDescriptor(int fd, const char* data, std::size_t size) {
  return _write(fd, data, static_cast<unsigned int>(size > 0x7fffffff ? 0x7fffffff : size));
}

#else

int takeStandardStreams() {
  std::signal(SIGPIPE, SIG_IGN);  // a closed port must be a write error, not death
  const int frames = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (frames < 0) return STDOUT_FILENO;
  std::fflush(stdout);
  dup2(STDERR_FILENO, STDOUT_FILENO);
  return frames;
}

long long readDescriptor(int fd, char* data, std::size_t size) {
  return ::read(fd, data, size);
}

long long writeDescriptor(int fd, const char* data, std::size_t size) {
  return ::write(fd, data, size);
}

#endif

}  // namespace certbridge::host::platform
