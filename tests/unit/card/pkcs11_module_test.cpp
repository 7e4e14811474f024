// PKCS#11 module loading failures that need no token, and the mapping of libp11 token data to TokenInfo.

#include <gtest/gtest.h>

#include <string>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "pkcs11_module_libp11.hpp"

namespace certbridge::card {
namespace {

CardError loadError(const std::string& path) {
  try {
    Pkcs11Module::load(path);
  } catch (const CardError& error) {
    return error;
  }
  ADD_FAILURE() << "loading " << path << " succeeded";
  return CardError(ErrorKind::Pcsc, "no error");
}

TEST(Pkcs11ModuleLoad, MissingFileIsModuleUnavailableNamingThePath) {
  const std::string path = "/nonexistent/certbridge/libno-such-module.so";
  const CardError error = loadError(path);
  EXPECT_EQ(error.kind(), ErrorKind::ModuleUnavailable);
  EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("not installed"), std::string::npos) << error.what();
}

TEST(Pkcs11ModuleLoad, LibraryThatIsNotAModuleIsModuleUnavailableNamingThePath) {
  const std::string path = CERTBRIDGE_NOT_A_MODULE;
  const CardError error = loadError(path);
  EXPECT_EQ(error.kind(), ErrorKind::ModuleUnavailable);
  EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("could not be loaded"), std::string::npos) << error.what();
}

TEST(Pkcs11ModuleLoad, EmptyPathIsAProgrammingError) {
  EXPECT_EQ(loadError("").kind(), ErrorKind::InvalidArgument);
}

TEST(TokenInfoMapping, CopiesLabelsAndEveryPinFlag) {
  std::string label = "CertBridge Card", manufacturer = "SoftHSM project", model = "SoftHSM v2",
              serial = "4f1c2a9b03d8e761", description = "Virtual PCD 00 00";
  PKCS11_TOKEN token{};
  token.label = label.data();
  token.manufacturer = manufacturer.data();
  token.model = model.data();
  token.serialnr = serial.data();
  token.initialized = 1;
  token.loginRequired = 1;
  token.secureLogin = 1;
  token.userPinSet = 1;
  token.userPinCountLow = 1;
  token.userPinFinalTry = 1;
  token.soPinLocked = 1;
  PKCS11_SLOT slot{};
  slot.description = description.data();
  slot.token = &token;

  const TokenInfo info = detail::toTokenInfo(slot, 7);
  EXPECT_EQ(info.slotId, 7UL);
  EXPECT_EQ(info.slotDescription, "Virtual PCD 00 00");
  EXPECT_EQ(info.label, "CertBridge Card");
  EXPECT_EQ(info.serial, "4f1c2a9b03d8e761");
  EXPECT_EQ(info.manufacturer, "SoftHSM project");
  EXPECT_EQ(info.model, "SoftHSM v2");
  EXPECT_TRUE(info.initialized);
  EXPECT_TRUE(info.loginRequired);
  EXPECT_TRUE(info.protectedAuthPath) << "secureLogin means the PIN is typed on the reader";
  EXPECT_FALSE(info.readOnly);
  EXPECT_TRUE(info.userPinInitialized);
  EXPECT_TRUE(info.userPinCountLow);
  EXPECT_TRUE(info.userPinFinalTry);
  EXPECT_FALSE(info.userPinLocked);
  EXPECT_FALSE(info.userPinToBeChanged);
  EXPECT_FALSE(info.soPinCountLow);
  EXPECT_FALSE(info.soPinFinalTry);
  EXPECT_TRUE(info.soPinLocked);
}

TEST(TokenInfoMapping, MissingStringsBecomeEmpty) {
  PKCS11_TOKEN token{};
  PKCS11_SLOT slot{};
  slot.token = &token;
  const TokenInfo info = detail::toTokenInfo(slot, 0);
  EXPECT_EQ(info.label, "");
  EXPECT_EQ(info.slotDescription, "");
  EXPECT_FALSE(info.initialized);
}

}  // namespace
}  // namespace certbridge::card
