// PKCS#10 requests as generateKeyPair returns them, read back with OpenSSL's own parser.

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include "crypto/certificate_request.hpp"
#include "crypto_test_support.hpp"

namespace certbridge::host::crypto {
namespace {

using test::sharedRsaKey;

struct ExtensionStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * extensions) const noexcept {
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
};
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;

X509ReqPtr readRequest(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) throw std::runtime_error("the request PEM does not parse");
  return request;
}

struct ExpectedEntry {
  int nid;
  int asn1Type;
  std::string value;
};

void expectSubject(X509_REQ* request, const std::vector<ExpectedEntry>& expected) {
  const X509_NAME* name = X509_REQ_get_subject_name(request);
  ASSERT_EQ(X509_NAME_entry_count(name), static_cast<int>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, static_cast<int>(i));
    // One attribute per RDN, in the order given.
    EXPECT_EQ(X509_NAME_ENTRY_set(entry), static_cast<int>(i));
    EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)), expected[i].nid) << i;
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    EXPECT_EQ(ASN1_STRING_type(data), expected[i].asn1Type) << i;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                          static_cast<std::size_t>(ASN1_STRING_length(data))),
              expected[i].value)
        << i;
  }
}

// The keyUsage extension's criticality and DER value; fails the test unless it is the only extension.
std::pair<bool, std::vector<std::uint8_t>> requestedKeyUsage(X509_REQ* request) {
  const ExtensionStackPtr extensions(X509_REQ_get_extensions(request));
  if (!extensions || sk_X509_EXTENSION_num(extensions.get()) != 1) {
    ADD_FAILURE() << "expected exactly one requested extension";
    return {};
  }
  X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions.get(), 0);
  EXPECT_EQ(OBJ_obj2nid(X509_EXTENSION_get_object(extension)), NID_key_usage);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
  const unsigned char* bytes = ASN1_STRING_get0_data(value);
  return {X509_EXTENSION_get_critical(extension) == 1,
          std::vector<std::uint8_t>(bytes, bytes + ASN1_STRING_length(value))};
}

TEST(CryptoCertificateRequest, HasTheSubjectInOrderWithExactStringTypes) {
  const SubjectAttribute subject[] = {{"C", "TW"}, {"O", "Finance"}, {"OU", "會計室"}, {"CN", "王小明"}};
  const std::string pem = createCertificateRequestPem(sharedRsaKey(1), subject, KeyUsageKind::Signing);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
  const X509ReqPtr request = readRequest(pem);

  EXPECT_EQ(X509_REQ_get_version(request.get()), X509_REQ_VERSION_1);
  EXPECT_EQ(X509_REQ_verify(request.get(), X509_REQ_get0_pubkey(request.get())), 1);
  EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(request.get()), sharedRsaKey(1)), 1);
  const ASN1_BIT_STRING* signature = nullptr;
  const X509_ALGOR* algorithm = nullptr;
  X509_REQ_get0_signature(request.get(), &signature, &algorithm);
  EXPECT_EQ(test::algorithmNid(algorithm), NID_sha256WithRSAEncryption);

  expectSubject(request.get(), {{NID_countryName, V_ASN1_PRINTABLESTRING, "TW"},
                                {NID_organizationName, V_ASN1_UTF8STRING, "Finance"},
                                {NID_organizationalUnitName, V_ASN1_UTF8STRING, "會計室"},
                                {NID_commonName, V_ASN1_UTF8STRING, "王小明"}});
}

TEST(CryptoCertificateRequest, EncodesEachTypeAsItsDefinitionSays) {
  const SubjectAttribute subject[] = {{"DC", "example"},
                                      {"serialNumber", "A123456789"},
                                      {"emailAddress", "wang@example.com"},
                                      {"2.5.4.3", "王小明"},
                                      {"1.3.6.1.4.1.99999.7", "自訂"}};
  const X509ReqPtr request =
      readRequest(createCertificateRequestPem(sharedRsaKey(1), subject, KeyUsageKind::Encryption));
  EXPECT_EQ(X509_REQ_verify(request.get(), X509_REQ_get0_pubkey(request.get())), 1);
  expectSubject(request.get(), {{NID_domainComponent, V_ASN1_IA5STRING, "example"},
                                {NID_serialNumber, V_ASN1_PRINTABLESTRING, "A123456789"},
                                {NID_pkcs9_emailAddress, V_ASN1_IA5STRING, "wang@example.com"},
                                {NID_commonName, V_ASN1_UTF8STRING, "王小明"},
                                {NID_undef, V_ASN1_UTF8STRING, "自訂"}});
  char oid[64];
  OBJ_obj2txt(oid, sizeof oid,
              X509_NAME_ENTRY_get_object(X509_NAME_get_entry(X509_REQ_get_subject_name(request.get()), 4)), 1);
  EXPECT_STREQ(oid, "1.3.6.1.4.1.99999.7");
}

TEST(CryptoCertificateRequest, RequestsACriticalKeyUsagePerKind) {
  // KeyUsage BIT STRING DER: 03 02 <unused bits> <bits>, digitalSignature = 0x80, nonRepudiation = 0x40,
  // keyEncipherment = 0x20, dataEncipherment = 0x10; DER drops trailing zero bits.
  const std::pair<KeyUsageKind, std::vector<std::uint8_t>> cases[] = {
      {KeyUsageKind::Signing, {0x03, 0x02, 0x06, 0xc0}},
      {KeyUsageKind::Encryption, {0x03, 0x02, 0x04, 0x30}},
      {KeyUsageKind::Dual, {0x03, 0x02, 0x04, 0xf0}},
  };
  const SubjectAttribute subject[] = {{"CN", "王小明"}};
  for (const auto& [kind, expectedDer] : cases) {
    const X509ReqPtr request = readRequest(createCertificateRequestPem(sharedRsaKey(1), subject, kind));
    const auto [critical, der] = requestedKeyUsage(request.get());
    EXPECT_TRUE(critical);
    EXPECT_EQ(der, expectedDer) << static_cast<int>(kind);
  }
}

TEST(CryptoCertificateRequest, SignsWithTheGivenKey) {
  const SubjectAttribute subject[] = {{"CN", "other key"}};
  const X509ReqPtr request = readRequest(createCertificateRequestPem(sharedRsaKey(2), subject, KeyUsageKind::Dual));
  EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(request.get()), sharedRsaKey(2)), 1);
  EXPECT_EQ(X509_REQ_verify(request.get(), sharedRsaKey(2)), 1);
  EXPECT_NE(X509_REQ_verify(request.get(), sharedRsaKey(1)), 1);
  ERR_clear_error();
}

TEST(CryptoCertificateRequest, RefusesSubjectsThatDoNotValidate) {
  const std::vector<std::vector<SubjectAttribute>> badSubjects = {
      {},           {{"C", "Taiwan"}},         {{"CN", "ok"}, {"XX", "value"}}, {{"cn", "lowercase type"}},
      {{"CN", ""}}, {{"CN", "bad\xff utf-8"}},
  };
  for (const auto& subject : badSubjects) {
    EXPECT_THROW(createCertificateRequestPem(sharedRsaKey(1), subject, KeyUsageKind::Signing), std::invalid_argument);
  }
}

TEST(CryptoCertificateRequest, KnowsTheProtocolsSubjectTypes) {
  for (const char* type : {"C", "ST", "L", "O", "OU", "CN", "serialNumber", "emailAddress", "GN", "SN", "title", "UID",
                           "DC", "2.5.4.3", "0.9", "1.39.7", "2.999.1", "1.3.6.1.4.1.311.60.2.1.3"}) {
    EXPECT_TRUE(isKnownSubjectType(type)) << type;
  }
  for (const char* type :
       {"",     "cn",   "Cn",       "CommonName", "commonName", "E",      "email", "street",  "3.1",      "2",   "2.",
        ".2.5", "2..5", "2.5.4.03", "02.5",       "1.40",       "0.40.1", "1.100", "2.5.4.x", "2.5.4.3 ", "-2.5"}) {
    EXPECT_FALSE(isKnownSubjectType(type)) << type;
  }
  std::string longest = "2.5";
  while (longest.size() + 2 <= 64) longest += ".1";
  ASSERT_EQ(longest.size(), 63u);
  EXPECT_TRUE(isKnownSubjectType(longest + "1"));
  EXPECT_FALSE(isKnownSubjectType(longest + "11"));
}

TEST(CryptoCertificateRequest, ChecksValuesForTheirType) {
  const std::pair<const char*, const char*> fine[] = {{"C", "TW"},
                                                      {"C", "us"},
                                                      {"serialNumber", "A123456789"},
                                                      {"serialNumber", "ID: (1) +2,-3./=?'"},
                                                      {"CN", "王小明"},
                                                      {"CN", "Ünïcödé 😀"},
                                                      {"emailAddress", "wang@example.com"},
                                                      {"DC", "example"},
                                                      {"2.5.4.6", "TW"},
                                                      {"1.3.6.1.4.1.99999.7", "任何文字"}};
  for (const auto& [type, value] : fine) EXPECT_EQ(subjectValueProblem(type, value), "") << type << " " << value;

  const std::tuple<const char*, const char*, const char*> problems[] = {
      {"C", "TWN", "must be two letters"},
      {"C", "T", "must be two letters"},
      {"C", "T1", "must be two letters"},
      {"C", "台灣", "must be two letters"},
      {"2.5.4.6", "Taiwan", "must be two letters"},
      {"serialNumber", "A12_34", "must use only letters, digits, spaces and ' ( ) + , - . / : = ?"},
      {"serialNumber", "王", "must use only letters, digits, spaces and ' ( ) + , - . / : = ?"},
      {"emailAddress", "王@example.com", "must be ASCII"},
      {"DC", "例子", "must be ASCII"},
      {"CN", "", "must not be empty"},
      {"CN", "line\nbreak", "must not contain control characters"},
      {"CN", "del\x7f", "must not contain control characters"},
      {"CN", "c1\xc2\x85", "must not contain control characters"},
      {"CN", "\xff", "must be UTF-8 text"},
      {"CN", "\xc0\xaf", "must be UTF-8 text"},      // Overlong '/'.
      {"CN", "\xed\xa0\x80", "must be UTF-8 text"},  // A UTF-16 surrogate.
      {"CN", "\xe7\x8e", "must be UTF-8 text"},      // Truncated.
      {"XX", "value", "is not a known attribute type"},
  };
  for (const auto& [type, value, reason] : problems) {
    EXPECT_EQ(subjectValueProblem(type, value), reason) << type << " " << value;
  }
}

}  // namespace
}  // namespace certbridge::host::crypto
