#include "tar_gz_writer.hpp"

#include <fcntl.h>
#include <zlib.h>
#if defined(_WIN32)
#include <io.h>
#include <sys/stat.h>
#else
#include <unistd.h>
#endif

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "platform/environment.hpp"

namespace certbridge::cli {

namespace {

constexpr std::size_t kBlock = 512;

// The archive file: created new (never an existing file or, on POSIX, a link), readable by its owner only.
#if defined(_WIN32)
int createNewFile(const std::filesystem::path& path) {
  return ::_wopen(path.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
}
long long writeSome(int fd, const unsigned char* data, std::size_t size) {
  return ::_write(fd, data, static_cast<unsigned int>(size));
}
int syncFile(int fd) {
  return ::_commit(fd);
}
int closeFile(int fd) {
  return ::_close(fd);
}
#else
int createNewFile(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}
long long writeSome(int fd, const unsigned char* data, std::size_t size) {
  return ::write(fd, data, size);
}
int syncFile(int fd) {
  return ::fsync(fd);
}
int closeFile(int fd) {
  return ::close(fd);
}
#endif

// An octal field of a ustar header, NUL-terminated, zero-padded.
void octal(char* field, std::size_t width, unsigned long long value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), value);
}

}  // namespace

struct TarGzWriter::State {
  std::filesystem::path path;
  int fd = -1;
  z_stream stream{};
  bool created = false;
  bool deflating = false;
  bool finished = false;

  // An archive never finished (a write failed, an entry was refused, the writer was dropped) is removed: a
  // truncated bundle must not be sent, nor block the next attempt under the same name. Only a file this writer
  // created: an existing file was never opened.
  ~State() {
    if (deflating) deflateEnd(&stream);
    if (fd >= 0) closeFile(fd);
    if (created && !finished) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  }
};

TarGzWriter::TarGzWriter(const std::filesystem::path& path) : state_(std::make_unique<State>()) {
  state_->path = path;
  state_->fd = createNewFile(path);
  if (state_->fd < 0) throw std::system_error(errno, std::generic_category(), host::platform::pathToUtf8(path));
  state_->created = true;
  // gzip wrapper (windowBits 15 + 16), default level: logs compress well.
  if (deflateInit2(&state_->stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  state_->deflating = true;
}

TarGzWriter::~TarGzWriter() = default;

void TarGzWriter::deflateOut(const char* data, std::size_t size, bool last) {
  std::array<unsigned char, 16384> out{};
  state_->stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  state_->stream.avail_in = static_cast<uInt>(size);
  int result = Z_OK;
  do {
    state_->stream.next_out = out.data();
    state_->stream.avail_out = static_cast<uInt>(out.size());
    result = deflate(&state_->stream, last ? Z_FINISH : Z_NO_FLUSH);
    if (result == Z_STREAM_ERROR) throw std::runtime_error("zlib: deflate failed");
    const std::size_t produced = out.size() - state_->stream.avail_out;
    std::size_t written = 0;
    while (written < produced) {
      const long long n = writeSome(state_->fd, out.data() + written, produced - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::system_error(errno, std::generic_category(), "write");
      written += static_cast<std::size_t>(n);
    }
  } while (state_->stream.avail_out == 0 || (last && result != Z_STREAM_END));
}

void TarGzWriter::add(std::string_view name, std::string_view content, std::time_t modified) {
  if (name.empty() || name.size() > 99 || name.find("..") != std::string_view::npos || name.front() == '/') {
    throw std::invalid_argument("bad archive entry name");
  }
  std::array<char, kBlock> header{};
  std::memcpy(header.data(), name.data(), name.size());
  octal(header.data() + 100, 8, 0600);
  octal(header.data() + 108, 8, 0);
  octal(header.data() + 116, 8, 0);
  octal(header.data() + 124, 12, content.size());
  octal(header.data() + 136, 12, static_cast<unsigned long long>(modified));
  std::memset(header.data() + 148, ' ', 8);  // the checksum counts its own field as spaces
  header[156] = '0';
  std::memcpy(header.data() + 257, "ustar", 6);
  std::memcpy(header.data() + 263, "00", 2);
  unsigned long long sum = 0;
  for (const char c : header) sum += static_cast<unsigned char>(c);
  std::snprintf(header.data() + 148, 8, "%06llo", sum);
  header[155] = ' ';
  deflateOut(header.data(), header.size(), false);
  deflateOut(content.data(), content.size(), false);
  const std::array<char, kBlock> padding{};
  const std::size_t tail = content.size() % kBlock;
  if (tail != 0) deflateOut(padding.data(), kBlock - tail, false);
}

void TarGzWriter::finish() {
  // Two zero blocks end a tar archive.
  const std::array<char, kBlock * 2> end{};
  deflateOut(end.data(), end.size(), true);
  deflateEnd(&state_->stream);
  state_->deflating = false;
  if (syncFile(state_->fd) != 0 && errno != EINVAL) throw std::system_error(errno, std::generic_category(), "fsync");
  const int fd = state_->fd;
  state_->fd = -1;
  if (closeFile(fd) != 0) throw std::system_error(errno, std::generic_category(), "close");
  state_->finished = true;
}

}  // namespace certbridge::cli
