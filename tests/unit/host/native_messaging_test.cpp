// Framing: exact 4-byte native-endian lengths, partial reads, zero-length, truncated, oversized and
// garbage input, and the outgoing cap.

#include <thread>

#include <gtest/gtest.h>

#include "certbridge/host/native_messaging.hpp"
#include "certbridge/protocol.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

using test::frame;
using test::header;
using test::StringSink;
using test::StringSource;

TEST(FrameReader, ReadsOneMessageWithNativeEndianLength) {
  const std::uint32_t length = 0x0102;  // 258: distinguishes byte orders
  std::string payload(length, 'a');
  std::string bytes(4, '\0');
  std::memcpy(bytes.data(), &length, 4);
  StringSource source(bytes + payload);
  FrameReader reader(source, 1024);

  const Frame got = reader.next();
  EXPECT_EQ(got.kind, Frame::Kind::Message);
  EXPECT_EQ(got.payload, payload);
  EXPECT_EQ(reader.next().kind, Frame::Kind::EndOfStream);
}

TEST(FrameReader, ReadsConsecutiveFramesDeliveredOneByteAtATime) {
  StringSource source(frame(std::string("{\"a\":1}")) + frame(std::string("[]")) + frame(std::string("x")), 1);
  FrameReader reader(source, 1024);
  EXPECT_EQ(reader.next().payload, "{\"a\":1}");
  EXPECT_EQ(reader.next().payload, "[]");
  EXPECT_EQ(reader.next().payload, "x");
  EXPECT_EQ(reader.next().kind, Frame::Kind::EndOfStream);
}

TEST(FrameReader, ZeroLengthFrameIsAnEmptyMessage) {
  StringSource source(header(0) + frame(std::string("{}")));
  FrameReader reader(source, 1024);
  const Frame empty = reader.next();
  EXPECT_EQ(empty.kind, Frame::Kind::Message);
  EXPECT_TRUE(empty.payload.empty());
  EXPECT_EQ(reader.next().payload, "{}");
}

TEST(FrameReader, EmptyStreamIsACleanEnd) {
  StringSource source("");
  FrameReader reader(source, 1024);
  EXPECT_EQ(reader.next().kind, Frame::Kind::EndOfStream);
}

TEST(FrameReader, PartialHeaderIsTruncated) {
  StringSource source(header(10).substr(0, 3));
  FrameReader reader(source, 1024);
  EXPECT_EQ(reader.next().kind, Frame::Kind::Truncated);
}

TEST(FrameReader, ShortPayloadIsTruncated) {
  StringSource source(header(10) + "12345");
  FrameReader reader(source, 1024);
  const Frame got = reader.next();
  EXPECT_EQ(got.kind, Frame::Kind::Truncated);
  EXPECT_EQ(got.declaredLength, 10u);
  EXPECT_TRUE(got.payload.empty());
}

TEST(FrameReader, AcceptsExactlyTheCap) {
  StringSource source(frame(std::string(100, 'x')));
  FrameReader reader(source, 100);
  const Frame got = reader.next();
  EXPECT_EQ(got.kind, Frame::Kind::Message);
  EXPECT_EQ(got.payload.size(), 100u);
}

TEST(FrameReader, SkipsAnOversizedPayloadAndKeepsReading) {
  StringSource source(frame(std::string(101, 'x')) + frame(std::string("next")));
  FrameReader reader(source, 100);
  const Frame big = reader.next();
  EXPECT_EQ(big.kind, Frame::Kind::TooLarge);
  EXPECT_EQ(big.declaredLength, 101u);
  EXPECT_TRUE(big.payload.empty());
  EXPECT_EQ(reader.next().payload, "next");
}

// A source that produces count bytes without storing them, to skip gigabytes cheaply.
class EndlessSource : public ByteSource {
 public:
  EndlessSource(std::string head, std::uint64_t count) : head_(std::move(head)), remaining_(count) {}
  std::size_t read(std::span<char> buffer) override {
    largestRequest = std::max(largestRequest, buffer.size());
    if (!head_.empty()) {
      const std::size_t n = std::min(buffer.size(), head_.size());
      std::memcpy(buffer.data(), head_.data(), n);
      head_.erase(0, n);
      return n;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), remaining_));
    remaining_ -= n;
    return n;
  }
  std::size_t largestRequest = 0;

 private:
  std::string head_;
  std::uint64_t remaining_;
};

TEST(FrameReader, DiscardsA4GiBPayloadWithoutBufferingIt) {
  EndlessSource source(header(0xFFFFFFFFu), 0xFFFFFFFFull);
  FrameReader reader(source, protocol::kBrowserToHostMaxBytes);
  const Frame got = reader.next();
  EXPECT_EQ(got.kind, Frame::Kind::TooLarge);
  EXPECT_EQ(got.declaredLength, 0xFFFFFFFFu);
  EXPECT_LE(source.largestRequest, 64u * 1024u);
  EXPECT_EQ(reader.next().kind, Frame::Kind::EndOfStream);
}

TEST(FrameReader, OversizedPayloadCutShortIsTruncated) {
  StringSource source(header(5000) + std::string(10, 'x'));
  FrameReader reader(source, 100);
  EXPECT_EQ(reader.next().kind, Frame::Kind::Truncated);
}

TEST(FrameReader, GarbageBytesAreReadAsAFrameOfWhateverLengthTheyClaim) {
  // "GARB" read as a length is huge on any byte order: the frame is skipped, not buffered.
  StringSource source("GARBAGE!");
  FrameReader reader(source, 1024);
  EXPECT_EQ(reader.next().kind, Frame::Kind::Truncated);
}

TEST(FrameWriter, WritesHeaderAndPayload) {
  StringSink sink;
  FrameWriter writer(sink, 1024);
  EXPECT_EQ(writer.write("{\"ok\":true}"), FrameWriter::Result::Written);
  EXPECT_EQ(sink.data, frame(std::string("{\"ok\":true}")));
}

TEST(FrameWriter, RefusesMoreThanTheCapAndWritesNothing) {
  StringSink sink;
  FrameWriter writer(sink, protocol::kHostToBrowserMaxBytes);
  EXPECT_EQ(writer.write(std::string(protocol::kHostToBrowserMaxBytes + 1, 'x')), FrameWriter::Result::TooLarge);
  EXPECT_TRUE(sink.data.empty());
  EXPECT_EQ(writer.write(std::string(protocol::kHostToBrowserMaxBytes, 'x')), FrameWriter::Result::Written);
  EXPECT_EQ(sink.data.size(), protocol::kHostToBrowserMaxBytes + 4);
}

TEST(FrameWriter, ABrokenSinkStaysBroken) {
  StringSink sink;
  FrameWriter writer(sink, 1024);
  sink.fail = true;
  EXPECT_EQ(writer.write("a"), FrameWriter::Result::Broken);
  sink.fail = false;
  EXPECT_EQ(writer.write("b"), FrameWriter::Result::Broken);
  EXPECT_TRUE(sink.data.empty());
}

TEST(FrameWriter, FramesFromManyThreadsNeverInterleave) {
  StringSink sink;
  FrameWriter writer(sink, 1 << 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < 200; ++i)
        writer.write(std::string(static_cast<std::size_t>(100 + t * 37 + i), static_cast<char>('a' + t)));
    });
  }
  for (auto& thread : threads) thread.join();
  const auto frames = test::splitFrames(sink.data);
  ASSERT_EQ(frames.size(), 8u * 200u);
  for (const auto& payload : frames) {
    EXPECT_EQ(payload.find_first_not_of(payload.front()), std::string::npos);
  }
}

}  // namespace
}  // namespace certbridge::host
