#pragma once
// The host's standard streams, which carry the native-messaging frames. The browser starts the host with
// pipes on stdin and stdout; on Windows (where Chrome starts it through cmd.exe) they must be switched to
// binary mode, or every 0x0A byte of a frame would gain a 0x0D.

#include <cstddef>

namespace certbridge::host::platform {

/// Prepares stdin and stdout for frames and returns the descriptor to write frames to: a private copy of
/// stdout, with descriptor 1 pointed at stderr, so a stray printf in a PKCS#11 module cannot corrupt the
/// stream. Also makes a closed port a write error rather than death (SIGPIPE ignored on POSIX).
int takeStandardStreams();

/// read(2) / write(2) on a descriptor, or the CRT's _read / _write on Windows: the number of bytes, or -1
/// with errno set.
long long readDescriptor(int fd, char* data, std::size_t size);
long long writeDescriptor(int fd, const char* data, std::size_t size);

}  // namespace certbridge::host::platform
