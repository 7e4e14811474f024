// Base64, hex, SHA-256, random bytes and the protocol's date format.

#include <gtest/gtest.h>

#include <set>

#include "crypto/encoding.hpp"
#include "test_bytes.hpp"

namespace certbridge::host::crypto {
namespace {

using test::bytesOf;

TEST(CryptoEncoding, Base64MatchesRfc4648Vectors) {
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64Encode(bytesOf(plain)), encoded);
    const auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, bytesOf(plain));
  }
}

TEST(CryptoEncoding, Base64RoundTripsEveryByteValue) {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    const std::span<const std::uint8_t> prefix(bytes.data(), length);
    const std::string encoded = base64Encode(prefix);
    EXPECT_EQ(encoded.size() % 4, 0u);
    const auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_TRUE(std::equal(decoded->begin(), decoded->end(), prefix.begin(), prefix.end()));
  }
  // '+' and '/' are the standard alphabet's last two characters (not the URL-safe '-' and '_').
  EXPECT_EQ(base64Encode(std::vector<std::uint8_t>{0xfb, 0xff}), "+/8=");
}

TEST(CryptoEncoding, Base64RejectsAnythingNotStrictlyStandard) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Zg===", "====", "Z===", "Zg==Zg==", "Zm=v", "=Zm9", "Zm9v\n", " Zm9v",
                          "Zm 9v", "-_8=", "Zm9v!A==", "Zh==", "Zm9="}) {
    EXPECT_FALSE(base64Decode(bad).has_value()) << '"' << bad << '"';
  }
  EXPECT_FALSE(base64Decode(std::string_view("Zg=\0", 4)).has_value());
  EXPECT_FALSE(base64Decode(std::string_view("Zg==\0\0\0\0", 8)).has_value());
  // The non-canonical twins of "Zg==" and "Zm8=" ("f", "fo") carry non-zero unused bits.
  EXPECT_TRUE(base64Decode("Zg==").has_value());
  EXPECT_FALSE(base64Decode("Zh==").has_value());
  EXPECT_TRUE(base64Decode("Zm8=").has_value());
  EXPECT_FALSE(base64Decode("Zm9=").has_value());
}

TEST(CryptoEncoding, HexRoundTripsAndIsLowercase) {
  const std::vector<std::uint8_t> bytes = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff};
  EXPECT_EQ(hexEncode(bytes), "0001abcdefff");
  EXPECT_EQ(hexEncode({}), "");
  EXPECT_EQ(hexDecode("0001abcdefff"), bytes);
  EXPECT_EQ(hexDecode("0001ABCDEFFF"), bytes);
  EXPECT_EQ(hexDecode(""), std::vector<std::uint8_t>{});
}

TEST(CryptoEncoding, HexRejectsOddLengthAndNonHexDigits) {
  for (const char* bad : {"0", "abc", "0g", "zz", " 00", "00 ", "0x00", "-1"}) {
    EXPECT_FALSE(hexDecode(bad).has_value()) << bad;
  }
}

TEST(CryptoEncoding, Sha256MatchesKnownDigests) {
  EXPECT_EQ(hexEncode(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hexEncode(sha256(bytesOf("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoEncoding, RandomBytesHaveTheLengthAndDiffer) {
  EXPECT_TRUE(randomBytes(0).empty());
  std::set<std::vector<std::uint8_t>> seen;
  for (int i = 0; i < 8; ++i) {
    const auto bytes = randomBytes(16);
    EXPECT_EQ(bytes.size(), 16u);
    seen.insert(bytes);
  }
  EXPECT_EQ(seen.size(), 8u);
}

TEST(CryptoEncoding, IsoTimeIsUtcWithSeconds) {
  EXPECT_EQ(isoTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(isoTime(1826784000), "2027-11-21T08:00:00Z");
  EXPECT_EQ(isoTime(951782399), "2000-02-28T23:59:59Z");
  EXPECT_EQ(isoTime(951782400 + 86399), "2000-02-29T23:59:59Z");
  EXPECT_EQ(isoTime(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(isoTime(253402300799), "9999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace certbridge::host::crypto
