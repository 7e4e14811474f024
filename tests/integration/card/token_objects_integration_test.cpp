// Keys and certificates on the test bed's SoftHSM2 token: what the host's generateKeyPair,
// writeCertificates, signRenewal, authenticate and listCertificates commands rest on.

#define OPENSSL_SUPPRESS_DEPRECATED  // RSA_private_encrypt: the one way to hand the token an over-long block

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "certbridge/card/error.hpp"
#include "certbridge/card/token_objects.hpp"
#include "testbed.hpp"
#include "token_fixture.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {
namespace {

using testing::Bytes;
using testing::errorOf;

class SoftHsmObjects : public testing::TokenFixture {
 protected:
  testing::TokenUnderTest target() const override {
    const auto& bed = testing::TestBed::get();
    return {CERTBRIDGE_SOFTHSM_MODULE, testing::kTokenLabel, bed.env("CERTBRIDGE_TESTBED_USER_PIN"),
            bed.env("CERTBRIDGE_TESTBED_SO_PIN"), PinRules{"PIN", 6, 16, 3}};
  }

  std::vector<testing::ListedObject> objectsLabelled(const std::string& label) {
    auto objects = testing::pkcs11ToolObjects(CERTBRIDGE_SOFTHSM_MODULE, token().slotId,
                                              testing::TestBed::get().env("CERTBRIDGE_TESTBED_USER_PIN"));
    objects.erase(std::remove_if(objects.begin(), objects.end(),
                                 [&](const testing::ListedObject& object) { return object.label != label; }),
                  objects.end());
    return objects;
  }
};

const CertificateInfo* findCertificate(const std::vector<CertificateInfo>& certificates, const Bytes& der) {
  const auto found = std::find_if(certificates.begin(), certificates.end(),
                                  [&](const CertificateInfo& certificate) { return certificate.der == der; });
  return found == certificates.end() ? nullptr : &*found;
}

std::size_t countOf(const std::vector<CertificateInfo>& certificates, const Bytes& der) {
  return static_cast<std::size_t>(
      std::count_if(certificates.begin(), certificates.end(), [&](const CertificateInfo& c) { return c.der == der; }));
}

TEST_F(SoftHsmObjects, GeneratesAnRsa2048KeyPairOnTheTokenThatNeverLeavesIt) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "CertBridge signing key");
  EXPECT_EQ(key.bits, 2048);
  EXPECT_EQ(key.label, "CertBridge signing key");
  EXPECT_EQ(key.id.size(), 20U) << "CKA_ID: 20 random bytes";
  EXPECT_FALSE(key.publicKey.empty());
  EXPECT_TRUE(key.protection.tokenObject);
  EXPECT_TRUE(key.protection.privateObject);
  EXPECT_TRUE(key.protection.sensitive);
  EXPECT_FALSE(key.protection.extractable);
  EXPECT_TRUE(key.protection.alwaysSensitive);
  EXPECT_TRUE(key.protection.neverExtractable);

  // pkcs11-tool's own reading of the same objects.
  const auto objects = objectsLabelled("CertBridge signing key");
  const auto privateKey = std::find_if(objects.begin(), objects.end(), [](const testing::ListedObject& object) {
    return object.kind.rfind("Private Key Object", 0) == 0;
  });
  ASSERT_NE(privateKey, objects.end()) << "pkcs11-tool does not list the private key";
  EXPECT_EQ(privateKey->id, testing::hex(key.id));
  EXPECT_TRUE(privateKey->access.count("sensitive"));
  EXPECT_TRUE(privateKey->access.count("never extractable"));
  EXPECT_FALSE(privateKey->access.count("extractable"));
  EXPECT_TRUE(privateKey->access.count("local")) << "generated on the token, not imported";
  EXPECT_TRUE(privateKey->usage.count("sign"));
  EXPECT_TRUE(std::any_of(objects.begin(), objects.end(), [](const testing::ListedObject& object) {
    return object.kind.rfind("Public Key Object; RSA 2048 bits", 0) == 0;
  })) << "the public key object of the pair";
}

TEST_F(SoftHsmObjects, ThePrivateKeySignsWithOpenSslAndThePublicKeyVerifies) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "signing test");
  const PrivateKey evp = privateKey(session, key);
  ASSERT_NE(evp, nullptr);
  const std::string challenge = "origin=https://ra.certbridge.example challenge=4f1c";
  const Bytes signature = testing::sign(evp.get(), challenge);
  EXPECT_EQ(signature.size(), 256U);
  EXPECT_TRUE(testing::verify(key.publicKey, challenge, signature));
  EXPECT_FALSE(testing::verify(key.publicKey, challenge + "!", signature));

  // X509_sign as for a renewal request: the token key signs, its public key verifies.
  const Bytes selfSigned = testing::selfSignedCertificate(evp.get(), "A123456789");
  EXPECT_TRUE(testing::certificateVerifies(selfSigned, key.publicKey));
}

TEST_F(SoftHsmObjects, APrivateKeyKeptPastItsSessionFailsToSignInsteadOfCrashing) {
  PrivateKey kept;
  KeyInfo key;
  {
    TokenSession session = loggedIn(SessionMode::ReadWrite);
    key = generateKey(session, "kept too long");
    kept = privateKey(session, key);
    EXPECT_TRUE(testing::verify(key.publicKey, "in session", testing::sign(kept.get(), "in session")));
  }
  EXPECT_THROW(testing::sign(kept.get(), "after the session"), std::runtime_error) << "signed while logged out";
  const auto failure = takeSigningFailure(kept);
  ASSERT_TRUE(failure) << "the caller learns why, not only that OpenSSL failed";
  EXPECT_EQ(failure->kind(), ErrorKind::InvalidArgument);
  EXPECT_FALSE(takeSigningFailure(kept)) << "a failure is reported once";
  // A new session, and a key taken from it, work as usual while the old handle is still held.
  TokenSession session = loggedIn(SessionMode::ReadOnly);
  const PrivateKey fresh = privateKey(session, key);
  EXPECT_TRUE(testing::verify(key.publicKey, "again", testing::sign(fresh.get(), "again")));
  kept.reset();
}

TEST_F(SoftHsmObjects, ATokenThatRefusesToSignSaysWhyThroughTheKey) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "deleted while held");
  const PrivateKey evp = privateKey(session, key);
  deleteObjectsById(session, key.id);  // as another application might, between taking the key and signing
  EXPECT_THROW(testing::sign(evp.get(), "refused"), std::runtime_error);
  const auto failure = takeSigningFailure(evp);
  ASSERT_TRUE(failure) << "the caller learns the token's answer, not only that OpenSSL failed";
  EXPECT_EQ(failure->kind(), ErrorKind::Pkcs11) << failure->what();
  EXPECT_EQ(failure->function(), "C_SignInit");
  EXPECT_EQ(failure->nativeName(), "CKR_OBJECT_HANDLE_INVALID");  // SoftHSM2's word for a deleted key
  EXPECT_FALSE(takeSigningFailure(evp)) << "a failure is reported once";
}

TEST_F(SoftHsmObjects, ABlockLongerThanTheKeyNeverReachesTheToken) {
  // SoftHSM2 ends the process on such a block; OpenSSL hands a key's own method whatever it is given.
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "long block");
  const PrivateKey evp = privateKey(session, key);
  RSA* rsa = const_cast<RSA*>(EVP_PKEY_get0_RSA(evp.get()));
  ASSERT_NE(rsa, nullptr);
  const Bytes tooLong(static_cast<std::size_t>(RSA_size(rsa)) + 1, 0x5a);
  Bytes signature(tooLong.size());
  EXPECT_EQ(
      RSA_private_encrypt(static_cast<int>(tooLong.size()), tooLong.data(), signature.data(), rsa, RSA_NO_PADDING), -1);
  ERR_clear_error();
  EXPECT_FALSE(takeSigningFailure(evp)) << "refused before the token";
  EXPECT_TRUE(testing::verify(key.publicKey, "still fine", testing::sign(evp.get(), "still fine")));
  EXPECT_FALSE(takeSigningFailure(evp));
}

TEST_F(SoftHsmObjects, EachKeyOfASessionSignsEvenWhenMadeAfterTheFirstWasUsed) {
  // The host's generateKeyPair makes a signing and an encryption key and signs a request with each.
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo signing = generateKey(session, "signing");
  const PrivateKey first = privateKey(session, signing);
  EXPECT_TRUE(testing::verify(signing.publicKey, "request 1", testing::sign(first.get(), "request 1")));
  const KeyInfo encryption = generateKey(session, "encryption");
  const PrivateKey second = privateKey(session, encryption);
  EXPECT_TRUE(testing::verify(encryption.publicKey, "request 2", testing::sign(second.get(), "request 2")));
  deleteObjectsById(session, signing.id);
  EXPECT_EQ(errorOf([&] { privateKey(session, signing); }).kind(), ErrorKind::KeyNotFound);
}

TEST_F(SoftHsmObjects, AKeyIsFoundByItsPublicKeyNotByItsLabel) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo first = generateKey(session, "same label");
  const KeyInfo second = generateKey(session, "same label");
  ASSERT_NE(first.id, second.id);
  const auto found = findKeyByPublicKey(session, second.publicKey);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, second.id);
  EXPECT_EQ(found->publicKey, second.publicKey);
  const auto elsewhere = testing::generateSoftwareKey();
  EXPECT_FALSE(findKeyByPublicKey(session, testing::publicKeyOf(elsewhere.get())));
  EXPECT_EQ(errorOf([&] { findKeyByPublicKey(session, Bytes{0x30, 0x00}); }).kind(), ErrorKind::InvalidArgument);

  const auto keys = listKeys(session);
  EXPECT_TRUE(std::any_of(keys.begin(), keys.end(), [&](const KeyInfo& k) { return k.id == first.id; }));
  EXPECT_TRUE(std::any_of(keys.begin(), keys.end(), [&](const KeyInfo& k) { return k.id == second.id; }));
}

TEST_F(SoftHsmObjects, ALikelyIdSpeedsTheLookupButNeverPicksTheWrongKey) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo first = generateKey(session, "first");
  const KeyInfo second = generateKey(session, "second");
  // The right id: found at once.
  auto found = findKeyByPublicKey(session, first.publicKey, first.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, first.id);
  // Another key's id (a certificate object with a wrong CKA_ID): the keys are compared, so the right key still.
  found = findKeyByPublicKey(session, first.publicKey, second.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, first.id);
  // A key that is not on the token is not found under any id.
  const auto elsewhere = testing::generateSoftwareKey();
  EXPECT_FALSE(findKeyByPublicKey(session, testing::publicKeyOf(elsewhere.get()), first.id));
}

TEST_F(SoftHsmObjects, AttributesReadTogetherLeaveOutOnlyTheHiddenAndMissingOnes) {
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "attributes");
  auto& s = session.impl();
  const auto objects = detail::findObjects(s.f(), s.handle,
                                           {detail::ck::attribute(detail::ck::kCkaClass, detail::ck::kCkoPrivateKey),
                                            detail::ck::attribute(detail::ck::kCkaId, key.id)});
  ASSERT_EQ(objects.size(), 1U);
  // CKA_PRIVATE_EXPONENT is sensitive, CKA_VALUE does not exist on an RSA key: the token answers with an error
  // for the call, and the readable attributes must still come through.
  const auto attributes =
      detail::readAttributes(s.f(), s.handle, objects.front(),
                             {detail::ck::kCkaPrivateExponent, detail::ck::kCkaId, detail::ck::kCkaValue,
                              detail::ck::kCkaLabel, detail::ck::kCkaSensitive});
  EXPECT_EQ(attributes.bytes(detail::ck::kCkaId), key.id);
  EXPECT_EQ(attributes.text(detail::ck::kCkaLabel), "attributes");
  EXPECT_EQ(attributes.boolean(detail::ck::kCkaSensitive), true);
  EXPECT_FALSE(attributes.bytes(detail::ck::kCkaPrivateExponent)) << "a sensitive attribute was read";
  EXPECT_FALSE(attributes.bytes(detail::ck::kCkaValue));
  EXPECT_FALSE(attributes.bytes(detail::ck::kCkaModulusBits)) << "an attribute that was not asked for";
}
TEST_F(SoftHsmObjects, AnIssuedCertificateIsStoredBesideItsKeyAndListedWithIt) {
  const auto ca = testing::makeTestCa();
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "issued");
  const Bytes certificate = testing::issueCertificate(ca, key.publicKey, "A123456789-00-20101123002", 1001);

  const auto found = findKeyForCertificate(session, certificate);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, key.id);

  const CertificateInfo stored = storeCertificate(session, certificate, "A123456789 signing");
  EXPECT_EQ(stored.id, key.id) << "the certificate shares its key's CKA_ID";
  EXPECT_EQ(stored.label, "A123456789 signing");
  EXPECT_TRUE(stored.keyOnToken);

  const auto listed = listCertificates(session);
  const CertificateInfo* entry = findCertificate(listed, certificate);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->id, key.id);
  EXPECT_EQ(entry->label, "A123456789 signing");
  EXPECT_TRUE(entry->keyOnToken);
  EXPECT_EQ(entry->keyId, key.id);
}

TEST_F(SoftHsmObjects, StoringTheSameCertificateTwiceLeavesOneObject) {
  const auto ca = testing::makeTestCa();
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "idempotent");
  const Bytes certificate = testing::issueCertificate(ca, key.publicKey, "twice", 1002);
  storeCertificate(session, certificate, "first write");
  const CertificateInfo again = storeCertificate(session, certificate, "second write, other computer");
  EXPECT_EQ(again.label, "first write") << "the stored object is returned as it is";
  EXPECT_EQ(countOf(listCertificates(session), certificate), 1U);
}

TEST_F(SoftHsmObjects, ACaCertificateIsStoredWithoutAKeyAndOnlyOnce) {
  const auto ca = testing::makeTestCa("TaiCA Test FXML CA");
  forgetCertificateAfterwards(ca.certificate);
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const CertificateInfo stored = storeCaCertificate(session, ca.certificate, "TaiCA Test FXML CA");
  EXPECT_EQ(stored.id.size(), 20U) << "SHA-1 key identifier";
  EXPECT_FALSE(stored.keyOnToken);
  storeCaCertificate(session, ca.certificate, "TaiCA Test FXML CA");
  const auto listed = listCertificates(session);
  EXPECT_EQ(countOf(listed, ca.certificate), 1U);
  EXPECT_FALSE(findCertificate(listed, ca.certificate)->keyOnToken);
}

TEST_F(SoftHsmObjects, ACertificateWhoseKeyIsNotOnTheTokenIsDetectedAndNotStored) {
  const auto ca = testing::makeTestCa();
  const auto elsewhere = testing::generateSoftwareKey();
  const Bytes certificate = testing::issueCertificate(ca, testing::publicKeyOf(elsewhere.get()), "other card", 1003);
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  EXPECT_FALSE(findKeyForCertificate(session, certificate));
  const auto error = errorOf([&] { storeCertificate(session, certificate, "not ours"); });
  EXPECT_EQ(error.kind(), ErrorKind::KeyNotFound);
  EXPECT_EQ(countOf(listCertificates(session), certificate), 0U);
  EXPECT_EQ(errorOf([&] { storeCertificate(session, Bytes{1, 2, 3}, "garbage"); }).kind(), ErrorKind::InvalidArgument);
}

TEST_F(SoftHsmObjects, WithoutLoginTheKeyOfACertificateIsStillReportedThroughItsPublicKeyObject) {
  const auto ca = testing::makeTestCa();
  Bytes certificate;
  Bytes keyId;
  {
    TokenSession session = loggedIn(SessionMode::ReadWrite);
    const KeyInfo key = generateKey(session, "listed without login");
    keyId = key.id;
    certificate = testing::issueCertificate(ca, key.publicKey, "no login", 1004);
    storeCertificate(session, certificate, "no login");
  }
  TokenSession session(module(), token(), SessionMode::ReadOnly);
  const auto listed = listCertificates(session);
  const CertificateInfo* entry = findCertificate(listed, certificate);
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(entry->keyOnToken);
  EXPECT_EQ(entry->keyId, keyId);
}

TEST_F(SoftHsmObjects, DeletingByIdRemovesTheKeyPairAndItsCertificate) {
  const auto ca = testing::makeTestCa();
  TokenSession session = loggedIn(SessionMode::ReadWrite);
  const KeyInfo key = generateKey(session, "to delete");
  const Bytes certificate = testing::issueCertificate(ca, key.publicKey, "to delete", 1005);
  storeCertificate(session, certificate, "to delete");
  EXPECT_EQ(deleteObjectsById(session, key.id), 3U) << "private key, public key, certificate";
  EXPECT_FALSE(findKeyByPublicKey(session, key.publicKey));
  EXPECT_EQ(countOf(listCertificates(session), certificate), 0U);
  EXPECT_EQ(errorOf([&] { privateKey(session, key); }).kind(), ErrorKind::KeyNotFound);
  EXPECT_EQ(deleteObjectsById(session, key.id), 0U);
  EXPECT_EQ(errorOf([&] { deleteObjectsById(session, Bytes{}); }).kind(), ErrorKind::InvalidArgument);
}

TEST_F(SoftHsmObjects, WritingNeedsTheCardHolderLoggedIn) {
  const auto ca = testing::makeTestCa();
  TokenSession session(module(), token(), SessionMode::ReadWrite);
  EXPECT_EQ(errorOf([&] { generateRsaKeyPair(session, {2048, "no login"}); }).kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { storeCertificate(session, ca.certificate, "no login"); }).kind(), ErrorKind::InvalidArgument);
  session.loginUser(userPin(), rules());
  EXPECT_EQ(errorOf([&] { generateRsaKeyPair(session, {1000, "odd size"}); }).kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { generateRsaKeyPair(session, {512, "too small"}); }).kind(), ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace certbridge::card
