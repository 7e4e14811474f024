// The software-store commands' shared parameters: every password is taken out of the request (and wiped
// there) even when another one is malformed; the new PKCS#12 password's minimum; download file names.

#include <gtest/gtest.h>

#include "certbridge/host/protocol_error.hpp"
#include "commands/software_params.hpp"

namespace certbridge::host::commands {
namespace {

std::string fieldOf(const ProtocolError& error) {
  return error.details().value("field", "");
}

TEST(SoftwareSecrets, AreTakenOutOfTheParamsAndFoundByName) {
  nlohmann::json params = {{"password", "old-one"}, {"newPassword", "new-one-2"}, {"file", "AAAA"}};
  const Secrets secrets(params, {"password", "newPassword", "storePassword"});
  EXPECT_EQ(params, (nlohmann::json{{"file", "AAAA"}})) << "only the secrets leave the params";
  ASSERT_NE(secrets.find("password"), nullptr);
  EXPECT_EQ(std::string_view(secrets.find("password")->data()), "old-one");
  EXPECT_EQ(secrets.find("storePassword"), nullptr);
  try {
    secrets.required("storePassword");
    FAIL() << "a missing secret was accepted";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    EXPECT_EQ(fieldOf(e), "params.storePassword");
  }
}

TEST(SoftwareSecrets, AMalformedOneIsRefusedAfterEveryOtherWasTakenToo) {
  nlohmann::json params = {{"password", 12}, {"newPassword", "typed-in-the-window"}};
  try {
    const Secrets secrets(params, {"password", "newPassword"});
    FAIL() << "a number was accepted as a password";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(fieldOf(e), "params.password");
    EXPECT_EQ(std::string(e.details().dump()).find("typed-in-the-window"), std::string::npos);
  }
  EXPECT_FALSE(params.contains("newPassword")) << "the well-formed secret must not stay in the request";
}

TEST(SoftwareSecrets, ANewPasswordNeedsSixCharacters) {
  nlohmann::json shortOne = {{"newPassword", "密碼12"}};  // 4 characters, more bytes
  const Secrets tooShort(shortOne, {"newPassword"});
  EXPECT_THROW(newPassword(tooShort), ProtocolError);
  nlohmann::json longEnough = {{"newPassword", "新密碼-1234"}};
  const Secrets fine(longEnough, {"newPassword"});
  EXPECT_EQ(std::string_view(newPassword(fine).data()), "新密碼-1234");
}

crypto::ParsedCertificate certificateNamed(std::string commonName, bool signing, bool encryption) {
  crypto::ParsedCertificate certificate;
  certificate.commonName = std::move(commonName);
  certificate.usableForSigning = signing;
  certificate.usableForEncryption = encryption;
  certificate.serialNumberHex = "400132DF7D68C75E2D632ACA246CAB70";
  return certificate;
}

TEST(Pkcs12FileName, SaysWhoWhatForAndWhichOne) {
  EXPECT_EQ(pkcs12FileName(certificateNamed("王小明", true, false)), "王小明-signing-246CAB70.p12");
  EXPECT_EQ(pkcs12FileName(certificateNamed("王小明", false, true)), "王小明-encryption-246CAB70.p12");
  EXPECT_EQ(pkcs12FileName(certificateNamed("王小明", true, true)), "王小明-dual-246CAB70.p12");
  EXPECT_EQ(pkcs12FileName(certificateNamed("", true, false)), "certificate-signing-246CAB70.p12");
}

TEST(Pkcs12FileName, HasNoCharacterFileSystemsRefuseAndNoCutCharacter) {
  EXPECT_EQ(pkcs12FileName(certificateNamed("a/b\\c:d*e?f\"g<h>i|j", true, false)),
            "a_b_c_d_e_f_g_h_i_j-signing-246CAB70.p12");
  const std::string longName = pkcs12FileName(certificateNamed(
      std::string(50, 'x') + std::string(30, '\0') + "王王王王王王王王王王王王王王王王王王王王王王王王王王", true,
      false));
  EXPECT_LE(longName.size(), 120U + std::string("-signing-246CAB70.p12").size());
  EXPECT_EQ(longName.find('\0'), std::string::npos);
  const std::string name = longName.substr(0, longName.size() - std::string("-signing-246CAB70.p12").size());
  // Whole UTF-8 characters only: the name ends with the last byte of a character.
  ASSERT_FALSE(name.empty());
  const auto last = static_cast<unsigned char>(name.back());
  EXPECT_TRUE(last < 0x80 || (last & 0xC0) == 0x80);
  EXPECT_EQ(nlohmann::json(name).dump().find("\\ufffd"), std::string::npos);
}

}  // namespace
}  // namespace certbridge::host::commands
