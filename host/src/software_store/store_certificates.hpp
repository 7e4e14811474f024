#pragma once
// Certificates in the user's NSS database as the software-store commands see them: parsed, with whether the
// database holds their key; their JSON shape; storing one next to its key; and which one signs a renewal.

#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/certificate.hpp"
#include "nss_store.hpp"
#include "nss_types.hpp"

namespace certbridge::host::software_store {

struct StoreCertificate {
  crypto::ParsedCertificate parsed;
  NssCertificatePtr nss;
  std::string nickname;
  bool hasKey = false;
  std::vector<std::uint8_t> keyId;  ///< CKA_ID of the key; empty without one.
};

/// Every certificate the database holds. Ones NSS cannot hand over as X.509 are skipped (and logged).
std::vector<StoreCertificate> readStoreCertificates(const NssStore& store);

/// The certificate object of extension/shared/commands.md for the software store: the card's fields
/// without pinGroup, label = the NSS nickname, and "store": "software".
nlohmann::json storeCertificateJson(const StoreCertificate& certificate, std::time_t now);

/// An NSS temporary certificate for der (not stored; NSS returns the stored one if it holds it).
/// STORE_ERROR when NSS cannot read it.
NssCertificatePtr temporaryCertificate(std::span<const std::uint8_t> der);

/// Whether the database holds exactly this certificate.
bool storeHoldsCertificate(const NssStore& store, std::span<const std::uint8_t> der);

/// Whether the database holds the private key of the certificate's public key.
bool storeHoldsKeyFor(CERTCertificate* certificate);

/// Stores the certificate in the database, next to its key when the database holds it (NSS links them by
/// public key), under a nickname NSS accepts: the one the database already uses for this subject, else
/// the subject's common name (made unique). Returns the nickname. STORE_ERROR when NSS refuses.
std::string storeCertificate(const NssStore& store, const crypto::ParsedCertificate& certificate);

/// Removes a certificate this command stored (roll back). Never throws (logs).
void removeCertificate(const NssStore& store, std::span<const std::uint8_t> der) noexcept;

/// The certificate a renewal signature is made with: the one with id (KEY_NOT_FOUND when it is not in the
/// store or its key is not), else the valid non-CA certificate with its key in the store and the latest
/// expiry, preferring ones allowed to sign (KEY_NOT_FOUND when there is none). Same rule as the card's.
const StoreCertificate& chooseSigningCertificate(const std::vector<StoreCertificate>& certificates,
                                                 const std::optional<std::string>& id, std::time_t now);

/// The CA certificates in the database that issued certificate (to go beside a signature or in a file).
std::vector<const crypto::ParsedCertificate*> issuersInStore(const std::vector<StoreCertificate>& certificates,
                                                             const crypto::ParsedCertificate& certificate);

}  // namespace certbridge::host::software_store
