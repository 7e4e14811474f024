// Distinguished names as the protocol shows them (rfc2253_name), from known answers: the strings OpenSSL's
// X509_NAME_print_ex writes for these names (der_openssl_test.cpp compares with OpenSSL itself on Linux).
// Built for Linux and Windows alike: the Windows build shows names through this formatter.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/der_writer.hpp"
#include "crypto/rfc2253_name.hpp"
#include "test_bytes.hpp"

namespace certbridge::host::crypto {
namespace {

constexpr std::uint8_t kUtf8String = 0x0c;
constexpr std::uint8_t kPrintableString = 0x13;
constexpr std::uint8_t kIa5String = 0x16;

struct Attribute {
  const char* oid;
  std::uint8_t type;
  std::string value;
};

// A Name with one attribute per RDN, in DER order (least specific first).
der::Bytes nameOf(const std::vector<Attribute>& attributes) {
  der::Bytes rdns;
  for (const auto& attribute : attributes) {
    const auto rdn = der::setOf(
        {der::sequence({der::objectIdentifier(attribute.oid), der::string(attribute.type, attribute.value)})});
    rdns.insert(rdns.end(), rdn.begin(), rdn.end());
  }
  constexpr std::uint8_t kSequence = 0x30;
  return der::tlv(kSequence, rdns);
}

std::string rfc2253(const std::vector<Attribute>& attributes) {
  const auto described = describeName(nameOf(attributes));
  return described ? described->rfc2253 : "(refused)";
}

TEST(CryptoRfc2253Name, MostSpecificFirstWithShortNamesAndUtf8) {
  EXPECT_EQ(rfc2253({{"2.5.4.6", kPrintableString, "CN"}, {"2.5.4.3", kUtf8String, "王小明"}}), "CN=王小明,C=CN");
  EXPECT_EQ(rfc2253({{"1.2.840.113549.1.9.1", kIa5String, "a@example.com"},
                     {"0.9.2342.19200300.100.1.25", kIa5String, "example"},
                     {"2.5.4.5", kPrintableString, "ID-42"}}),
            "serialNumber=ID-42,DC=example,emailAddress=a@example.com");
  const auto described = describeName(nameOf({{"2.5.4.10", kUtf8String, "Org"}, {"2.5.4.3", kUtf8String, "王小明"}}));
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->commonName, "王小明");
}

TEST(CryptoRfc2253Name, EscapesSpecialsAndOuterSpaces) {
  EXPECT_EQ(rfc2253({{"2.5.4.3", kUtf8String, "Müller, Hans+Co \"x\" <y>; z\\w=v"}}),
            "CN=Müller\\, Hans\\+Co \\\"x\\\" \\<y\\>\\; z\\\\w=v");
  EXPECT_EQ(rfc2253({{"2.5.4.3", kUtf8String, "#leading and trailing "}, {"2.5.4.11", kUtf8String, " space"}}),
            "OU=\\ space,CN=\\#leading and trailing\\ ");
}

TEST(CryptoRfc2253Name, UnknownAttributeTypesAreDottedWithTheirDer) {
  EXPECT_EQ(rfc2253({{"1.2.3.4.5", kUtf8String, "unknown type"}}), "1.2.3.4.5=#0C0C756E6B6E6F776E2074797065");
}

TEST(CryptoRfc2253Name, DumpsValuesThatAreNotText) {
  // A commonName that is a SEQUENCE, which OpenSSL parses but does not print as text: shown as #hex DER.
  const auto nameBytes = der::sequence(
      {der::setOf({der::sequence({der::objectIdentifier("2.5.4.10"), der::string(0x0c, "Org")})}),
       der::setOf({der::sequence({der::objectIdentifier("2.5.4.3"), der::sequence({der::integer(5)})})})});
  const auto described = describeName(nameBytes);
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->rfc2253, "CN=#3003020105,O=Org");
  EXPECT_EQ(described->commonName, "");
}

TEST(CryptoRfc2253Name, RefusesWhatIsNotAName) {
  EXPECT_FALSE(describeName({}).has_value());
  EXPECT_FALSE(describeName(test::bytesOf("\x30\x03\x31\x01")).has_value());
  // Invalid UTF-8 in a UTF8String: OpenSSL will not print it either.
  const auto invalidUtf8 = der::sequence({der::setOf(
      {der::sequence({der::objectIdentifier("2.5.4.3"), der::tlv(0x0c, std::vector<std::uint8_t>{0xc3, 0x28})})})});
  EXPECT_FALSE(describeName(invalidUtf8).has_value());
}

}  // namespace
}  // namespace certbridge::host::crypto
