// The authenticate signature with OpenSSL (Linux, macOS).
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <climits>

#include "authentication.hpp"
#include "openssl_types.hpp"

namespace certbridge::host::crypto {

std::vector<std::uint8_t> signSha256(SigningKey* key, std::span<const std::uint8_t> message) {
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

bool verifyAuthentication(std::span<const std::uint8_t> publicKeyInfo, std::string_view origin,
                          std::span<const std::uint8_t> challenge, std::span<const std::uint8_t> signature) {
  if (publicKeyInfo.empty() || publicKeyInfo.size() > static_cast<std::size_t>(LONG_MAX)) return false;
  const unsigned char* cursor = publicKeyInfo.data();
  const EvpPkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(publicKeyInfo.size())));
  EVP_PKEY* publicKey = key.get();
  if (publicKey == nullptr || cursor != publicKeyInfo.data() + publicKeyInfo.size() ||
      EVP_PKEY_is_a(publicKey, "RSA") != 1) {
    ERR_clear_error();
    return false;
  }
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
