#pragma once
// Windows only: the BCrypt steps of the unblock authorization (ECDH P-256, HKDF-SHA256, AES-256-GCM), shared
// by unblock_authorization_windows.cpp and the known-answer self-test that must pass before they are used.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "bcrypt_support.hpp"

namespace certbridge::host::crypto::windows {

/// Key material in a heap buffer that is wiped (SecureZeroMemory) when it goes out of scope, exceptions
/// included. Never resized, so never copied.
class WipedBuffer {
 public:
  explicit WipedBuffer(std::size_t size) : bytes_(std::make_unique<std::uint8_t[]>(size)), size_(size) {}
  ~WipedBuffer() { SecureZeroMemory(bytes_.get(), size_); }
  WipedBuffer(const WipedBuffer&) = delete;
  WipedBuffer& operator=(const WipedBuffer&) = delete;

  std::uint8_t* data() noexcept { return bytes_.get(); }
  const std::uint8_t* data() const noexcept { return bytes_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::span<const std::uint8_t> bytes() const noexcept { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<std::uint8_t[]> bytes_;
  std::size_t size_;
};

/// A fresh ECDH P-256 key pair. Throws CryptoError.
KeyHandle generateP256Key();

/// An ECDH P-256 key pair from its private scalar and public point (32 bytes each, big-endian). Throws
/// CryptoError.
KeyHandle importP256PrivateKey(std::span<const std::uint8_t, 32> privateScalar, std::span<const std::uint8_t, 32> x,
                               std::span<const std::uint8_t, 32> y);

/// SubjectPublicKeyInfo DER (id-ecPublicKey, prime256v1, uncompressed point) of key. Throws CryptoError.
std::vector<std::uint8_t> p256PublicKeyInfo(BCRYPT_KEY_HANDLE key);

/// The P-256 public key in der for ECDH, or null when der is anything else: not exactly one
/// SubjectPublicKeyInfo, another algorithm or curve, a compressed point, or a point BCrypt refuses (it
/// validates imported public points, which stops invalid-curve attacks).
KeyHandle importP256PublicKeyInfo(std::span<const std::uint8_t> der) noexcept;

/// ECDH of ownKey with peerKey, then HKDF-SHA256(salt, info) into key (BCryptDeriveKey with BCRYPT_KDF_HKDF).
/// False when the agreement is refused; CryptoError when HKDF fails.
bool deriveAgreedKey(BCRYPT_KEY_HANDLE ownKey, BCRYPT_KEY_HANDLE peerKey, std::span<const std::uint8_t> salt,
                     std::string_view info, WipedBuffer& key);

/// The raw ECDH shared secret (the x coordinate, big-endian) of ownKey and peerKey, for the self-test only:
/// it tells a wrong agreement from a failing HKDF. False when BCrypt refuses.
bool rawSharedSecret(BCRYPT_KEY_HANDLE ownKey, BCRYPT_KEY_HANDLE peerKey, WipedBuffer& secret);

/// AES-256-GCM. gcmDecrypt returns false when the tag does not authenticate (plaintext is then wiped).
/// Both throw CryptoError when BCrypt fails otherwise.
void gcmEncrypt(const WipedBuffer& key, std::span<const std::uint8_t> iv, std::string_view additionalData,
                std::span<const std::uint8_t> plaintext, std::vector<std::uint8_t>& ciphertext,
                std::vector<std::uint8_t>& tag);
bool gcmDecrypt(const WipedBuffer& key, std::span<const std::uint8_t> iv, std::string_view additionalData,
                std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t> tag, WipedBuffer& plaintext);

/// Runs the known-answer self-test of the steps above once per process (later calls repeat its verdict).
/// Throws UnblockSelfTestFailed, naming the step that gave a wrong answer, when the platform fails it.
void requireUnblockSelfTest();

}  // namespace certbridge::host::crypto::windows
