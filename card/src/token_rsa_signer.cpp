// An RSA private key on the token as an RsaSigner (Windows, where the host does not use OpenSSL): signatures
// run on the token in the session that found the key (C_SignInit + C_Sign with CKM_RSA_PKCS over the
// DigestInfo, on that session's object handle), as the OpenSSL RSA method of token_rsa_key.cpp does on Linux.

#include <memory>
#include <optional>
#include <utility>

#include "certbridge/card/error.hpp"
#include "certbridge/card/rsa_signer.hpp"
#include "pkcs11_call.hpp"
#include "public_key_der.hpp"
#include "token_keys.hpp"

namespace certbridge::card::detail {

namespace {

class TokenRsaSigner final : public RsaSigner {
 public:
  TokenRsaSigner(TokenSession::Impl& session, ck::ObjectHandle object, const RsaNumbers& publicKey)
      : module_(session.module),
        functions_(session.functions),
        session_(session.handle),
        object_(object),
        sessionOpen_(session.open),
        publicKeyInfo_(rsaPublicKey(publicKey.modulus, publicKey.exponent)),
        modulusBytes_(publicKey.modulus.size()) {}

  std::vector<std::uint8_t> publicKeyInfo() const override { return publicKeyInfo_; }
  std::size_t modulusBytes() const override { return modulusBytes_; }

  std::vector<std::uint8_t> signDigestInfo(std::span<const std::uint8_t> digestInfo) override {
    failure_.reset();
    if (sessionOpen_.expired()) {
      failure_.emplace(ErrorKind::InvalidArgument, "The card key's session is closed: open one and take the key again");
      throw *failure_;
    }
    // PKCS#1 v1.5 needs 11 bytes of padding around the DigestInfo; a longer one never reaches the token (some
    // tokens end the process on input they cannot pad instead of refusing it). Refused before the token, so
    // not a signing failure of the token's.
    if (digestInfo.empty() || digestInfo.size() + 11 > modulusBytes_) {
      throw CardError(ErrorKind::InvalidArgument, std::to_string(digestInfo.size()) +
                                                      " bytes of DigestInfo do not fit a " +
                                                      std::to_string(modulusBytes_) + "-byte RSA key");
    }
    ck::Mechanism mechanism{ck::kCkmRsaPkcs, nullptr, 0};
    const ck::FunctionList& f = *functions_;
    std::vector<std::uint8_t> signature(modulusBytes_);
    ck::Ulong size = static_cast<ck::Ulong>(signature.size());
    const char* function = "C_SignInit";
    ck::Rv rv = f.C_SignInit(session_, &mechanism, object_);
    if (rv == ck::kCkrOk) {
      function = "C_Sign";
      rv = f.C_Sign(session_, digestInfo.data(), static_cast<ck::Ulong>(digestInfo.size()), signature.data(), &size);
    }
    if (rv != ck::kCkrOk) {
      failure_.emplace(pkcs11ErrorKind(rv), "The card did not sign", function, static_cast<long>(rv),
                       pkcs11ErrorName(rv));
      throw *failure_;
    }
    if (size != signature.size()) {
      failure_.emplace(ErrorKind::Pkcs11, "The card's signature has the wrong length (" + std::to_string(size) +
                                              " bytes for a " + std::to_string(modulusBytes_) + "-byte key)");
      throw *failure_;
    }
    return signature;
  }

  /// Why the last signature failed on the token, once (see takeSigningFailure).
  std::optional<CardError> takeFailure() noexcept { return std::exchange(failure_, std::nullopt); }

 private:
  std::shared_ptr<Pkcs11Module> module_;  ///< Keeps the function list loaded while the key is held.
  const ck::FunctionList* functions_;
  ck::SessionHandle session_;
  ck::ObjectHandle object_;
  /// Expires when the TokenSession closes: its handles may then name another session or object.
  std::weak_ptr<const bool> sessionOpen_;
  std::vector<std::uint8_t> publicKeyInfo_;
  std::size_t modulusBytes_;
  std::optional<CardError> failure_;
};

}  // namespace

PrivateKey tokenRsaKey(TokenSession::Impl& session, ck::ObjectHandle privateKey, const RsaNumbers& publicKey) {
  return std::make_shared<TokenRsaSigner>(session, privateKey, publicKey);
}

}  // namespace certbridge::card::detail

namespace certbridge::card {

std::optional<CardError> takeSigningFailure(const PrivateKey& key) {
  auto* signer = dynamic_cast<detail::TokenRsaSigner*>(key.get());
  if (signer == nullptr) return std::nullopt;
  return signer->takeFailure();
}

}  // namespace certbridge::card
