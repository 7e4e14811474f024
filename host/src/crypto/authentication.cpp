#include "authentication.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "encoding.hpp"
#include "openssl_types.hpp"

namespace certbridge::host::crypto {

std::array<std::uint8_t, 64> authenticationMessage(std::string_view origin, std::span<const std::uint8_t> challenge) {
  const auto originDigest =
      sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(origin.data()), origin.size()));
  const auto challengeDigest = sha256(challenge);
  std::array<std::uint8_t, 64> message{};
  std::copy(originDigest.begin(), originDigest.end(), message.begin());
  std::copy(challengeDigest.begin(), challengeDigest.end(), message.begin() + originDigest.size());
  return message;
}

std::vector<std::uint8_t> signSha256(EVP_PKEY* key, std::span<const std::uint8_t> message) {
  // The result is labelled sha256WithRSAEncryption; signing with an EC key would mislabel it.
  if (key == nullptr || EVP_PKEY_is_a(key, "RSA") != 1) throwCryptoError("the authentication key is not an RSA key");
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* keyContext = nullptr;  // Owned by context.
  if (!context || EVP_DigestSignInit(context.get(), &keyContext, EVP_sha256(), nullptr, key) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) <= 0) {
    throwCryptoError("cannot start the signature");
  }
  std::size_t length = 0;
  if (EVP_DigestSign(context.get(), nullptr, &length, message.data(), message.size()) != 1) {
    throwCryptoError("cannot size the signature");
  }
  std::vector<std::uint8_t> signature(length);
  if (EVP_DigestSign(context.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    throwCryptoError("the key could not sign");
  }
  signature.resize(length);
  return signature;
}

bool verifyAuthentication(EVP_PKEY* publicKey, std::string_view origin, std::span<const std::uint8_t> challenge,
                          std::span<const std::uint8_t> signature) {
  if (publicKey == nullptr || EVP_PKEY_is_a(publicKey, "RSA") != 1) return false;
  const auto message = authenticationMessage(origin, challenge);
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* keyContext = nullptr;  // Owned by context.
  const bool verified =
      context && EVP_DigestVerifyInit(context.get(), &keyContext, EVP_sha256(), nullptr, publicKey) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) > 0 &&
      EVP_DigestVerify(context.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
  // A signature that does not verify is an answer, not an error for a later CryptoError to report.
  if (!verified) ERR_clear_error();
  return verified;
}

}  // namespace certbridge::host::crypto
