// CMS SignedData for signRenewal, verified by OpenSSL's CMS_verify and by the openssl command line.

#include <gtest/gtest.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/cms_signature.hpp"
#include "crypto/encoding.hpp"
#include "crypto_test_support.hpp"

namespace certbridge::host::crypto {
namespace {

using test::bytesOf;
using test::makeCertificate;
using test::sharedRsaKey;

using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<&X509_STORE_free>>;

struct CertificateStackDeleter {
  void operator()(STACK_OF(X509) * certificates) const noexcept { sk_X509_pop_free(certificates, X509_free); }
};
using CertificateStackPtr = std::unique_ptr<STACK_OF(X509), CertificateStackDeleter>;

class CryptoCmsSignature : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = makeCertificate({.commonName = "CertBridge Root CA", .keyUsage = "critical,keyCertSign", .isCa = true},
                            sharedRsaKey(0), nullptr, sharedRsaKey(0));
    intermediate_ =
        makeCertificate({.commonName = "CertBridge Issuing CA", .keyUsage = "critical,keyCertSign", .isCa = true},
                        sharedRsaKey(2), root_.get(), sharedRsaKey(0));
    signer_ = makeCertificate({.commonName = "王小明", .keyUsage = "critical,digitalSignature,nonRepudiation"},
                              sharedRsaKey(1), intermediate_.get(), sharedRsaKey(2));
  }
  static void TearDownTestSuite() {
    signer_.reset();
    intermediate_.reset();
    root_.reset();
  }

  static ParsedCertificate parsed(X509* certificate) {
    auto parsed = parseCertificateDer(test::toDer(certificate));
    if (!parsed) throw std::runtime_error("test certificate does not parse");
    return std::move(*parsed);
  }

  static std::vector<std::uint8_t> sign(std::span<const std::uint8_t> data, bool detached) {
    const ParsedCertificate intermediate = parsed(intermediate_.get());
    const ParsedCertificate* const extra[] = {&intermediate};
    return cmsSign(sharedRsaKey(1), parsed(signer_.get()), extra, data, detached);
  }

  static CmsPtr parse(const std::vector<std::uint8_t>& der) {
    const unsigned char* cursor = der.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(der.size())));
    if (!cms || cursor != der.data() + der.size()) throw std::runtime_error("the signature does not parse");
    return cms;
  }

  // CMS_verify against a store that trusts only the root: the chain must come from the signature itself.
  // Returns the content the verification produced, or nullopt when verification fails.
  static std::optional<std::vector<std::uint8_t>> verify(const std::vector<std::uint8_t>& signature,
                                                         const std::vector<std::uint8_t>* detachedContent) {
    const CmsPtr cms = parse(signature);
    X509StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), root_.get());
    BioPtr content;
    if (detachedContent != nullptr) {
      content.reset(BIO_new_mem_buf(detachedContent->data(), static_cast<int>(detachedContent->size())));
    }
    BioPtr output(BIO_new(BIO_s_mem()));
    if (CMS_verify(cms.get(), nullptr, store.get(), content.get(), output.get(), CMS_BINARY) != 1) {
      ERR_clear_error();
      return std::nullopt;
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(output.get(), &data);
    return std::vector<std::uint8_t>(data, data + size);
  }

  static X509Ptr root_;
  static X509Ptr intermediate_;
  static X509Ptr signer_;
};

X509Ptr CryptoCmsSignature::root_;
X509Ptr CryptoCmsSignature::intermediate_;
X509Ptr CryptoCmsSignature::signer_;

// Line ends of both kinds, a NUL and a non-UTF-8 byte: binary signing must keep every byte.
constexpr char kRenewalText[] = "renewal request for 王小明\r\nline two\n\0\xff end";
const std::vector<std::uint8_t> kRenewalData = bytesOf(std::string_view(kRenewalText, sizeof kRenewalText - 1));

TEST_F(CryptoCmsSignature, AttachedSignatureVerifiesAndCarriesTheContent) {
  const auto signature = sign(kRenewalData, false);
  EXPECT_EQ(verify(signature, nullptr), kRenewalData);  // Byte for byte: no CRLF conversion.
  const CmsPtr cms = parse(signature);
  EXPECT_EQ(CMS_is_detached(cms.get()), 0);
  EXPECT_EQ(OBJ_obj2nid(CMS_get0_type(cms.get())), NID_pkcs7_signed);
  EXPECT_EQ(OBJ_obj2nid(CMS_get0_eContentType(cms.get())), NID_pkcs7_data);
}

TEST_F(CryptoCmsSignature, DetachedSignatureVerifiesOnlyWithTheContent) {
  const auto signature = sign(kRenewalData, true);
  const CmsPtr cms = parse(signature);
  EXPECT_EQ(CMS_is_detached(cms.get()), 1);
  EXPECT_EQ(std::search(signature.begin(), signature.end(), kRenewalData.begin(), kRenewalData.end()), signature.end());
  EXPECT_EQ(verify(signature, &kRenewalData), kRenewalData);
  EXPECT_EQ(verify(signature, nullptr), std::nullopt);
}

TEST_F(CryptoCmsSignature, UsesSha256RsaAndTheSignedAttributes) {
  const CmsPtr cms = parse(sign(kRenewalData, false));
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  ASSERT_EQ(sk_CMS_SignerInfo_num(signers), 1);
  CMS_SignerInfo* signerInfo = sk_CMS_SignerInfo_value(signers, 0);
  X509_ALGOR* digestAlgorithm = nullptr;
  X509_ALGOR* signatureAlgorithm = nullptr;
  CMS_SignerInfo_get0_algs(signerInfo, nullptr, nullptr, &digestAlgorithm, &signatureAlgorithm);
  EXPECT_EQ(test::algorithmNid(digestAlgorithm), NID_sha256);
  // RFC 5754: PKCS#1 v1.5 signatures in CMS name rsaEncryption (or sha256WithRSAEncryption).
  EXPECT_TRUE(test::algorithmNid(signatureAlgorithm) == NID_rsaEncryption ||
              test::algorithmNid(signatureAlgorithm) == NID_sha256WithRSAEncryption);
  EXPECT_EQ(CMS_SignerInfo_cert_cmp(signerInfo, signer_.get()), 0);

  for (const int attribute : {NID_pkcs9_contentType, NID_pkcs9_messageDigest, NID_pkcs9_signingTime}) {
    EXPECT_GE(CMS_signed_get_attr_by_NID(signerInfo, attribute, -1), 0) << OBJ_nid2sn(attribute);
  }
  EXPECT_LT(CMS_signed_get_attr_by_NID(signerInfo, NID_SMIMECapabilities, -1), 0);

  // Signer and intermediate included, each once, even when passed again as extra certificates.
  const ParsedCertificate intermediate = parsed(intermediate_.get());
  const ParsedCertificate signer = parsed(signer_.get());
  const ParsedCertificate* const extra[] = {&intermediate, &signer, nullptr, &intermediate};
  const CmsPtr withDuplicate = parse(cmsSign(sharedRsaKey(1), signer, extra, kRenewalData, false));
  const CertificateStackPtr certificates(CMS_get1_certs(withDuplicate.get()));
  EXPECT_EQ(sk_X509_num(certificates.get()), 2);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(CryptoCmsSignature, TamperedDataFailsVerification) {
  auto otherData = kRenewalData;
  otherData.front() ^= 0x01;
  EXPECT_EQ(verify(sign(kRenewalData, true), &otherData), std::nullopt);

  auto attached = sign(kRenewalData, false);
  const auto content = std::search(attached.begin(), attached.end(), kRenewalData.begin(), kRenewalData.end());
  ASSERT_NE(content, attached.end());
  *content ^= 0x01;
  EXPECT_EQ(verify(attached, nullptr), std::nullopt);
}

TEST_F(CryptoCmsSignature, WithoutTheIntermediateTheChainDoesNotVerify) {
  // Proves the store really checks the chain: the extra certificates are what makes it complete.
  const auto signature = cmsSign(sharedRsaKey(1), parsed(signer_.get()), {}, kRenewalData, false);
  EXPECT_EQ(verify(signature, nullptr), std::nullopt);
}

TEST_F(CryptoCmsSignature, ASignerKeyThatIsNotTheCertificatesFails) {
  const ParsedCertificate intermediate = parsed(intermediate_.get());
  const ParsedCertificate* const extra[] = {&intermediate};
  EXPECT_THROW(cmsSign(sharedRsaKey(3), parsed(signer_.get()), extra, kRenewalData, false), CryptoError);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// A temporary directory removed with its files when the test ends.
class TemporaryDirectory {
 public:
  TemporaryDirectory()
      : path_(std::filesystem::temp_directory_path() / ("certbridge-cms-" + hexEncode(randomBytes(8)))) {
    std::filesystem::create_directory(path_);
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  std::filesystem::path file(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void writeFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream stream(path, std::ios::binary);
  stream.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> readFile(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
}

std::string readText(const std::filesystem::path& path) {
  const auto bytes = readFile(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";  // Temporary paths hold no quotes.
}

// What commands.md tells the RA to run, so the signatures are proven to work outside this code base.
TEST_F(CryptoCmsSignature, OpensslCommandLineVerifiesTheSignatures) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "the openssl command is not installed";
  const TemporaryDirectory directory;
  writeFile(directory.file("ca.pem"), bytesOf(test::toPem(root_.get())));
  writeFile(directory.file("data.bin"), kRenewalData);
  auto otherData = kRenewalData;
  otherData.back() ^= 0x01;
  writeFile(directory.file("other.bin"), otherData);
  writeFile(directory.file("attached.der"), sign(kRenewalData, false));
  writeFile(directory.file("detached.der"), sign(kRenewalData, true));

  const auto run = [&directory](const std::string& arguments) {
    const std::string command = "openssl cms -verify -inform DER -CAfile " + quoted(directory.file("ca.pem")) + " " +
                                arguments + " 2>" + quoted(directory.file("stderr.txt"));
    return std::system(command.c_str());
  };
  ASSERT_EQ(
      run("-in " + quoted(directory.file("attached.der")) + " -binary -out " + quoted(directory.file("attached.out"))),
      0)
      << readText(directory.file("stderr.txt"));
  EXPECT_EQ(readFile(directory.file("attached.out")), kRenewalData);

  ASSERT_EQ(run("-in " + quoted(directory.file("detached.der")) + " -content " + quoted(directory.file("data.bin")) +
                " -binary -out " + quoted(directory.file("detached.out"))),
            0)
      << readText(directory.file("stderr.txt"));
  EXPECT_EQ(readFile(directory.file("detached.out")), kRenewalData);

  // The same command refuses other content, so the successes above are not the command ignoring its input.
  EXPECT_NE(run("-in " + quoted(directory.file("detached.der")) + " -content " + quoted(directory.file("other.bin")) +
                " -binary -out " + quoted(directory.file("other.out"))),
            0);
}

}  // namespace
}  // namespace certbridge::host::crypto
