#include "card_certificates.hpp"

#include <spdlog/spdlog.h>

#include "certbridge/host/protocol_error.hpp"
#include "certificate_json.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
void appendCardCertificates(std::vector<CardCertificate>& certificates, std::vector<card::CertificateInfo> objects,
                            std::size_t pinGroup, const std::optional<std::string>& onlyId) {
  for (auto& object : objects) {
    // A hash is far cheaper than decoding a certificate (OpenSSL sets up its public-key decoders for that).
    if (onlyId && crypto::hexEncode(crypto::sha256(object.der)) != *onlyId) continue;
    auto parsed = crypto::parseCertificateDer(object.der);
    if (!parsed) {
      spdlog::warn("listCertificates: skipping a certificate object (label '{}') that is not X.509", object.label);
      continue;
    }
    certificates.push_back({std::move(*parsed), std::move(object), pinGroup});
  }
}

std::vector<CardCertificate> readCardCertificates(CardOperation& operation, card::SessionMode mode,
                                                  const std::optional<std::string>& onlyId) {
  std::vector<CardCertificate> certificates;
  for (const std::size_t group : operation.tokenPinGroups()) {
    appendCardCertificates(certificates, card::listCertificates(operation.session(group, mode)), group, onlyId);
  }
  return certificates;
}

nlohmann::json certificateJson(const CardCertificate& certificate, std::time_t now) {
  nlohmann::json json = certificateFieldsJson(certificate.parsed, now);
  const bool hasKey = certificate.object.keyOnToken;
  json["hasKey"] = hasKey;
  json["keyId"] = hasKey ? nlohmann::json(crypto::hexEncode(certificate.object.keyId)) : nlohmann::json(nullptr);
  json["label"] = certificate.object.label;
  json["pinGroup"] = certificate.pinGroup;
  return json;
}

const CardCertificate& chooseSigningCertificate(const std::vector<CardCertificate>& certificates,
                                                const std::optional<std::string>& id, std::time_t now) {
  if (id) {
    for (const auto& certificate : certificates) {
      if (certificate.parsed.id != *id) continue;
      if (!certificate.object.keyOnToken) {
        throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", *id}, {"reason", "the key is not on the card"}});
      }
      return certificate;
    }
    throw ProtocolError(ErrorCode::KeyNotFound,
                        {{"certificate", *id}, {"reason", "the certificate is not on the card"}});
  }
  const CardCertificate* best = nullptr;
  const auto better = [](const CardCertificate& a, const CardCertificate& b) {
    if (a.parsed.usableForSigning != b.parsed.usableForSigning) return a.parsed.usableForSigning;
    return a.parsed.notAfter > b.parsed.notAfter;
  };
  for (const auto& certificate : certificates) {
    if (!certificate.object.keyOnToken || certificate.parsed.isCa || !crypto::isValidAt(certificate.parsed, now)) {
      continue;
    }
    if (best == nullptr || better(certificate, *best)) best = &certificate;
  }
  if (best == nullptr) {
    throw ProtocolError(ErrorCode::KeyNotFound, {{"reason", "no valid certificate with its key on the card"}});
  }
  return *best;
}

card::PrivateKey signingKey(CardOperation& operation, const CardCertificate& certificate, const PinList& pins) {
  operation.login(certificate.pinGroup, pins);
  card::TokenSession& session = operation.session(certificate.pinGroup, card::SessionMode::ReadOnly);
  card::PrivateKey key;
  try {
    key = card::privateKeyForCertificate(session, certificate.object.der, certificate.object.keyId);
  } catch (const card::CardError& e) {
    if (e.kind() != card::ErrorKind::KeyNotFound) throw;
    throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", certificate.parsed.id}});
  }
  operation.checkpoint();
  return key;
}

Signer openSigner(CardOperation& operation, const std::optional<std::string>& certificateId, const PinList& pins,
                  SignerCertificates keep) {
  Signer signer;
  signer.certificates = readCardCertificates(operation, card::SessionMode::ReadOnly,
                                             keep == SignerCertificates::ChosenOnly ? certificateId : std::nullopt);
  signer.now = std::time(nullptr);
  signer.chosen = &chooseSigningCertificate(signer.certificates, certificateId, signer.now);
  signer.key = signingKey(operation, *signer.chosen, pins);
  operation.progress("signing");
  return signer;
}

std::vector<const crypto::ParsedCertificate*> issuersOnCard(const std::vector<CardCertificate>& certificates,
                                                            const CardCertificate& certificate) {
  std::vector<const crypto::ParsedCertificate*> issuers;
  for (const auto& candidate : certificates) {
    if (&candidate != &certificate && candidate.parsed.isCa &&
        crypto::isIssuedBy(certificate.parsed, candidate.parsed)) {
      issuers.push_back(&candidate.parsed);
    }
  }
  return issuers;
}

}  // namespace certbridge::host::commands
