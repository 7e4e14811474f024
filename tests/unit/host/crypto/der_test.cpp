// The platform-neutral DER writer and reader the Windows crypto build relies on (der_writer, der_reader), from
// known answers: built for Linux and Windows alike. der_openssl_test.cpp checks them against OpenSSL.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/der_reader.hpp"
#include "crypto/der_writer.hpp"
#include "crypto/encoding.hpp"
#include "test_bytes.hpp"

namespace certbridge::host::crypto {
namespace {

TEST(CryptoDer, WriterEncodesKnownAnswers) {
  EXPECT_EQ(hexEncode(der::objectIdentifier("1.2.840.113549.1.1.11")), "06092a864886f70d01010b");
  EXPECT_EQ(hexEncode(der::objectIdentifier("2.999.3")), "0603883703");
  EXPECT_THROW(der::objectIdentifier("1.40"), std::invalid_argument);
  EXPECT_THROW(der::objectIdentifier("1"), std::invalid_argument);
  EXPECT_EQ(hexEncode(der::integer(0)), "020100");
  EXPECT_EQ(hexEncode(der::integer(128)), "02020080");
  static constexpr int kSigning[] = {0, 1};
  EXPECT_EQ(hexEncode(der::namedBits(kSigning)), "030206c0");
  static constexpr int kEncryption[] = {2, 3};
  EXPECT_EQ(hexEncode(der::namedBits(kEncryption)), "03020430");
  EXPECT_EQ(hexEncode(der::tlv(0x04, std::vector<std::uint8_t>(200))).substr(0, 6), "0481c8");
  EXPECT_EQ(hexEncode(der::setOf({{0x02, 0x01, 0x05}, {0x01, 0x01, 0xff}})), "31060101ff020105");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(der::time(0).data()) + 2, 13), "700101000000Z");
  EXPECT_EQ(der::time(2524608000)[0], der::kGeneralizedTimeTag);  // 2050-01-01
  const auto digestInfo = der::sha256DigestInfo(sha256({}));
  EXPECT_EQ(hexEncode(digestInfo).substr(0, 38), "3031300d060960864801650304020105000420");
}

TEST(CryptoDer, ObjectIdentifierTextIsRefusedWhenNotDotted) {
  EXPECT_THROW(der::objectIdentifier("1.2.03"), std::invalid_argument);
  EXPECT_THROW(der::objectIdentifier("3.1"), std::invalid_argument);
  EXPECT_THROW(der::objectIdentifier("1..2"), std::invalid_argument);
  EXPECT_FALSE(der::objectIdentifierText(test::bytesOf("\x2a\x80\x01")).has_value());  // Leading zero digit.
}

TEST(CryptoDer, ReaderWalksElementsAndRefusesBadLengths) {
  const auto oid = der::objectIdentifier("0.9.2342.19200300.100.1.25");
  const auto element = der::readSingle(oid);
  ASSERT_TRUE(element.has_value());
  EXPECT_EQ(der::objectIdentifierText(element->content), "0.9.2342.19200300.100.1.25");
  EXPECT_FALSE(der::readSingle(test::bytesOf("\x04\x81\x05hello")).has_value());  // Long form for 5.
  EXPECT_FALSE(der::readSingle(test::bytesOf("\x04\x06hello")).has_value());      // Past the end.
  EXPECT_FALSE(der::readSingle(test::bytesOf("\x04\x05hello!")).has_value());     // Trailing byte.
  EXPECT_FALSE(der::readSingle(test::bytesOf("\x30\x80")).has_value());           // Indefinite length.
}

}  // namespace
}  // namespace certbridge::host::crypto
