#pragma once
// Key lookups shared by the key and certificate code. Private to the card library.

#include <cstdint>
#include <vector>

#include "certbridge/card/token_objects.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card::detail {

/// A public key object's CKA_ID and SubjectPublicKeyInfo.
struct PublicKeyObject {
  std::vector<std::uint8_t> id;
  std::vector<std::uint8_t> publicKey;
};

/// What the token says about one private key object.
KeyInfo keyInfo(TokenSession::Impl& session, ck::ObjectHandle privateKey);
/// The RSA private keys the session can see (all of them after a user login, usually none before).
std::vector<KeyInfo> rsaPrivateKeys(TokenSession::Impl& session);
/// The RSA public key objects (public objects: visible without login).
std::vector<PublicKeyObject> rsaPublicKeyObjects(TokenSession::Impl& session);

}  // namespace certbridge::card::detail
