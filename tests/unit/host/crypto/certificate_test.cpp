// Parsing certificates the way the host reports them, with certificates made in the test.

#include <gtest/gtest.h>

#include <openssl/err.h>

#include "crypto/certificate.hpp"
#include "crypto/encoding.hpp"
#include "crypto_test_support.hpp"

namespace certbridge::host::crypto {
namespace {

using test::CertificateSpec;
using test::makeCertificate;
using test::sharedRsaKey;
using test::toDer;
using test::toPem;

class CryptoCertificate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ =
        makeCertificate({.commonName = "CertBridge Test CA", .keyUsage = "critical,keyCertSign,cRLSign", .isCa = true},
                        sharedRsaKey(0), nullptr, sharedRsaKey(0));
    signing_ = makeCertificate({.commonName = "王小明",
                                .organization = "財務部",
                                .keyUsage = "critical,digitalSignature,nonRepudiation",
                                .serialNumber = 0x0a1b2c},
                               sharedRsaKey(1), ca_.get(), sharedRsaKey(0));
  }
  static void TearDownTestSuite() {
    ca_.reset();
    signing_.reset();
  }

  static ParsedCertificate parse(X509* certificate) {
    auto parsed = parseCertificateDer(toDer(certificate));
    if (!parsed) throw std::runtime_error("test certificate does not parse");
    return std::move(*parsed);
  }

  static X509Ptr ca_;
  static X509Ptr signing_;
};

X509Ptr CryptoCertificate::ca_;
X509Ptr CryptoCertificate::signing_;

TEST_F(CryptoCertificate, ParsesPemWithSurroundingWhitespace) {
  const auto parsed = parseCertificateText("\r\n  " + toPem(signing_.get()) + "\n\t\n");
  ASSERT_TRUE(parsed.has_value());
  const auto der = toDer(signing_.get());
  EXPECT_EQ(parsed->der, der);
  EXPECT_EQ(parsed->id, hexEncode(sha256(der)));
  EXPECT_EQ(parsed->id.size(), 64u);
  EXPECT_EQ(X509_cmp(parsed->native.get(), signing_.get()), 0);
}

TEST_F(CryptoCertificate, ParsesBase64DerWithOrWithoutLineBreaks) {
  const auto der = toDer(signing_.get());
  const std::string base64 = base64Encode(der);
  const auto parsed = parseCertificateText(base64);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->der, der);

  std::string wrapped;
  for (std::size_t i = 0; i < base64.size(); i += 64) wrapped += base64.substr(i, 64) + "\r\n";
  const auto parsedWrapped = parseCertificateText(wrapped);
  ASSERT_TRUE(parsedWrapped.has_value());
  EXPECT_EQ(parsedWrapped->id, parsed->id);
}

TEST_F(CryptoCertificate, KeepsChineseNamesAsUtf8) {
  const ParsedCertificate parsed = parse(signing_.get());
  // RFC 2253 order: most specific first; UTF-8 as is, not "\E7\8E\8B...".
  EXPECT_EQ(parsed.subject, "CN=王小明,O=財務部,C=TW");
  EXPECT_EQ(parsed.commonName, "王小明");
  EXPECT_EQ(parsed.issuer, "CN=CertBridge Test CA,C=TW");
  EXPECT_EQ(parse(ca_.get()).commonName, "CertBridge Test CA");
}

TEST_F(CryptoCertificate, EscapesRfc2253SpecialCharacters) {
  const X509Ptr certificate =
      makeCertificate({.commonName = "Wang, \"Ming\"+1"}, sharedRsaKey(1), nullptr, sharedRsaKey(1));
  const ParsedCertificate parsed = parse(certificate.get());
  EXPECT_EQ(parsed.subject, "CN=Wang\\, \\\"Ming\\\"\\+1,C=TW");
  EXPECT_EQ(parsed.commonName, "Wang, \"Ming\"+1");
}

TEST_F(CryptoCertificate, RejectsAnythingButExactlyOneCertificate) {
  const std::string pem = toPem(signing_.get());
  auto der = toDer(signing_.get());
  const std::string base64 = base64Encode(der);
  auto derWithTrailingByte = der;
  derWithTrailingByte.push_back(0);
  const std::vector<std::uint8_t> truncatedDer(der.begin(), der.end() - 1);
  const std::string requestPem =
      "-----BEGIN CERTIFICATE REQUEST-----\n" + base64 + "\n-----END CERTIFICATE REQUEST-----";
  for (const std::string& text :
       {std::string(), std::string("   \n"), std::string("hello"), std::string("AAAA"),
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        std::string("-----BEGIN CERTIFICATE----------END CERTIFICATE-----"), pem + pem, pem + "x",
        pem.substr(0, pem.size() - 10), "x" + pem, base64Encode(derWithTrailingByte), base64Encode(truncatedDer),
        base64 + "AAAA", base64.substr(1), requestPem}) {
    EXPECT_FALSE(parseCertificateText(text).has_value()) << text;
  }
  EXPECT_FALSE(parseCertificateDer(derWithTrailingByte).has_value());
  EXPECT_FALSE(parseCertificateDer(truncatedDer).has_value());
  EXPECT_FALSE(parseCertificateDer({}).has_value());
  // A rejection leaves no OpenSSL errors behind to show up in an unrelated CryptoError.
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(CryptoCertificate, SerialNumberIsUppercaseHexOfWholeBytes) {
  EXPECT_EQ(parse(signing_.get()).serialNumberHex, "0A1B2C");
  for (const auto& [serial, hex] : std::initializer_list<std::pair<long, const char*>>{
           {1, "01"}, {0x80, "80"}, {0xabcdef, "ABCDEF"}, {0x0102030405060708, "0102030405060708"}}) {
    const X509Ptr certificate =
        makeCertificate({.commonName = "serial", .serialNumber = serial}, sharedRsaKey(1), nullptr, sharedRsaKey(1));
    EXPECT_EQ(parse(certificate.get()).serialNumberHex, hex);
  }
}

TEST_F(CryptoCertificate, UsageFollowsTheKeyUsageExtension) {
  const ParsedCertificate signing = parse(signing_.get());
  EXPECT_TRUE(signing.usableForSigning);
  EXPECT_FALSE(signing.usableForEncryption);
  EXPECT_FALSE(signing.isCa);

  const ParsedCertificate ca = parse(ca_.get());
  EXPECT_FALSE(ca.usableForSigning);
  EXPECT_FALSE(ca.usableForEncryption);
  EXPECT_TRUE(ca.isCa);

  const auto usageOf = [](const std::string& keyUsage) {
    const X509Ptr certificate =
        makeCertificate({.commonName = "usage", .keyUsage = keyUsage}, sharedRsaKey(1), nullptr, sharedRsaKey(1));
    const ParsedCertificate parsed = parse(certificate.get());
    return std::pair(parsed.usableForSigning, parsed.usableForEncryption);
  };
  EXPECT_EQ(usageOf("keyEncipherment"), std::pair(false, true));
  EXPECT_EQ(usageOf("dataEncipherment"), std::pair(false, true));
  EXPECT_EQ(usageOf("nonRepudiation"), std::pair(true, false));
  EXPECT_EQ(usageOf("digitalSignature,keyEncipherment"), std::pair(true, true));
  EXPECT_EQ(usageOf("keyAgreement"), std::pair(false, false));
  EXPECT_EQ(usageOf(""), std::pair(true, true));  // No extension restricts nothing.
}

TEST_F(CryptoCertificate, ValidityPeriodIsInclusive) {
  // 2027-01-15T08:00:00Z to 2052-05-22T14:13:20Z: UTCTime, and GeneralizedTime from 2050 on.
  const std::time_t notBefore = 1800000000;
  const std::time_t notAfter = 2600000000;
  const X509Ptr certificate = makeCertificate({.commonName = "period", .notBefore = notBefore, .notAfter = notAfter},
                                              sharedRsaKey(1), nullptr, sharedRsaKey(1));
  const ParsedCertificate parsed = parse(certificate.get());
  EXPECT_EQ(parsed.notBefore, notBefore);
  EXPECT_EQ(parsed.notAfter, notAfter);
  EXPECT_EQ(isoTime(parsed.notBefore), "2027-01-15T08:00:00Z");
  EXPECT_FALSE(isValidAt(parsed, notBefore - 1));
  EXPECT_TRUE(isValidAt(parsed, notBefore));
  EXPECT_TRUE(isValidAt(parsed, notAfter));
  EXPECT_FALSE(isValidAt(parsed, notAfter + 1));
}

TEST_F(CryptoCertificate, IsIssuedByChecksNameAndSignature) {
  const ParsedCertificate ca = parse(ca_.get());
  const ParsedCertificate signing = parse(signing_.get());
  EXPECT_TRUE(isIssuedBy(signing, ca));
  EXPECT_TRUE(isIssuedBy(ca, ca));
  EXPECT_FALSE(isIssuedBy(ca, signing));

  const X509Ptr otherCa =
      makeCertificate({.commonName = "Other CA", .isCa = true}, sharedRsaKey(2), nullptr, sharedRsaKey(2));
  EXPECT_FALSE(isIssuedBy(signing, parse(otherCa.get())));
  // Same name, other key: only the signature tells them apart.
  const X509Ptr impostorCa =
      makeCertificate({.commonName = "CertBridge Test CA", .isCa = true}, sharedRsaKey(2), nullptr, sharedRsaKey(2));
  EXPECT_FALSE(isIssuedBy(signing, parse(impostorCa.get())));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(CryptoCertificate, PemAndPublicKeyRoundTrip) {
  const ParsedCertificate parsed = parse(signing_.get());
  const std::string pem = certificatePem(parsed);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(pem.ends_with("-----END CERTIFICATE-----\n"));
  const auto reparsed = parseCertificateText(pem);
  ASSERT_TRUE(reparsed.has_value());
  EXPECT_EQ(reparsed->id, parsed.id);

  const auto spki = publicKeyDer(parsed);
  unsigned char* expected = nullptr;
  const int expectedLength = i2d_PUBKEY(sharedRsaKey(1), &expected);
  ASSERT_GT(expectedLength, 0);
  EXPECT_EQ(spki, std::vector<std::uint8_t>(expected, expected + expectedLength));
  OPENSSL_free(expected);
}

}  // namespace
}  // namespace certbridge::host::crypto
