// Key pairs left without a certificate (a host killed after key 1 of 2, a certificate that never came):
// listCertificates and environment show them with what they were for and how old they are, and removeKeys
// deletes exactly the ones the user confirmed, never a key that has its certificate.

#include "card_test_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

TEST_F(CardCommands, KeysWithoutCertificateAreShownAndRemovedOnlyOnRequest) {
  auto host = startHost();
  const json generated = generate(*host, "Orphan", {"signing", "encryption"});
  const std::string signingId = generated["requests"][0]["keyId"];
  const std::string encryptionId = generated["requests"][1]["keyId"];
  // The signing key gets its certificate; the encryption key's never comes.
  TestCa ca("Orphan test CA");
  ok(*host,
     request("w", "writeCertificates",
             {{"certificates", json::array({ca.issue(generated["requests"][0]["request"], 365)})}, {"pins", pins()}}));

  const json listed = ok(*host, request("l1", "listCertificates"));
  ASSERT_EQ(listed["keysWithoutCertificate"].size(), 1u) << listed.dump(2);
  const json& orphan = listed["keysWithoutCertificate"][0];
  EXPECT_EQ(orphan["keyId"], encryptionId);
  EXPECT_EQ(orphan["usage"], "encryption");
  EXPECT_EQ(orphan["keySize"], 2048);
  EXPECT_EQ(orphan["ageDays"], 0);
  EXPECT_EQ(orphan["createdOn"].get<std::string>().size(), 10u);
  const json environment = ok(*host, request("e", "environment"));
  ASSERT_EQ(environment["keysWithoutCertificate"].size(), 1u);
  EXPECT_EQ(environment["keysWithoutCertificate"][0]["keyId"], encryptionId);
  EXPECT_EQ(environment["keysWithoutCertificate"][0]["reader"], kCardReader);

  // A key with its certificate is never removed here, and one such id stops the whole request.
  Answer refused =
      call(*host, request("r1", "removeKeys", {{"keyIds", json::array({encryptionId, signingId})}, {"pins", pins()}}));
  EXPECT_EQ(refused.code(), "KEY_NOT_FOUND") << refused.message.dump();
  EXPECT_EQ(refused.error()["field"], "params.keyIds[1]");
  EXPECT_EQ(countObjects("Private Key Object"), 2) << "nothing went";

  const json removed =
      ok(*host, request("r2", "removeKeys", {{"keyIds", json::array({encryptionId})}, {"pins", pins()}}));
  ASSERT_EQ(removed["removed"].size(), 1u);
  EXPECT_EQ(removed["removed"][0]["keyId"], encryptionId);
  EXPECT_EQ(removed["removed"][0]["objects"], 2) << "private and public key";
  EXPECT_EQ(countObjects("Private Key Object"), 1);
  EXPECT_TRUE(ok(*host, request("l2", "listCertificates"))["keysWithoutCertificate"].empty());
  // The certificate's key is still there and signs.
  EXPECT_TRUE(
      call(*host, request("a", "authenticate", {{"challenge", "AAECAwQFBgcICQoLDA0ODw=="}, {"pins", pins()}})).ok());
}

TEST_F(CardCommands, RemoveKeysParametersAreCheckedBeforeTheCard) {
  auto host = startHost();
  for (const json& keyIds : {json::array(), json::array({"xyz"}), json::array({"abc"}), json::array({"0a", "0A"})}) {
    const Answer answer = call(*host, request("r", "removeKeys", {{"keyIds", keyIds}, {"pins", pins()}}));
    EXPECT_EQ(answer.code(), "BAD_REQUEST") << keyIds.dump();
  }
  EXPECT_EQ(call(*host, request("r", "removeKeys", {{"pins", pins()}})).code(), "BAD_REQUEST");
}

}  // namespace
}  // namespace certbridge::host::integration
