// Fuzz target: native-messaging framing. Any byte stream from the browser is read as frames (length
// header, payload, over-size skip, truncation) without a crash or a hang, and every frame is within the cap.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "certbridge/host/native_messaging.hpp"

namespace {

using namespace certbridge::host;

// Small, so the fuzzer reaches the over-size path with short inputs.
constexpr std::size_t kCap = 512;

// Hands out the input in pieces of varying size, as a pipe does.
class PieceSource : public ByteSource {
 public:
  PieceSource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::size_t read(std::span<char> buffer) override {
    if (offset_ >= size_ || buffer.empty()) return 0;
    std::size_t piece = 1 + (offset_ * 7 + size_) % 13;
    piece = std::min({piece, buffer.size(), size_ - offset_});
    for (std::size_t i = 0; i < piece; ++i) buffer[i] = static_cast<char>(data_[offset_ + i]);
    offset_ += piece;
    return piece;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

class CountingSink : public ByteSink {
 public:
  void write(std::string_view bytes) override { written += bytes.size(); }
  std::size_t written = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  PieceSource source(data, size);
  FrameReader reader(source, kCap);
  CountingSink sink;
  FrameWriter writer(sink, kCap);
  for (;;) {
    const Frame frame = reader.next();
    if (frame.kind == Frame::Kind::EndOfStream || frame.kind == Frame::Kind::Truncated) break;
    if (frame.kind == Frame::Kind::Message) {
      if (frame.payload.size() > kCap || frame.payload.size() != frame.declaredLength) std::abort();
      // What was read can be written back within the same cap.
      if (writer.write(frame.payload) != FrameWriter::Result::Written) std::abort();
    } else if (frame.declaredLength <= kCap) {
      std::abort();  // only over-size frames are skipped
    }
  }
  return 0;
}
