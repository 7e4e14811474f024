#pragma once
// A .tar.gz archive written in one pass: POSIX ustar entries (regular files only) through zlib's gzip
// stream. Enough for the support bundle; any tar (GNU, bsdtar, Windows tar.exe) reads it.

#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace certbridge::cli {

class TarGzWriter {
 public:
  /// Creates path with mode 0600 (failing if it exists: a bundle never replaces a file). Throws
  /// std::system_error when it cannot.
  explicit TarGzWriter(const std::filesystem::path& path);
  ~TarGzWriter();
  TarGzWriter(const TarGzWriter&) = delete;
  TarGzWriter& operator=(const TarGzWriter&) = delete;

  /// Adds a regular file (mode 0600) named name (at most 99 bytes, no "..") holding content.
  void add(std::string_view name, std::string_view content, std::time_t modified);

  /// Writes the end of the archive and closes the file; throws std::system_error on failure.
  void finish();

 private:
  void deflateOut(const char* data, std::size_t size, bool last);

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace certbridge::cli
