#pragma once
// Key lookups shared by the key and certificate code. Private to the card library.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "certbridge/card/token_objects.hpp"
#include "public_key_der.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card::detail {

/// A key object's CKA_ID, public key and CKA_LABEL.
struct KeyNumbers {
  std::vector<std::uint8_t> id;
  RsaNumbers numbers;
  std::string label;
};

/// What the token says about one private key object.
KeyInfo keyInfo(TokenSession::Impl& session, ck::ObjectHandle privateKey);
/// The RSA private keys the session can see (all of them after a user login, usually none before).
std::vector<KeyInfo> rsaPrivateKeys(TokenSession::Impl& session);
/// The RSA key objects of one class (CKO_PUBLIC_KEY: visible without login; CKO_PRIVATE_KEY: after a user login)
/// with their public keys, read with one attribute call each.
std::vector<KeyNumbers> rsaKeyNumbers(TokenSession::Impl& session, ck::Ulong objectClass);

/// The RSA private key object privateKey of session, whose public key is publicKey, as a PrivateKey: its
/// signatures run on the token in that session (C_Sign) and fail once the session is closed. An EVP_PKEY whose
/// RSA method signs on the token (token_rsa_key.cpp; throws CardError(Pkcs11) when OpenSSL cannot be set up for
/// it), an RsaSigner on Windows (token_rsa_signer.cpp).
PrivateKey tokenRsaKey(TokenSession::Impl& session, ck::ObjectHandle privateKey, const RsaNumbers& publicKey);

/// The certificates of listCertificates, their keys matched against keys (already read) instead of a search.
std::vector<CertificateInfo> listCertificatesMatching(TokenSession::Impl& session, const std::vector<KeyNumbers>& keys);

}  // namespace certbridge::card::detail
