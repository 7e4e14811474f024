#pragma once
// Certificates in the user's NSS database: parsed, with whether the database holds their key, and storing
// one next to its key (behind user_key_store.hpp, nss_user_key_store.cpp).

#include <span>
#include <string>
#include <vector>

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

}  // namespace certbridge::host::software_store
