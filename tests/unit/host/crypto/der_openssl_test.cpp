// The platform-neutral DER pieces (der_writer, der_reader, rfc2253_name) checked against OpenSSL, whose output
// the Windows build must reproduce. Linux only: OpenSSL is the oracle. der_test.cpp and rfc2253_name_test.cpp
// hold the known answers that run on Windows too.
#include <gtest/gtest.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "crypto/der_reader.hpp"
#include "crypto/der_writer.hpp"
#include "crypto/encoding.hpp"
#include "crypto/rfc2253_name.hpp"
#include "crypto_test_support.hpp"

namespace certbridge::host::crypto {
namespace {

std::vector<std::uint8_t> nameDer(X509_NAME* name) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_NAME(name, &der);
  if (length <= 0) throw std::runtime_error("test name DER");
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

// What certificate_openssl.cpp shows for a name.
std::string opensslRfc2253(X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void add(X509_NAME* name, const char* oid, int type, std::string_view value, int set = 0) {
  ASN1_OBJECT* object = OBJ_txt2obj(oid, 1);
  ASSERT_NE(object, nullptr);
  ASSERT_EQ(X509_NAME_add_entry_by_OBJ(name, object, type, reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), -1, set),
            1)
      << oid << " type " << type;
  ASN1_OBJECT_free(object);
}

TEST(CryptoRfc2253Name, MatchesOpenSslForEscapesScriptsAndTypes) {
  struct Case {
    const char* oid;
    int type;
    std::string value;
  };
  const std::vector<std::vector<Case>> names = {
      {{"2.5.4.6", V_ASN1_PRINTABLESTRING, "CN"}, {"2.5.4.3", V_ASN1_UTF8STRING, "王小明"}},
      {{"2.5.4.3", V_ASN1_UTF8STRING, "Müller, Hans+Co \"x\" <y>; z\\w=v"}},
      {{"2.5.4.3", V_ASN1_UTF8STRING, "#leading and trailing "}, {"2.5.4.11", V_ASN1_UTF8STRING, " space"}},
      {{"2.5.4.3", V_ASN1_UTF8STRING, "#"},
       {"2.5.4.3", V_ASN1_UTF8STRING, " "},
       {"2.5.4.10", V_ASN1_UTF8STRING, "a/b"}},
      {{"2.5.4.3", V_ASN1_UTF8STRING, std::string("tab\tdel\x7f", 8)}},
      {{"1.2.840.113549.1.9.1", V_ASN1_IA5STRING, "a@example.com"},
       {"0.9.2342.19200300.100.1.25", V_ASN1_IA5STRING, "example"},
       {"2.5.4.5", V_ASN1_PRINTABLESTRING, "ID-42"}},
      {{"2.5.4.3", V_ASN1_T61STRING, "caf\xe9"}, {"2.5.4.10", V_ASN1_BMPSTRING, std::string("\x4e\x2d\x00\x41", 4)}},
      {{"1.2.3.4.5", V_ASN1_UTF8STRING, "unknown type"}},
      {{"2.5.4.42", V_ASN1_UTF8STRING, "Xiao"},
       {"2.5.4.4", V_ASN1_UTF8STRING, "Wang"},
       {"0.9.2342.19200300.100.1.1", V_ASN1_UTF8STRING, "u1"},
       {"2.5.4.12", V_ASN1_UTF8STRING, "Dr"},
       {"2.5.4.97", V_ASN1_UTF8STRING, "VATDE-1"},
       {"1.3.6.1.4.1.311.60.2.1.3", V_ASN1_PRINTABLESTRING, "DE"}},
  };
  for (const auto& entries : names) {
    X509NamePtr name(X509_NAME_new());
    for (const auto& entry : entries) add(name.get(), entry.oid, entry.type, entry.value);
    const auto described = describeName(nameDer(name.get()));
    ASSERT_TRUE(described.has_value());
    EXPECT_EQ(described->rfc2253, opensslRfc2253(name.get()));
  }
}

TEST(CryptoRfc2253Name, DumpsValuesThatAreNotTextAsOpenSslDoes) {
  // A commonName that is a SEQUENCE, which OpenSSL parses but does not print as text: shown as #hex DER.
  const auto nameBytes = der::sequence(
      {der::setOf({der::sequence({der::objectIdentifier("2.5.4.10"), der::string(0x0c, "Org")})}),
       der::setOf({der::sequence({der::objectIdentifier("2.5.4.3"), der::sequence({der::integer(5)})})})});
  const unsigned char* cursor = nameBytes.data();
  X509NamePtr name(d2i_X509_NAME(nullptr, &cursor, static_cast<long>(nameBytes.size())));
  ASSERT_TRUE(name);
  const auto described = describeName(nameBytes);
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->rfc2253, opensslRfc2253(name.get()));
}

TEST(CryptoRfc2253Name, MultiValuedRdnsAndTheLastCommonName) {
  X509NamePtr name(X509_NAME_new());
  add(name.get(), "2.5.4.10", V_ASN1_UTF8STRING, "Org");
  add(name.get(), "2.5.4.3", V_ASN1_UTF8STRING, "First", -1);
  add(name.get(), "2.5.4.3", V_ASN1_BMPSTRING, std::string("\x73\x8b\x5c\x0f", 4));  // 王小 as UCS-2.
  add(name.get(), "2.5.4.5", V_ASN1_PRINTABLESTRING, "7", 2);                        // Same RDN as 王小.
  const auto described = describeName(nameDer(name.get()));
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->rfc2253, opensslRfc2253(name.get()));
  EXPECT_NE(described->rfc2253.find('+'), std::string::npos);
  EXPECT_EQ(described->commonName, "王小");
}

TEST(CryptoDer, ObjectIdentifiersOfAnySizeAsOpenSslEncodesThem) {
  for (const char* oid : {"2.25.329800735698586629295641978511506172918", "2.999.18446744073709551616.1",
                          "1.3.6.1.4.1.311.60.2.1.3", "0.39", "2.40", "2.1000"}) {
    ASN1_OBJECT* object = OBJ_txt2obj(oid, 1);
    ASSERT_NE(object, nullptr) << oid;
    unsigned char* encoded = nullptr;
    const int length = i2d_ASN1_OBJECT(object, &encoded);
    const std::vector<std::uint8_t> expected(encoded, encoded + length);
    OPENSSL_free(encoded);
    ASN1_OBJECT_free(object);
    const auto written = der::objectIdentifier(oid);
    EXPECT_EQ(written, expected) << oid;
    const auto element = der::readSingle(written);
    ASSERT_TRUE(element.has_value());
    EXPECT_EQ(der::objectIdentifierText(element->content), oid);
  }
}

}  // namespace
}  // namespace certbridge::host::crypto
