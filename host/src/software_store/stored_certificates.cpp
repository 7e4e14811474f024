// What the software-certificate commands decide about the store's certificates on every platform: their
// JSON shape, which one signs a renewal, and which of them issued a certificate.
#include "certbridge/host/protocol_error.hpp"
#include "certificate_json.hpp"
#include "crypto/encoding.hpp"
#include "user_key_store.hpp"

namespace certbridge::host::software_store {

nlohmann::json storeCertificateJson(const StoredCertificate& certificate, std::time_t now) {
  nlohmann::json json = certificateFieldsJson(certificate.parsed, now);
  json["hasKey"] = certificate.hasKey;
  json["keyId"] = certificate.hasKey ? nlohmann::json(crypto::hexEncode(certificate.keyId)) : nlohmann::json(nullptr);
  json["label"] = certificate.label;
  json["store"] = "software";
  return json;
}

const StoredCertificate& chooseSigningCertificate(const std::vector<StoredCertificate>& certificates,
                                                  const std::optional<std::string>& id, std::time_t now) {
  if (id) {
    for (const auto& certificate : certificates) {
      if (certificate.parsed.id != *id) continue;
      if (!certificate.hasKey) {
        throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", *id}, {"reason", "the key is not in the store"}});
      }
      return certificate;
    }
    throw ProtocolError(ErrorCode::KeyNotFound,
                        {{"certificate", *id}, {"reason", "the certificate is not in the store"}});
  }
  const StoredCertificate* best = nullptr;
  const auto better = [](const StoredCertificate& a, const StoredCertificate& b) {
    if (a.parsed.usableForSigning != b.parsed.usableForSigning) return a.parsed.usableForSigning;
    return a.parsed.notAfter > b.parsed.notAfter;
  };
  for (const auto& certificate : certificates) {
    if (!certificate.hasKey || certificate.parsed.isCa || !crypto::isValidAt(certificate.parsed, now)) continue;
    if (best == nullptr || better(certificate, *best)) best = &certificate;
  }
  if (best == nullptr) {
    throw ProtocolError(ErrorCode::KeyNotFound, {{"reason", "no valid certificate with its key in the store"}});
  }
  return *best;
}

std::vector<const crypto::ParsedCertificate*> issuersInStore(const std::vector<StoredCertificate>& certificates,
                                                             const crypto::ParsedCertificate& certificate) {
  std::vector<const crypto::ParsedCertificate*> issuers;
  for (const auto& candidate : certificates) {
    if (candidate.parsed.id != certificate.id && candidate.parsed.isCa &&
        crypto::isIssuedBy(certificate, candidate.parsed)) {
      issuers.push_back(&candidate.parsed);
    }
  }
  return issuers;
}

}  // namespace certbridge::host::software_store
