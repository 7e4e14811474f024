#include "certbridge/host/native_messaging.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "platform/standard_streams.hpp"

namespace certbridge::host {
namespace {

constexpr std::size_t kHeaderBytes = sizeof(std::uint32_t);
constexpr std::size_t kIoChunk = 64 * 1024;

}  // namespace

std::size_t FdSource::read(std::span<char> buffer) {
  for (;;) {
    const long long n = platform::readDescriptor(fd_, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    throw std::system_error(errno, std::generic_category(), "read");
  }
}

void FdSink::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const long long n = platform::writeDescriptor(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

FrameReader::FrameReader(ByteSource& source, std::size_t maxPayloadBytes)
    : source_(source), maxPayloadBytes_(maxPayloadBytes) {}

Frame FrameReader::next() {
  Frame frame;
  std::array<char, kHeaderBytes> header{};
  // The first read tells a clean end of stream (no byte at all) from a truncated header.
  std::size_t got = 0;
  while (got < header.size()) {
    const std::size_t n = source_.read(std::span<char>(header).subspan(got));
    if (n == 0) {
      frame.kind = got == 0 ? Frame::Kind::EndOfStream : Frame::Kind::Truncated;
      return frame;
    }
    got += n;
  }
  std::uint32_t length = 0;
  std::memcpy(&length, header.data(), sizeof length);  // native byte order, as the browser writes it
  frame.declaredLength = length;

  if (length > maxPayloadBytes_) {
    frame.kind = skip(length) ? Frame::Kind::TooLarge : Frame::Kind::Truncated;
    return frame;
  }
  frame.payload.resize(length);
  frame.kind = readExactly(frame.payload) ? Frame::Kind::Message : Frame::Kind::Truncated;
  if (frame.kind == Frame::Kind::Truncated) frame.payload.clear();
  return frame;
}

bool FrameReader::readExactly(std::span<char> out) {
  while (!out.empty()) {
    const std::size_t n = source_.read(out);
    if (n == 0) return false;
    out = out.subspan(n);
  }
  return true;
}

bool FrameReader::skip(std::size_t count) {
  std::array<char, kIoChunk> scratch;  // NOLINT: filled by read before use
  while (count > 0) {
    const std::size_t want = count < scratch.size() ? count : scratch.size();
    const std::size_t n = source_.read(std::span<char>(scratch.data(), want));
    if (n == 0) return false;
    count -= n;
  }
  return true;
}

FrameWriter::FrameWriter(ByteSink& sink, std::size_t maxPayloadBytes)
    : sink_(sink), maxPayloadBytes_(maxPayloadBytes) {}

FrameWriter::Result FrameWriter::write(std::string_view payload) {
  if (payload.size() > maxPayloadBytes_) return Result::TooLarge;
  const auto length = static_cast<std::uint32_t>(payload.size());
  std::string frame;
  frame.reserve(kHeaderBytes + payload.size());
  frame.append(reinterpret_cast<const char*>(&length), kHeaderBytes);
  frame.append(payload);

  std::lock_guard lock(mutex_);
  if (broken_) return Result::Broken;
  try {
    sink_.write(frame);
    return Result::Written;
  } catch (const std::exception& e) {
    broken_ = true;
    spdlog::warn("native messaging: cannot write to the browser any more ({})", e.what());
    return Result::Broken;
  }
}

}  // namespace certbridge::host
