// The unblock authorization with OpenSSL (Linux, macOS).
#include "unblock_authorization.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>

#include <climits>
#include <memory>

#include "encoding.hpp"
#include "openssl_types.hpp"
#include "unblock_steps.hpp"

namespace certbridge::host::crypto {
namespace {

using detail::kSharedSecretSize;
using detail::kUnblockKeySize;
using detail::kUnblockLabel;
using detail::kUnblockTagSize;

using EvpKdfPtr = std::unique_ptr<EVP_KDF, OpenSslDeleter<&EVP_KDF_free>>;
using EvpKdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OpenSslDeleter<&EVP_KDF_CTX_free>>;

// A heap buffer for key material and plaintext that is overwritten (OPENSSL_cleanse, which the compiler
// cannot optimize away) when it goes out of scope, exceptions included. Never resized, so never copied.
class WipedBuffer {
 public:
  explicit WipedBuffer(std::size_t size) : bytes_(std::make_unique<std::uint8_t[]>(size)), size_(size) {}
  ~WipedBuffer() { OPENSSL_cleanse(bytes_.get(), size_); }
  WipedBuffer(const WipedBuffer&) = delete;
  WipedBuffer& operator=(const WipedBuffer&) = delete;

  std::uint8_t* data() noexcept { return bytes_.get(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::unique_ptr<std::uint8_t[]> bytes_;
  std::size_t size_;
};

[[noreturn]] void refuse(const char* reason) {
  ERR_clear_error();  // Whatever OpenSSL queued belongs to the refused input, not to a later error.
  throw AuthorizationInvalid(reason);
}

EvpPkeyPtr generateP256Key() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", SN_X9_62_prime256v1));
  if (!key) throwCryptoError("cannot generate a P-256 key");
  return key;
}

std::vector<std::uint8_t> subjectPublicKeyInfo(EVP_PKEY* key) {
  const int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) throwCryptoError("cannot encode the public key");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  if (i2d_PUBKEY(key, &cursor) != length) throwCryptoError("cannot encode the public key");
  return der;
}

// The P-256 public key in der, or null when der is anything else: not exactly one SubjectPublicKeyInfo, another
// algorithm or curve, or a point that is not on the curve. Checking the point before ECDH is what stops
// invalid-curve attacks that would leak the host key bit by bit.
EvpPkeyPtr parseP256PublicKey(std::span<const std::uint8_t> der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return nullptr;
  const unsigned char* cursor = der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!key || cursor != der.data() + der.size() || EVP_PKEY_is_a(key.get(), "EC") != 1) return nullptr;
  char group[64] = {};
  std::size_t groupLength = 0;
  if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &groupLength) != 1 ||
      std::string_view(group, groupLength) != SN_X9_62_prime256v1) {
    return nullptr;
  }
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

// ECDH of ownKey with peerKey into secret. False when the peer key is refused; CryptoError when OpenSSL fails.
bool deriveSharedSecret(EVP_PKEY* ownKey, EVP_PKEY* peerKey, WipedBuffer& secret) {
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, ownKey, nullptr));
  if (!context || EVP_PKEY_derive_init(context.get()) != 1) throwCryptoError("cannot start ECDH");
  std::size_t length = secret.size();
  return EVP_PKEY_derive_set_peer_ex(context.get(), peerKey, 1) == 1 &&
         EVP_PKEY_derive(context.get(), secret.data(), &length) == 1 && length == secret.size();
}

// HKDF-SHA256(ikm = sharedSecret, salt = the request id's 16 bytes, info = kLabel) into key.
void deriveEncryptionKey(WipedBuffer& sharedSecret, std::span<const std::uint8_t> salt, WipedBuffer& key) {
  EvpKdfPtr hkdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  EvpKdfCtxPtr context(hkdf ? EVP_KDF_CTX_new(hkdf.get()) : nullptr);
  if (!context) throwCryptoError("HKDF is not available");
  // OSSL_PARAM wants non-const pointers; HKDF only reads them (and wipes its own copies when freed).
  OSSL_PARAM parameters[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(SN_sha256), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, sharedSecret.data(), sharedSecret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(kUnblockLabel.data()),
                                        kUnblockLabel.size()),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_KDF_derive(context.get(), key.data(), key.size(), parameters) != 1) throwCryptoError("HKDF failed");
}

// Sets up AES-256-GCM with the 12-byte iv and feeds the additional data.
EvpCipherCtxPtr startGcm(bool encrypt, WipedBuffer& key, std::span<const std::uint8_t> iv, const std::string& aad) {
  EvpCipherCtxPtr cipher(EVP_CIPHER_CTX_new());
  int ignored = 0;
  if (!cipher || EVP_CipherInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_CipherInit_ex(cipher.get(), nullptr, nullptr, key.data(), iv.data(), encrypt) != 1 ||
      EVP_CipherUpdate(cipher.get(), nullptr, &ignored, reinterpret_cast<const unsigned char*>(aad.data()),
                       static_cast<int>(aad.size())) != 1) {
    throwCryptoError("cannot start AES-256-GCM");
  }
  return cipher;
}

}  // namespace

void requireUnblockCrypto() {}

struct UnblockKey::State {
  EvpPkeyPtr key;
};

void UnblockKey::StateDeleter::operator()(State* state) const noexcept {
  delete state;
}

UnblockKey UnblockKey::generate() {
  return UnblockKey(std::unique_ptr<State, StateDeleter>(new State{generateP256Key()}));
}

std::vector<std::uint8_t> UnblockKey::publicKeyDer() const {
  if (!state_) throw std::logic_error("UnblockKey used after it was moved from");
  return subjectPublicKeyInfo(state_->key.get());
}

card::SecretString UnblockKey::open(const UnblockAuthorization& authorization, const UnblockContext& context) const {
  if (!state_) throw std::logic_error("UnblockKey used after it was moved from");
  const auto salt = detail::checkAuthorizationShape(authorization, context);
  const EvpPkeyPtr raKey = parseP256PublicKey(authorization.raPublicKey);
  if (!raKey) refuse("the RA key is not a P-256 public key");

  WipedBuffer sharedSecret(kSharedSecretSize);
  if (!deriveSharedSecret(state_->key.get(), raKey.get(), sharedSecret)) refuse("key agreement with the RA key failed");
  WipedBuffer key(kUnblockKeySize);
  deriveEncryptionKey(sharedSecret, salt, key);

  const EvpCipherCtxPtr cipher = startGcm(false, key, authorization.iv, detail::additionalData(context));
  WipedBuffer plaintext(authorization.ciphertext.size());
  int length = 0;
  if (EVP_DecryptUpdate(cipher.get(), plaintext.data(), &length, authorization.ciphertext.data(),
                        static_cast<int>(authorization.ciphertext.size())) != 1) {
    throwCryptoError("AES-256-GCM decryption failed");
  }
  int finalLength = 0;
  if (EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kUnblockTagSize),
                          const_cast<std::uint8_t*>(authorization.tag.data())) != 1 ||
      EVP_DecryptFinal_ex(cipher.get(), plaintext.data() + length, &finalLength) != 1) {
    refuse("the authorization does not authenticate");  // Forged, or for another card or PIN group.
  }
  const auto plaintextLength = static_cast<std::size_t>(length + finalLength);
  return card::SecretString::takeFrom(std::span<char>(reinterpret_cast<char*>(plaintext.data()), plaintextLength));
}

UnblockAuthorization sealUnblockAuthorization(std::span<const std::uint8_t> hostPublicKeyDer,
                                              const UnblockContext& context, std::string_view soPin) {
  const auto salt = detail::saltForSealing(context, soPin);
  const EvpPkeyPtr hostKey = parseP256PublicKey(hostPublicKeyDer);
  if (!hostKey) throwCryptoError("the host key is not a P-256 public key");

  const EvpPkeyPtr ephemeralKey = generateP256Key();
  WipedBuffer sharedSecret(kSharedSecretSize);
  if (!deriveSharedSecret(ephemeralKey.get(), hostKey.get(), sharedSecret)) throwCryptoError("ECDH failed");
  WipedBuffer key(kUnblockKeySize);
  deriveEncryptionKey(sharedSecret, salt, key);

  UnblockAuthorization authorization;
  authorization.version = 1;
  authorization.requestId = context.requestId;
  authorization.raPublicKey = subjectPublicKeyInfo(ephemeralKey.get());
  authorization.iv = randomBytes(detail::kUnblockIvSize);
  const EvpCipherCtxPtr cipher = startGcm(true, key, authorization.iv, detail::additionalData(context));
  authorization.ciphertext.resize(soPin.size());
  int length = 0;
  int finalLength = 0;
  if (EVP_EncryptUpdate(cipher.get(), authorization.ciphertext.data(), &length,
                        reinterpret_cast<const unsigned char*>(soPin.data()), static_cast<int>(soPin.size())) != 1 ||
      EVP_EncryptFinal_ex(cipher.get(), authorization.ciphertext.data() + length, &finalLength) != 1) {
    throwCryptoError("AES-256-GCM encryption failed");
  }
  authorization.ciphertext.resize(static_cast<std::size_t>(length + finalLength));
  authorization.tag.resize(kUnblockTagSize);
  if (EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kUnblockTagSize),
                          authorization.tag.data()) != 1) {
    throwCryptoError("cannot read the GCM tag");
  }
  return authorization;
}

}  // namespace certbridge::host::crypto
