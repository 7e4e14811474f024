#include "certificate_json.hpp"

#include "crypto/encoding.hpp"

namespace certbridge::host {
namespace {

constexpr std::time_t kSecondsPerDay = 24 * 60 * 60;

nlohmann::json usageJson(const crypto::ParsedCertificate& certificate) {
  nlohmann::json usage = nlohmann::json::array();
  if (certificate.usableForSigning) usage.push_back("signing");
  if (certificate.usableForEncryption) usage.push_back("encryption");
  return usage;
}

std::time_t daysToExpiry(const crypto::ParsedCertificate& certificate, std::time_t now) {
  const std::time_t left = certificate.notAfter - now;
  return left >= 0 ? left / kSecondsPerDay : -((-left + kSecondsPerDay - 1) / kSecondsPerDay);
}

}  // namespace

nlohmann::json certificateFieldsJson(const crypto::ParsedCertificate& certificate, std::time_t now) {
  return {
      {"id", certificate.id},
      {"subject", certificate.subject},
      {"issuer", certificate.issuer},
      {"serialNumber", certificate.serialNumberHex},
      {"notBefore", crypto::isoTime(certificate.notBefore)},
      {"notAfter", crypto::isoTime(certificate.notAfter)},
      {"daysToExpiry", daysToExpiry(certificate, now)},
      {"valid", crypto::isValidAt(certificate, now)},
      {"usage", usageJson(certificate)},
      {"isCa", certificate.isCa},
      {"certificate", crypto::certificatePem(certificate)},
  };
}

}  // namespace certbridge::host
