#pragma once
// The user's key store as the software-certificate commands see it, the same on every platform: certificates
// with whether the store holds their key, keys made there, PKCS#12 files in and out. The commands
// (commands/*software*, *pkcs12*, install_certificates.cpp) keep validation, progress and JSON to themselves
// and talk to the store only through this seam. Linux: the NSS database (nss_user_key_store.cpp); Windows:
// CurrentUser\MY with keys in CryptoAPI key containers (windows/).

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "certbridge/card/secret_string.hpp"
#include "certbridge/protocol.hpp"
#include "crypto/certificate.hpp"
#include "crypto/signing_key.hpp"

namespace certbridge::host::software_store {

/// Largest PKCS#12 file the host reads or writes (protocol.json limits.pkcs12MaxBytes): a key, a few
/// certificates and room to spare, and its base64 still fits the 1 MB host-to-browser message limit.
inline constexpr std::size_t kMaxPkcs12Bytes = protocol::kPkcs12MaxBytes;
static_assert((kMaxPkcs12Bytes + 2) / 3 * 4 < protocol::kHostToBrowserMaxBytes);

/// A certificate of the store.
struct StoredCertificate {
  crypto::ParsedCertificate parsed;
  std::string label;                ///< The store's name for it (NSS nickname, Windows friendly name).
  bool hasKey = false;              ///< Whether the store holds its private key.
  std::vector<std::uint8_t> keyId;  ///< SHA-1 of the key's modulus (NSS's CKA_ID); empty without a key.
};

/// A private key of the store, usable by the crypto layer (PKCS#10, CMS) while this object lives.
class StoreKey {
 public:
  virtual ~StoreKey() = default;
  virtual crypto::SigningKey* signingKey() = 0;
};

/// A key pair generateRsaKeyPair made.
struct NewKeyPair {
  std::vector<std::uint8_t> id;                ///< SHA-1 of the modulus.
  std::vector<std::uint8_t> publicKeyInfoDer;  ///< SubjectPublicKeyInfo.
  std::unique_ptr<StoreKey> key;
  std::function<void()> remove;  ///< Removes the pair from the store again (roll back); never throws.
};

/// A PKCS#12 file opened with its password: what it holds, before anything goes into a store.
class Pkcs12File {
 public:
  virtual ~Pkcs12File() = default;
  /// The certificate of the file's key.
  const crypto::ParsedCertificate& certificate() const { return certificate_; }
  /// The file's other certificates (CA certificates, usually).
  const std::vector<crypto::ParsedCertificate>& otherCertificates() const { return others_; }
  /// The same key and certificates in a new file protected by newPassword (the algorithms of exportPkcs12).
  /// OS_STORE_NOT_SUPPORTED {"reason": "platformRefusedPkcs12Export"} where the platform cannot write one.
  virtual std::vector<std::uint8_t> reencrypted(const card::SecretString& newPassword,
                                                std::string_view friendlyName) = 0;

 protected:
  crypto::ParsedCertificate certificate_;
  std::vector<crypto::ParsedCertificate> others_;
};

/// Opens a file in memory: PKCS12_FILE_INVALID when it is not PKCS#12 or holds no certificate for a key,
/// PKCS12_PASSWORD_INCORRECT when password does not open it. Never touches a store.
std::unique_ptr<Pkcs12File> openPkcs12(std::span<const std::uint8_t> file, const card::SecretString& password);

/// The user's key store, open for the length of one command.
class UserKeyStore {
 public:
  virtual ~UserKeyStore() = default;

  /// Every certificate the store holds.
  virtual std::vector<StoredCertificate> certificates() = 0;
  /// Whether the store holds the private key of the certificate's public key.
  virtual bool holdsKeyFor(const crypto::ParsedCertificate& certificate) = 0;
  /// Whether the store holds exactly this certificate.
  virtual bool holdsCertificate(const crypto::ParsedCertificate& certificate) = 0;
  /// Stores the certificate, linked to its key when the store holds it. STORE_ERROR when the store refuses.
  virtual void storeCertificate(const crypto::ParsedCertificate& certificate) = 0;
  /// Removes a certificate this command stored (roll back). Never throws (logs).
  virtual void removeCertificate(const crypto::ParsedCertificate& certificate) noexcept = 0;

  /// A new RSA key pair (e = 65537) of bits, named label until its certificate arrives. STORE_ERROR.
  virtual NewKeyPair generateRsaKeyPair(int bits, const std::string& label) = 0;
  /// The certificate's private key; KEY_NOT_FOUND when the store does not hold it.
  virtual std::unique_ptr<StoreKey> keyFor(const StoredCertificate& certificate) = 0;

  /// A PKCS#12 file of the certificate, its key and chain, protected by password. KEY_NOT_FOUND without
  /// the key; OS_STORE_NOT_SUPPORTED {"reason"} where the platform refuses to export it.
  virtual std::vector<std::uint8_t> exportPkcs12(const StoredCertificate& certificate,
                                                 std::span<const crypto::ParsedCertificate* const> chain,
                                                 const card::SecretString& password) = 0;
  /// Puts the file's private key into the store (not its certificates: storeCertificate does that), not
  /// exportable in clear. Returns how to remove it again (roll back; never throws). STORE_ERROR,
  /// PKCS12_FILE_INVALID when the file has no key for its certificate.
  virtual std::function<void()> importKey(Pkcs12File& file, const std::string& label) = 0;
};

/// Opens the user's store; storePassword unlocks it where the store has one (NSS), else is ignored.
std::unique_ptr<UserKeyStore> openUserKeyStore(const card::SecretString* storePassword);

/// The certificate object of extension/shared/commands.md for the software store: the card's fields
/// without pinGroup, label, and "store": "software".
nlohmann::json storeCertificateJson(const StoredCertificate& certificate, std::time_t now);

/// The certificate a renewal signature is made with: the one with id (KEY_NOT_FOUND when it is not in the
/// store or its key is not), else the valid non-CA certificate with its key in the store and the latest
/// expiry, preferring ones allowed to sign (KEY_NOT_FOUND when there is none). Same rule as the card's.
const StoredCertificate& chooseSigningCertificate(const std::vector<StoredCertificate>& certificates,
                                                  const std::optional<std::string>& id, std::time_t now);

/// The CA certificates in the store that issued certificate (to go beside a signature or in a file).
std::vector<const crypto::ParsedCertificate*> issuersInStore(const std::vector<StoredCertificate>& certificates,
                                                             const crypto::ParsedCertificate& certificate);

}  // namespace certbridge::host::software_store
