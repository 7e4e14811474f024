// PKCS#11 through libp11 against the test bed's SoftHSM2 tokens.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "testbed.hpp"

namespace certbridge::card {
namespace {

using testing::TestBed;

const TokenInfo* findToken(const std::vector<TokenInfo>& tokens, const std::string& label) {
  const auto found = std::find_if(tokens.begin(), tokens.end(), [&](const TokenInfo& t) { return t.label == label; });
  return found == tokens.end() ? nullptr : &*found;
}

TEST(Pkcs11Module, ListsTheSoftHsmTokensWithLabelSerialManufacturerModelAndPinState) {
  const auto module = Pkcs11Module::load(CERTBRIDGE_SOFTHSM_MODULE);
  EXPECT_EQ(module->path(), CERTBRIDGE_SOFTHSM_MODULE);
  const auto tokens = module->tokens();

  const TokenInfo* first = findToken(tokens, testing::kTokenLabel);
  const TokenInfo* second = findToken(tokens, testing::kSecondTokenLabel);
  ASSERT_NE(first, nullptr) << "token \"" << testing::kTokenLabel << "\" not listed";
  ASSERT_NE(second, nullptr) << "token \"" << testing::kSecondTokenLabel << "\" not listed";
  for (const TokenInfo* token : {first, second}) {
    SCOPED_TRACE(token->label);
    EXPECT_EQ(token->manufacturer, "SoftHSM project");
    EXPECT_EQ(token->model, "SoftHSM v2");
    EXPECT_EQ(token->serial.size(), 16U) << token->serial;
    EXPECT_TRUE(token->initialized);
    EXPECT_TRUE(token->loginRequired);
    EXPECT_TRUE(token->userPinInitialized);
    EXPECT_FALSE(token->readOnly);
    EXPECT_FALSE(token->protectedAuthPath) << "SoftHSM has no pin pad";
    EXPECT_FALSE(token->userPinLocked);
    EXPECT_FALSE(token->userPinFinalTry);
    EXPECT_FALSE(token->soPinLocked);
  }
  EXPECT_NE(first->serial, second->serial);
  EXPECT_NE(first->slotId, second->slotId);
  // SoftHSM always offers one more, blank slot for a new token.
  EXPECT_EQ(std::count_if(tokens.begin(), tokens.end(), [](const TokenInfo& t) { return !t.initialized; }), 1);
}

TEST(Pkcs11Module, ListingAgainGivesTheSameTokens) {
  // Re-enumeration (for fresh PIN flags) must not lose or crash on a module with several slots.
  const auto module = Pkcs11Module::load(CERTBRIDGE_SOFTHSM_MODULE);
  const auto before = module->tokens();
  const auto after = module->tokens();
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].slotId, after[i].slotId);
    EXPECT_EQ(before[i].serial, after[i].serial);
  }
  EXPECT_EQ(Pkcs11Module::load(CERTBRIDGE_SOFTHSM_MODULE), module) << "the module was loaded a second time";
}

TEST(Pkcs11Module, ModuleThatFailsToInitializeIsModuleFailedNotMissingWithPathAndCkr) {
  // A private copy of SoftHSM (its own instance) with its configuration missing: C_Initialize fails.
  const auto copy = std::filesystem::path(TestBed::get().dir()) / "libsofthsm2-broken.so";
  std::filesystem::copy_file(CERTBRIDGE_SOFTHSM_MODULE, copy, std::filesystem::copy_options::overwrite_existing);
  const std::string goodConfig = std::getenv("SOFTHSM2_CONF");
  setenv("SOFTHSM2_CONF", (TestBed::get().dir() + "/no-such-softhsm2.conf").c_str(), 1);
  try {
    Pkcs11Module::load(copy.string());
    ADD_FAILURE() << "a module without its configuration loaded";
  } catch (const CardError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::ModuleFailed) << "installed but failed to start, not \"not installed\"";
    EXPECT_NE(std::string(error.what()).find(copy.string()), std::string::npos) << error.what();
    EXPECT_EQ(error.nativeName().rfind("CKR_", 0), 0U) << "no CKR name: " << error.what();
  }
  setenv("SOFTHSM2_CONF", goodConfig.c_str(), 1);
}

}  // namespace
}  // namespace certbridge::card
