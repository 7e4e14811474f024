// Origin syntax and the allow-list patterns.

#include <gtest/gtest.h>

#include "certbridge/host/origin.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {
namespace {

TEST(Origin, AcceptsSerializedWebOrigins) {
  for (const char* origin : {"https://ra.example", "https://ra.certbridge.example", "http://127.0.0.1:8080",
                             "http://localhost:1", "https://xn--fiqs8s.example", "https://a-b.c", "http://[::1]:3000",
                             "https://ra.example:65535", "http://10.0.0.1"}) {
    EXPECT_TRUE(isValidOrigin(origin)) << origin;
  }
}

TEST(Origin, RejectsAnythingElse) {
  for (const char* origin : {"",
                             "null",
                             "ra.example",
                             "https://",
                             "https://ra.example/",
                             "https://ra.example/path",
                             "HTTPS://ra.example",
                             "https://RA.example",
                             "ftp://ra.example",
                             "chrome-extension://abc",
                             "file://",
                             "https://ra.example:",
                             "https://ra.example:0",
                             "https://ra.example:65536",
                             "https://ra.example:080",
                             "https://ra.example:8a",
                             "https://user@ra.example",
                             "https://ra..example",
                             "https://-ra.example",
                             "https://ra-.example",
                             "https://ra.example?x",
                             "https://ra.example#x",
                             "https://ra example",
                             "https://中文.example",
                             "http://[::1",
                             "http://[zz::1]",
                             "https://ra.example:*",
                             " https://ra.example"}) {
    EXPECT_FALSE(isValidOrigin(origin)) << origin;
  }
}

TEST(Origin, EnforcesTheLengthLimit) {
  const std::string prefix = "https://";
  std::string host;
  while (prefix.size() + host.size() + 4 <= protocol::kOriginMaxLength) host += "abc.";
  host += "x";
  EXPECT_GT(prefix.size() + host.size(), protocol::kOriginMaxLength);
  EXPECT_FALSE(isValidOrigin(prefix + host));
}

TEST(Origin, SplitsIntoParts) {
  const auto origin = parseOrigin("http://[::1]:3000");
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->scheme, "http");
  EXPECT_EQ(origin->host, "[::1]");
  EXPECT_EQ(origin->port, 3000u);
}

TEST(OriginPattern, ExactOriginMatchesOnlyItself) {
  const auto pattern = OriginPattern::parse("https://ra.example");
  ASSERT_TRUE(pattern);
  EXPECT_TRUE(pattern->matches("https://ra.example"));
  EXPECT_FALSE(pattern->matches("http://ra.example"));
  EXPECT_FALSE(pattern->matches("https://ra.example:8443"));
  EXPECT_FALSE(pattern->matches("https://evil.ra.example"));
  EXPECT_FALSE(pattern->matches("https://ra.example.evil"));
}

TEST(OriginPattern, AnyPortMatchesThatSchemeAndHostOnly) {
  const auto pattern = OriginPattern::parse("http://127.0.0.1:*");
  ASSERT_TRUE(pattern);
  EXPECT_TRUE(pattern->matches("http://127.0.0.1:8080"));
  EXPECT_TRUE(pattern->matches("http://127.0.0.1:1"));
  EXPECT_TRUE(pattern->matches("http://127.0.0.1"));
  EXPECT_FALSE(pattern->matches("https://127.0.0.1:8080"));
  EXPECT_FALSE(pattern->matches("http://127.0.0.10:8080"));
  EXPECT_FALSE(pattern->matches("http://localhost:8080"));
  EXPECT_FALSE(pattern->matches("http://127.0.0.1.evil:8080"));
}

TEST(OriginPattern, ExactPortPattern) {
  const auto pattern = OriginPattern::parse("https://ra.example:8443");
  ASSERT_TRUE(pattern);
  EXPECT_TRUE(pattern->matches("https://ra.example:8443"));
  EXPECT_FALSE(pattern->matches("https://ra.example"));
}

TEST(OriginPattern, RejectsBadPatterns) {
  for (const char* text : {"", "*", "https://*", "https://*.example", "https://ra.example:8443:*", "ra.example:*",
                           "https://ra.example/*", "https://ra.example:**"}) {
    EXPECT_FALSE(OriginPattern::parse(text)) << text;
  }
}

}  // namespace
}  // namespace certbridge::host
