#include "store_certificates.hpp"

#include <certdb.h>

#include <spdlog/spdlog.h>

#include "store_keys.hpp"

namespace certbridge::host::software_store {
namespace {

constexpr int kMaxNicknameSuffix = 100;

SECItem derItem(std::span<const std::uint8_t> der) {
  return viewItem(der.data(), der.size());
}

// NSS wants every certificate of one subject under one nickname (a signing and an encryption certificate
// share their subject): the nickname the database already gives this subject, if any.
std::optional<std::string> nicknameOfSubject(CERTCertificate* certificate) {
  const CertificateListPtr sameSubject(
      CERT_CreateSubjectCertList(nullptr, CERT_GetDefaultCertDB(), &certificate->derSubject, PR_Now(), PR_FALSE));
  if (!sameSubject) return std::nullopt;
  for (CERTCertListNode* node = CERT_LIST_HEAD(sameSubject.get()); !CERT_LIST_END(node, sameSubject.get());
       node = CERT_LIST_NEXT(node)) {
    if (node->cert->isperm && node->cert->nickname != nullptr) return std::string(node->cert->nickname);
  }
  return std::nullopt;
}

std::string newNickname(CERTCertificate* certificate, const crypto::ParsedCertificate& parsed) {
  const std::string base = !parsed.commonName.empty() ? parsed.commonName : parsed.subject;
  std::string candidate = base;
  for (int suffix = 2; suffix <= kMaxNicknameSuffix; ++suffix) {
    if (!SEC_CertNicknameConflict(candidate.c_str(), &certificate->derSubject, CERT_GetDefaultCertDB())) {
      return candidate;
    }
    candidate = base + " #" + std::to_string(suffix);
  }
  return base + " " + parsed.id.substr(0, 16);
}

}  // namespace

std::vector<StoreCertificate> readStoreCertificates(const NssStore& store) {
  std::vector<StoreCertificate> certificates;
  const CertificateListPtr list(PK11_ListCertsInSlot(store.slot()));
  if (!list) return certificates;  // NSS answers null for an empty database too
  for (CERTCertListNode* node = CERT_LIST_HEAD(list.get()); !CERT_LIST_END(node, list.get());
       node = CERT_LIST_NEXT(node)) {
    auto parsed = crypto::parseCertificateDer({node->cert->derCert.data, node->cert->derCert.len});
    if (!parsed) {
      spdlog::warn("software store: skipping a certificate that is not X.509 ('{}')",
                   node->cert->nickname != nullptr ? node->cert->nickname : "-");
      continue;
    }
    StoreCertificate certificate;
    certificate.parsed = std::move(*parsed);
    certificate.nss.reset(CERT_DupCertificate(node->cert));
    certificate.nickname = node->cert->nickname != nullptr ? node->cert->nickname : "";
    if (const PrivateKeyPtr key = findKeyForCertificate(node->cert)) {
      certificate.hasKey = true;
      certificate.keyId = keyId(key.get());
    }
    certificates.push_back(std::move(certificate));
  }
  return certificates;
}

NssCertificatePtr temporaryCertificate(std::span<const std::uint8_t> der) {
  SECItem item = derItem(der);
  NssCertificatePtr certificate(CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item, nullptr, PR_FALSE, PR_TRUE));
  if (!certificate) throwStoreError("reading a certificate");
  return certificate;
}

bool storeHoldsCertificate(const NssStore& store, std::span<const std::uint8_t> der) {
  SECItem item = derItem(der);
  const NssCertificatePtr found(PK11_FindCertFromDERCertItem(store.slot(), &item, nullptr));
  return static_cast<bool>(found);
}

bool storeHoldsKeyFor(CERTCertificate* certificate) {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  const SlotPtr slot(PK11_KeyForCertExists(certificate, &handle, nullptr));
  return static_cast<bool>(slot);
}

std::string storeCertificate(const NssStore& store, const crypto::ParsedCertificate& certificate) {
  const NssCertificatePtr nss = temporaryCertificate(certificate.der);
  const std::string nickname = nicknameOfSubject(nss.get()).value_or(newNickname(nss.get(), certificate));
  if (PK11_ImportCert(store.slot(), nss.get(), CK_INVALID_HANDLE, nickname.c_str(), PR_FALSE) != SECSuccess) {
    throwStoreError("storing a certificate");
  }
  return nickname;
}

void removeCertificate(const NssStore& store, std::span<const std::uint8_t> der) noexcept {
  SECItem item = derItem(der);
  const NssCertificatePtr found(PK11_FindCertFromDERCertItem(store.slot(), &item, nullptr));
  if (found && SEC_DeletePermCertificate(found.get()) != SECSuccess) {
    spdlog::warn("software store: could not remove a certificate stored before a failure: {}", lastNssErrorName());
  }
}

}  // namespace certbridge::host::software_store
