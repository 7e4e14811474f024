#pragma once
// In-memory streams and frame helpers for the host's unit tests.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "certbridge/host/native_messaging.hpp"

namespace certbridge::host::test {

/// Serves bytes from a string, at most chunk bytes per read (to exercise partial reads). beforeEnd, if
/// set, runs once when the data is used up, before end of stream is reported (to let answers arrive).
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data, std::size_t chunk = SIZE_MAX) : data_(std::move(data)), chunk_(chunk) {}
  std::size_t read(std::span<char> buffer) override {
    if (offset_ == data_.size() && beforeEnd) std::exchange(beforeEnd, nullptr)();
    const std::size_t n = std::min({buffer.size(), data_.size() - offset_, chunk_});
    std::memcpy(buffer.data(), data_.data() + offset_, n);
    offset_ += n;
    largestRequest = std::max(largestRequest, buffer.size());
    return n;
  }
  std::size_t consumed() const { return offset_; }
  std::size_t largestRequest = 0;
  std::function<void()> beforeEnd;

 private:
  std::string data_;
  std::size_t offset_ = 0;
  std::size_t chunk_;
};

/// Collects written bytes; can be told to fail like a closed pipe. Thread-safe.
class StringSink : public ByteSink {
 public:
  void write(std::string_view bytes) override {
    std::lock_guard lock(mutex_);
    if (fail) throw std::runtime_error("broken pipe");
    data.append(bytes);
    changed_.notify_all();
  }
  /// Waits until at least count whole frames were written; false on timeout.
  bool waitForFrames(std::size_t count, std::chrono::milliseconds timeout);

  std::string data;  ///< Read it once writers are done.
  bool fail = false;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

/// A 4-byte native-endian length header.
inline std::string header(std::uint32_t length) {
  std::string bytes(4, '\0');
  std::memcpy(bytes.data(), &length, 4);
  return bytes;
}

/// Header + payload.
inline std::string frame(const std::string& payload) {
  return header(static_cast<std::uint32_t>(payload.size())) + payload;
}
inline std::string frame(const nlohmann::json& message) {
  return frame(message.dump());
}

/// Splits a byte stream into frame payloads; throws if the stream does not end on a frame boundary.
std::vector<std::string> splitFrames(std::string_view bytes);

/// Splits into parsed JSON messages.
std::vector<nlohmann::json> parseFrames(std::string_view bytes);

/// A request envelope.
nlohmann::json request(std::string id, std::string command, std::string origin = "https://ra.certbridge.example",
                       nlohmann::json params = nlohmann::json::object());

/// A fresh empty directory, removed (with its content) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A path as UTF-8 text (what the host puts in logs and error details).
inline std::string utf8(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

/// Sets an environment variable for the lifetime of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

}  // namespace certbridge::host::test
