// The known-answer self-test of the unblock authorization's BCrypt steps. A platform whose ECDH, HKDF or
// AES-GCM is broken (wine 8: ECDH returns a dummy secret, HKDF fails) would otherwise decrypt a wrong SO PIN
// and send it to the card, where wrong SO PIN attempts lock the card for good. The vectors are in
// unblock_known_answer.hpp.
#include <algorithm>
#include <mutex>
#include <optional>
#include <string>

#include "../crypto_error.hpp"
#include "../encoding.hpp"
#include "../unblock_known_answer.hpp"
#include "../unblock_steps.hpp"
#include "unblock_primitives.hpp"

namespace certbridge::host::crypto::windows {
namespace {

using namespace detail::unblock_known_answer;

template <typename Expected>
bool equals(std::span<const std::uint8_t> actual, const Expected& expected) {
  return std::equal(actual.begin(), actual.end(), std::begin(expected), std::end(expected));
}

// Each step with the known inputs; "" when all give the known answers, else which step did not. Every
// exception counts as a failure of its step: the platform is unusable for unblocking either way.
std::string firstFailingStep() {
  KeyHandle hostKey;
  try {
    hostKey = importP256PrivateKey(kHostPrivate, kHostX, kHostY);
    if (!equals(p256PublicKeyInfo(hostKey.get()), kHostPublicKeyInfo)) return "P-256 public key export";
  } catch (const std::exception&) {
    return "P-256 key import or export";
  }
  const KeyHandle raKey = importP256PublicKeyInfo(kRaPublicKeyInfo);
  if (!raKey) return "P-256 public key import";

  WipedBuffer secret(detail::kSharedSecretSize);
  // Not every BCrypt gives the raw secret; where it does, a wrong one is reported as ECDH's fault.
  try {
    if (rawSharedSecret(hostKey.get(), raKey.get(), secret) && !equals(secret.bytes(), kSharedSecret)) {
      return "ECDH (BCryptSecretAgreement gave a wrong shared secret)";
    }
  } catch (const std::exception&) {
  }

  // The request binding exactly as an unblock makes it.
  const UnblockContext context{std::string(kRequestId), std::string(kTokenSerial), kPinGroup};
  const auto salt = hexDecode(kRequestId);
  const std::string additionalData = detail::additionalData(context);
  WipedBuffer key(detail::kUnblockKeySize);
  try {
    if (!salt || !deriveAgreedKey(hostKey.get(), raKey.get(), *salt, detail::kUnblockLabel, key)) {
      return "ECDH (refused)";
    }
  } catch (const std::exception& error) {
    return std::string("HKDF (BCryptDeriveKey with BCRYPT_KDF_HKDF failed: ") + error.what() + ")";
  }
  if (!equals(key.bytes(), kDerivedKey)) return "ECDH with HKDF-SHA256 (wrong key)";

  try {
    WipedBuffer plaintext(std::size(kCiphertext));
    if (!gcmDecrypt(key, kIv, additionalData, kCiphertext, kTag, plaintext) ||
        !equals(plaintext.bytes(), std::string_view(kSoPin))) {
      return "AES-256-GCM decryption";
    }
    std::uint8_t forgedTag[std::size(kTag)];
    std::copy(std::begin(kTag), std::end(kTag), forgedTag);
    forgedTag[0] ^= 1;
    if (gcmDecrypt(key, kIv, additionalData, kCiphertext, forgedTag, plaintext)) {
      return "AES-256-GCM tag check (a forged tag was accepted)";
    }
  } catch (const std::exception&) {
    return "AES-256-GCM";
  }
  return {};
}

}  // namespace

void requireUnblockSelfTest() {
  static const std::string failure = firstFailingStep();
  if (!failure.empty()) {
    throw UnblockSelfTestFailed("this system's cryptography failed the unblock self-test: " + failure +
                                "; no unblock authorization can be opened here");
  }
}

}  // namespace certbridge::host::crypto::windows
