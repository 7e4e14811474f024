#pragma once
// PKCS#12 ("PFX") files: a private key with its certificate (and CA certificates), protected by a password
// the user typed in the extension's window. Built and read with OpenSSL, in memory only: the host never
// writes a file (the extension saves the bytes through the browser's download flow).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "certbridge/card/secret_string.hpp"
#include "crypto/openssl_types.hpp"
#include "user_key_store.hpp"

namespace certbridge::host::software_store {

/// PBKDF2 iterations for the key and certificate bags and the MAC's key derivation. Far above OpenSSL's
/// default of 2048 (a PFX file travels and may be attacked offline) and still well under a second.
inline constexpr int kPkcs12Iterations = 100000;

struct Pkcs12Contents {
  crypto::EvpPkeyPtr key;
  crypto::X509Ptr certificate;                  ///< The key's certificate.
  std::vector<crypto::X509Ptr> caCertificates;  ///< The other certificates of the file.
};

/// Reads a file: PKCS12_FILE_INVALID when it is not PKCS#12 or holds no key with its certificate;
/// PKCS12_PASSWORD_INCORRECT when password does not open it (MAC or decryption fails).
Pkcs12Contents readPkcs12(std::span<const std::uint8_t> file, const card::SecretString& password);

/// Builds a file: key and certificates each encrypted with AES-256-CBC under PBES2 (PBKDF2 with
/// HMAC-SHA-256, kPkcs12Iterations), a SHA-256 MAC, friendlyName on the key and certificate when it is
/// ASCII (OpenSSL would mangle other text; the name is cosmetic). Throws CryptoError.
std::vector<std::uint8_t> writePkcs12(EVP_PKEY* key, X509* certificate, std::span<X509* const> caCertificates,
                                      const card::SecretString& password, std::string_view friendlyName);

}  // namespace certbridge::host::software_store
