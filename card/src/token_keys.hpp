#pragma once
// Key lookups shared by the key and certificate code. Private to the card library.

#include <cstdint>
#include <span>
#include <vector>

#include "certbridge/card/token_objects.hpp"
#include "openssl_util.hpp"
#include "public_key_der.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card::detail {

/// A key object's CKA_ID and public key.
struct KeyNumbers {
  std::vector<std::uint8_t> id;
  RsaNumbers numbers;
};

/// What the token says about one private key object.
KeyInfo keyInfo(TokenSession::Impl& session, ck::ObjectHandle privateKey);
/// The RSA private keys the session can see (all of them after a user login, usually none before).
std::vector<KeyInfo> rsaPrivateKeys(TokenSession::Impl& session);
/// The RSA key objects of one class (CKO_PUBLIC_KEY: visible without login; CKO_PRIVATE_KEY: after a user login)
/// with their public keys, read with one attribute call each.
std::vector<KeyNumbers> rsaKeyNumbers(TokenSession::Impl& session, ck::Ulong objectClass);

/// The RSA private key object privateKey of session, whose public key is publicKey,
/// as an EVP_PKEY: OpenSSL's signatures with it run on the token in that session (token_rsa_key.cpp) and
/// fail once the session is closed. Throws CardError(Pkcs11) when OpenSSL cannot be set up for it.
PrivateKey tokenRsaKey(TokenSession::Impl& session, ck::ObjectHandle privateKey, const RsaNumbers& publicKey);

}  // namespace certbridge::card::detail
