#pragma once
// Native-messaging framing, the only place that knows it: each message is a 4-byte length in native
// byte order followed by that many bytes of UTF-8 JSON. Reading is capped (over-size payloads are skipped
// without being buffered) and so is writing (the browser drops the port on a message over 1 MB).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

namespace certbridge::host {

/// Where frames come from. read() returns 0 only at end of stream; it throws std::system_error on I/O errors.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read(std::span<char> buffer) = 0;
};

/// Where frames go. write() writes all bytes or throws std::system_error (e.g. EPIPE once the browser left).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(std::string_view bytes) = 0;
};

/// A file descriptor as a ByteSource (retries EINTR). Does not own the descriptor.
class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd) noexcept : fd_(fd) {}
  std::size_t read(std::span<char> buffer) override;

 private:
  int fd_;
};

/// A file descriptor as a ByteSink (retries EINTR and short writes). Does not own the descriptor.
class FdSink : public ByteSink {
 public:
  explicit FdSink(int fd) noexcept : fd_(fd) {}
  void write(std::string_view bytes) override;

 private:
  int fd_;
};

/// One step of reading the stream.
struct Frame {
  enum class Kind {
    Message,      ///< payload holds the message (possibly empty).
    TooLarge,     ///< The declared length was over the cap; the payload was read and discarded.
    EndOfStream,  ///< Clean end between frames.
    Truncated,    ///< The stream ended inside a frame (header or payload).
  };
  Kind kind = Kind::EndOfStream;
  std::string payload;
  std::uint32_t declaredLength = 0;
};

/// Reads frames from a ByteSource. Not thread-safe; one reading thread owns it.
class FrameReader {
 public:
  FrameReader(ByteSource& source, std::size_t maxPayloadBytes);

  /// The next frame. Blocks until a whole frame arrived or the stream ended.
  Frame next();

  std::size_t maxPayloadBytes() const noexcept { return maxPayloadBytes_; }

 private:
  /// Fills out exactly; false if the stream ended first.
  bool readExactly(std::span<char> out);
  /// Reads and throws away count bytes; false if the stream ended first.
  bool skip(std::size_t count);

  ByteSource& source_;
  std::size_t maxPayloadBytes_;
};

/// Writes frames to a ByteSink; thread-safe (one frame at a time, never interleaved).
class FrameWriter {
 public:
  FrameWriter(ByteSink& sink, std::size_t maxPayloadBytes);

  enum class Result {
    Written,
    TooLarge,  ///< Not written: the payload is over the cap.
    Broken,    ///< Not written: the sink failed now or before (the browser went away).
  };

  /// Writes header and payload as one unit.
  Result write(std::string_view payload);

  std::size_t maxPayloadBytes() const noexcept { return maxPayloadBytes_; }

 private:
  ByteSink& sink_;
  std::size_t maxPayloadBytes_;
  std::mutex mutex_;
  bool broken_ = false;
};

}  // namespace certbridge::host
