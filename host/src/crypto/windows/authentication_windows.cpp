// The authenticate signature on Windows: the key's store signs the DigestInfo (a card through C_Sign), BCrypt
// checks signatures.
#include <stdexcept>

#include "../authentication.hpp"
#include "../crypto_error.hpp"
#include "../der_writer.hpp"
#include "../encoding.hpp"
#include "bcrypt_support.hpp"

namespace certbridge::host::crypto {

std::vector<std::uint8_t> signSha256(SigningKey* key, std::span<const std::uint8_t> message) {
  if (key == nullptr) throw CryptoError("no key to sign with");
  return key->signDigestInfo(der::sha256DigestInfo(sha256(message)));
}

bool verifyAuthentication(std::span<const std::uint8_t> publicKeyInfo, std::string_view origin,
                          std::span<const std::uint8_t> challenge, std::span<const std::uint8_t> signature) {
  const windows::KeyHandle key = windows::importPublicKeyInfo(publicKeyInfo);
  if (!key) return false;
  // An EC key would import too; only RSA signatures are authentication signatures.
  const auto info = windows::decodeObject<CERT_PUBLIC_KEY_INFO>(X509_PUBLIC_KEY_INFO, publicKeyInfo);
  if (!info || std::string_view(info->Algorithm.pszObjId) != szOID_RSA_RSA) return false;
  const auto message = authenticationMessage(origin, challenge);
  return windows::verifyRsaSha256(key.get(), sha256(message), signature);
}

}  // namespace certbridge::host::crypto
