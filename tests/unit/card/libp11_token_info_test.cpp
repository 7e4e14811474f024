// The mapping of libp11's token data to TokenInfo (Linux and macOS, where the card library lists tokens through
// libp11; the Windows build reads CK_TOKEN_INFO itself, pkcs11_raw_test.cpp).

#include <gtest/gtest.h>

#include <string>

#include "certbridge/card/pkcs11_module.hpp"
#include "pkcs11_module_libp11.hpp"

namespace certbridge::card {
namespace {

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
