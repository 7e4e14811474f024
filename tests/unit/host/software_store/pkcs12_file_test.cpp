// PKCS#12 files as the software-store commands write and read them: the algorithms a user's other software
// must accept (AES-256-CBC under PBES2 with PBKDF2/HMAC-SHA-256, a SHA-256 MAC), Chinese passwords, and the
// two errors a user can cause (wrong password, not a PKCS#12 file).

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include "../crypto/crypto_test_support.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "software_store/pkcs12_file.hpp"

namespace certbridge::host::software_store {
namespace {

using crypto::test::CertificateSpec;
using crypto::test::makeCertificate;
using crypto::test::sharedRsaKey;

using Pkcs12Ptr = std::unique_ptr<PKCS12, crypto::OpenSslDeleter<&PKCS12_free>>;

struct Issued {
  crypto::X509Ptr ca;
  crypto::X509Ptr leaf;
};

Issued issue() {
  Issued issued;
  issued.ca = makeCertificate(CertificateSpec{.commonName = "Test CA", .isCa = true}, sharedRsaKey(0), nullptr,
                              sharedRsaKey(0));
  issued.leaf = makeCertificate(
      CertificateSpec{.commonName = "王小明", .keyUsage = "critical,digitalSignature", .serialNumber = 7},
      sharedRsaKey(1), issued.ca.get(), sharedRsaKey(0));
  return issued;
}

ErrorCode errorOf(const std::vector<std::uint8_t>& file, const char* password) {
  try {
    readPkcs12(file, card::SecretString(password));
  } catch (const ProtocolError& e) {
    return e.code();
  }
  ADD_FAILURE() << "the file opened";
  return ErrorCode::InternalError;
}

// The algorithm NIDs of a file's MAC, key bag and certificate bag (what `openssl pkcs12 -info` reports).
struct Algorithms {
  int mac = NID_undef;
  int keyCipher = NID_undef, keyPrf = NID_undef;
  int certificatesCipher = NID_undef;
};

int pbes2Cipher(const X509_ALGOR* algorithm, int* prf) {
  const ASN1_OBJECT* oid = nullptr;
  int type = 0;
  const void* value = nullptr;
  X509_ALGOR_get0(&oid, &type, &value, algorithm);
  if (OBJ_obj2nid(oid) != NID_pbes2) return NID_undef;
  const auto* sequence = static_cast<const ASN1_STRING*>(value);
  const unsigned char* cursor = sequence->data;
  std::unique_ptr<PBE2PARAM, crypto::OpenSslDeleter<&PBE2PARAM_free>> parameters(
      d2i_PBE2PARAM(nullptr, &cursor, sequence->length));
  if (!parameters) return NID_undef;
  if (prf != nullptr) {
    X509_ALGOR_get0(&oid, &type, &value, parameters->keyfunc);
    const auto* kdfSequence = static_cast<const ASN1_STRING*>(value);
    cursor = kdfSequence->data;
    std::unique_ptr<PBKDF2PARAM, crypto::OpenSslDeleter<&PBKDF2PARAM_free>> kdf(
        d2i_PBKDF2PARAM(nullptr, &cursor, kdfSequence->length));
    *prf = kdf && kdf->prf != nullptr ? OBJ_obj2nid(kdf->prf->algorithm) : NID_hmacWithSHA1;
  }
  return OBJ_obj2nid(parameters->encryption->algorithm);
}

Algorithms algorithmsOf(const std::vector<std::uint8_t>& file) {
  Algorithms found;
  const unsigned char* cursor = file.data();
  const Pkcs12Ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(file.size())));
  if (!p12) return found;
  const X509_ALGOR* macAlgorithm = nullptr;
  PKCS12_get0_mac(nullptr, &macAlgorithm, nullptr, nullptr, p12.get());
  if (macAlgorithm != nullptr) found.mac = crypto::test::algorithmNid(macAlgorithm);
  std::unique_ptr<STACK_OF(PKCS7), void (*)(STACK_OF(PKCS7)*)> safes(
      PKCS12_unpack_authsafes(p12.get()), [](STACK_OF(PKCS7) * s) { sk_PKCS7_pop_free(s, PKCS7_free); });
  for (int i = 0; safes && i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* safe = sk_PKCS7_value(safes.get(), i);
    if (OBJ_obj2nid(safe->type) == NID_pkcs7_encrypted) {
      found.certificatesCipher = pbes2Cipher(safe->d.encrypted->enc_data->algorithm, nullptr);
      continue;
    }
    std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), void (*)(STACK_OF(PKCS12_SAFEBAG)*)> bags(
        PKCS12_unpack_p7data(safe),
        [](STACK_OF(PKCS12_SAFEBAG) * s) { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); });
    for (int j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
      const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags.get(), j);
      if (PKCS12_SAFEBAG_get_nid(bag) != NID_pkcs8ShroudedKeyBag) continue;
      const X509_ALGOR* algorithm = nullptr;
      X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nullptr);
      found.keyCipher = pbes2Cipher(algorithm, &found.keyPrf);
    }
  }
  return found;
}

TEST(Pkcs12File, WritesModernAlgorithmsThatOpenWithTheChinesePassword) {
  const Issued issued = issue();
  X509* chain[] = {issued.ca.get()};
  const card::SecretString password("匯出密碼-1");
  const auto file = writePkcs12(sharedRsaKey(1), issued.leaf.get(), chain, password, "Wang");

  const Algorithms algorithms = algorithmsOf(file);
  EXPECT_EQ(algorithms.mac, NID_sha256);
  EXPECT_EQ(algorithms.keyCipher, NID_aes_256_cbc);
  EXPECT_EQ(algorithms.keyPrf, NID_hmacWithSHA256);
  EXPECT_EQ(algorithms.certificatesCipher, NID_aes_256_cbc);

  const Pkcs12Contents contents = readPkcs12(file, card::SecretString("匯出密碼-1"));
  EXPECT_EQ(EVP_PKEY_eq(contents.key.get(), sharedRsaKey(1)), 1);
  EXPECT_EQ(X509_cmp(contents.certificate.get(), issued.leaf.get()), 0);
  ASSERT_EQ(contents.caCertificates.size(), 1U);
  EXPECT_EQ(X509_cmp(contents.caCertificates[0].get(), issued.ca.get()), 0);
}

TEST(Pkcs12File, AWrongPasswordIsTold) {
  const Issued issued = issue();
  const auto file = writePkcs12(sharedRsaKey(1), issued.leaf.get(), {}, card::SecretString("right-one"), "");
  EXPECT_EQ(errorOf(file, "wrong-one"), ErrorCode::Pkcs12PasswordIncorrect);
  EXPECT_EQ(errorOf(file, "right-on"), ErrorCode::Pkcs12PasswordIncorrect);
}

TEST(Pkcs12File, BytesThatAreNotPkcs12AreAnInvalidFile) {
  EXPECT_EQ(errorOf(crypto::test::bytesOf("not a file"), "x"), ErrorCode::Pkcs12FileInvalid);
  EXPECT_EQ(errorOf({}, "x"), ErrorCode::Pkcs12FileInvalid);
  const Issued issued = issue();
  auto file = writePkcs12(sharedRsaKey(1), issued.leaf.get(), {}, card::SecretString("right-one"), "");
  file.push_back(0);  // trailing bytes
  EXPECT_EQ(errorOf(file, "right-one"), ErrorCode::Pkcs12FileInvalid);
}

TEST(Pkcs12File, AFileWithoutAKeyIsInvalid) {
  // A certificates-only PKCS#12 (what some tools export without the private key).
  const Issued issued = issue();
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certificates(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
  X509_up_ref(issued.leaf.get());
  sk_X509_push(certificates.get(), issued.leaf.get());
  const Pkcs12Ptr p12(
      PKCS12_create("pw-12345", nullptr, nullptr, nullptr, certificates.get(), 0, NID_aes_256_cbc, 1000, 1000, 0));
  ASSERT_TRUE(p12);
  unsigned char* der = nullptr;
  const int length = i2d_PKCS12(p12.get(), &der);
  ASSERT_GT(length, 0);
  const std::vector<std::uint8_t> file(der, der + length);
  OPENSSL_free(der);
  EXPECT_EQ(errorOf(file, "pw-12345"), ErrorCode::Pkcs12FileInvalid);
}

}  // namespace
}  // namespace certbridge::host::software_store
