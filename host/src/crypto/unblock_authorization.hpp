#pragma once
// The RA's encrypted SO PIN for a PIN reset (commands.md, "unblockRequest" and "unblockPin"): ECDH on P-256
// between a one-time host key and the RA's ephemeral key, HKDF-SHA256, AES-256-GCM with the request, the
// card and the PIN group as additional data, so an authorization opens only for the request it was made for.

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "certbridge/card/secret_string.hpp"

namespace certbridge::host::crypto {

/// The `authorization` parameter of unblockPin, with the base64 fields decoded.
struct UnblockAuthorization {
  int version = 1;
  std::string requestId;                  ///< 32 hex digits, as unblockRequest gave it.
  std::vector<std::uint8_t> raPublicKey;  ///< SubjectPublicKeyInfo DER of the RA's ephemeral P-256 key.
  std::vector<std::uint8_t> iv;           ///< 12 bytes.
  std::vector<std::uint8_t> ciphertext;   ///< The encrypted SO PIN.
  std::vector<std::uint8_t> tag;          ///< 16-byte GCM tag.
};

/// What the ciphertext is bound to (the additional authenticated data and the HKDF salt).
struct UnblockContext {
  std::string requestId;    ///< 32 hex digits.
  std::string tokenSerial;  ///< The token's serialNumber as unblockRequest reported it.
  int pinGroup = 0;
};

/// Why an authorization was refused, for the reasons this layer can tell (the caller decides "expired",
/// "noRequest" and replays itself; every cryptographic failure is a forgery as far as the RA is concerned).
enum class UnblockFailure { Forged };

/// The authorization cannot be opened: malformed, forged, or made for another request, card or PIN group.
/// The message is a short English reason without any secret.
class AuthorizationInvalid : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

/// This platform's ECDH, HKDF or AES-256-GCM gave a wrong answer in the known-answer self-test that runs
/// before the first unblock key is made or used (wine's BCrypt does: its ECDH returns a dummy secret and its
/// HKDF fails), so no authorization can be opened here: an unblock would otherwise send a wrong SO PIN to the
/// card. Only Windows throws it; the message says which step failed, without any secret.
class UnblockSelfTestFailed : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

/// Runs the platform's unblock self-test once per process (later calls repeat its verdict), so a command can
/// refuse before it touches the card. Throws UnblockSelfTestFailed where the platform failed it; with OpenSSL
/// there is nothing to test and it returns.
void requireUnblockCrypto();

/// The one-time P-256 key made for one unblockRequest. Move-only; the private key never leaves it.
class UnblockKey {
 public:
  /// A fresh P-256 key pair. Throws CryptoError, UnblockSelfTestFailed (Windows).
  static UnblockKey generate();

  /// SubjectPublicKeyInfo DER of the public key (unblockRequest's hostPublicKey, base64 encoded).
  std::vector<std::uint8_t> publicKeyDer() const;

  /// Decrypts the SO PIN: ECDH with authorization.raPublicKey (a valid P-256 point, nothing else), HKDF-SHA256
  /// (salt = the 16 bytes of requestId, info = "CertBridge unblock v1", 32 bytes) and AES-256-GCM with
  /// additional data "CertBridge unblock v1|<requestId>|<tokenSerial>|<pinGroup>". Every intermediate secret
  /// is wiped. Throws AuthorizationInvalid for any failure: version not 1, requestId not the context's, a bad
  /// key or point, iv or tag of the wrong size, a tag mismatch (forged, or another card or PIN group), or an
  /// empty plaintext. CryptoError only when OpenSSL itself fails (HKDF missing, out of memory), never for
  /// anything in the authorization. UnblockSelfTestFailed on a platform that failed the self-test. Logs nothing.
  card::SecretString open(const UnblockAuthorization& authorization, const UnblockContext& context) const;

  UnblockKey(UnblockKey&&) noexcept = default;
  UnblockKey& operator=(UnblockKey&&) noexcept = default;
  UnblockKey(const UnblockKey&) = delete;
  UnblockKey& operator=(const UnblockKey&) = delete;

  /// The private key in the crypto library's form (unblock_authorization_openssl.cpp,
  /// windows/unblock_authorization_windows.cpp).
  struct State;
  struct StateDeleter {
    void operator()(State* state) const noexcept;
  };

 private:
  explicit UnblockKey(std::unique_ptr<State, StateDeleter> state) noexcept : state_(std::move(state)) {}
  std::unique_ptr<State, StateDeleter> state_;
};

/// The RA server's side, as a reference and for tests: encrypts soPin to hostPublicKeyDer (a P-256
/// SubjectPublicKeyInfo) for context, with a fresh ephemeral key and a random iv. Throws CryptoError for a
/// bad host key, std::invalid_argument when context.requestId is not 32 hex digits, UnblockSelfTestFailed
/// (Windows) as UnblockKey does.
UnblockAuthorization sealUnblockAuthorization(std::span<const std::uint8_t> hostPublicKeyDer,
                                              const UnblockContext& context, std::string_view soPin);

}  // namespace certbridge::host::crypto
