#pragma once
// A fixture for tests on one real token (SoftHSM2 or openCryptoki): finds the token, offers sessions and
// PINs, and afterwards puts the token back as it found it, even when a test fails half way: the user PIN
// reset by the security officer (which also clears a lock) and every object the test made deleted.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "certbridge/card/pin_operations.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/card/token_session.hpp"
#include "token_test_support.hpp"

namespace certbridge::card::testing {

/// Which token a fixture works on, and its test PINs.
struct TokenUnderTest {
  std::string module;
  std::string label;
  std::string userPin;
  std::string soPin;
  PinRules rules;
};

class TokenFixture : public ::testing::Test {
 protected:
  /// The token this suite works on.
  virtual TokenUnderTest target() const = 0;

  void SetUp() override {
    target_ = target();
    module_ = Pkcs11Module::load(target_.module);
    // Loaded once per process: openCryptoki 3.8 crashes in C_Initialize after a C_Finalize in the same
    // process (as the host, which keeps its CardLocator's modules for its lifetime, never does).
    static std::vector<std::shared_ptr<Pkcs11Module>> keptLoaded;
    if (std::find(keptLoaded.begin(), keptLoaded.end(), module_) == keptLoaded.end()) keptLoaded.push_back(module_);
    token_ = tokenLabelled(target_.label);
    resetUserPin();  // Whatever an earlier run left behind.
  }

  void TearDown() override {
    if (!resetUserPin()) return;
    if (createdIds_.empty() && createdCertificates_.empty()) return;
    try {
      TokenSession session = loggedIn(SessionMode::ReadWrite);
      for (const auto& id : createdIds_) deleteObjectsById(session, id);
      for (const auto& certificate : createdCertificates_) deleteCertificate(session, certificate);
    } catch (const CardError& error) {
      ADD_FAILURE() << "could not delete the test's objects: " << error.what();
    }
  }

  /// The test user PIN, set by the security officer, with no lock and no wrong entries counted.
  bool resetUserPin() {
    try {
      {
        TokenSession officer(module_, token_, SessionMode::ReadWrite);
        officer.loginSecurityOfficer(SecretString(target_.soPin));
        unblockPin(officer, SecretString(target_.userPin), target_.rules);
      }
      // openCryptoki's C_InitPIN clears a lock but not count low / final try; a good login clears those.
      TokenSession session(module_, token_, SessionMode::ReadOnly);
      session.loginUser(SecretString(target_.userPin), target_.rules);
      return true;
    } catch (const CardError& error) {
      ADD_FAILURE() << "could not reset the user PIN: " << error.what();
      return false;
    }
  }

  /// The token with this label, as the module lists it now (needs no session open on the module).
  TokenInfo tokenLabelled(const std::string& label) const {
    const auto tokens = module_->tokens();
    const auto found = std::find_if(tokens.begin(), tokens.end(),
                                    [&](const TokenInfo& t) { return t.initialized && t.label == label; });
    if (found == tokens.end()) throw std::runtime_error("no token labelled " + label);
    return *found;
  }

  /// A session with the card holder logged in with the test PIN.
  TokenSession loggedIn(SessionMode mode) {
    TokenSession session(module_, token_, mode);
    session.loginUser(userPin(), target_.rules);
    return session;
  }

  /// Generates a key pair that TearDown deletes.
  KeyInfo generateKey(TokenSession& session, const std::string& label, int bits = 2048) {
    KeyInfo key = generateRsaKeyPair(session, {bits, label});
    createdIds_.push_back(key.id);
    return key;
  }

  /// Deletes a CA certificate (which has no key id of its own to go by) in TearDown.
  void forgetCertificateAfterwards(const Bytes& certificate) { createdCertificates_.push_back(certificate); }

  SecretString userPin() const { return SecretString(target_.userPin); }
  SecretString soPin() const { return SecretString(target_.soPin); }
  const PinRules& rules() const { return target_.rules; }
  const TokenInfo& token() const { return token_; }
  const std::shared_ptr<Pkcs11Module>& module() const { return module_; }

 private:
  TokenUnderTest target_;
  std::shared_ptr<Pkcs11Module> module_;
  TokenInfo token_;
  std::vector<Bytes> createdIds_;
  std::vector<Bytes> createdCertificates_;
};

/// What a CardError of a call was; fails the test (and returns Pkcs11 with no code) when nothing was thrown.
template <typename Call>
CardError errorOf(Call&& call) {
  try {
    call();
  } catch (const CardError& error) {
    return error;
  }
  ADD_FAILURE() << "no CardError was thrown";
  return CardError(ErrorKind::Pkcs11, "nothing was thrown");
}

}  // namespace certbridge::card::testing
