// writeCertificates: issued certificates stored beside their keys, found on the card by public key, and
// (on renewal) old certificates removed only once the new ones are safely on the card.

#include <algorithm>
#include <ctime>

#include <spdlog/spdlog.h>

#include "card_certificates.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/card/token_objects.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

constexpr std::size_t kMaxCertificates = 4;
// PEM of a 16 KiB DER certificate; real ones are 1-2 KiB.
constexpr StringRule kCertificateTextRule{1, 24 * 1024, Charset::Lines};

struct WriteParams {
  std::vector<crypto::ParsedCertificate> certificates;
  std::vector<crypto::ParsedCertificate> caCertificates;
  std::vector<std::string> removeIds;
  std::optional<std::string> reader;
  SharedPins pins;
};

std::vector<crypto::ParsedCertificate> certificatesParam(const ParamValidator& validator, std::string_view key,
                                                         std::size_t minItems) {
  std::vector<crypto::ParsedCertificate> certificates;
  const auto texts = validator.stringArray(key, minItems, kMaxCertificates, kCertificateTextRule);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto parsed = crypto::parseCertificateText(texts[i]);
    if (!parsed) throw badRequest(validator.element(key, i), "must be one X.509 certificate (PEM or base64 DER)");
    certificates.push_back(std::move(*parsed));
  }
  return certificates;
}

// "王小明 signing 2027-11-21": who, what for, until when; a card tool shows this.
std::string certificateLabel(const crypto::ParsedCertificate& certificate) {
  const std::string who = certificate.commonName.empty() ? certificate.subject : certificate.commonName;
  std::string usage = certificate.usableForSigning && certificate.usableForEncryption ? "signing+encryption"
                      : certificate.usableForSigning                                  ? "signing"
                                                                                      : "encryption";
  return who + " " + usage + " " + crypto::isoTime(certificate.notAfter).substr(0, 10);
}

const CardCertificate* findOnCard(const std::vector<CardCertificate>& onCard, const std::string& id) {
  const auto it =
      std::find_if(onCard.begin(), onCard.end(), [&](const CardCertificate& c) { return c.parsed.id == id; });
  return it == onCard.end() ? nullptr : &*it;
}

// A certificate to write, with the key it belongs to and the PIN group whose token holds that key.
struct Placement {
  const crypto::ParsedCertificate* certificate;
  std::size_t pinGroup;
  card::KeyInfo key;
};

nlohmann::json write(CommandContext& context, const WriteParams& params) {
  CardOperation operation(context, params.reader);
  // Every token whose PIN was given is searched; groups without a PIN are not logged in, and their keys are
  // not found (CERTIFICATE_KEY_MISMATCH says which groups were searched).
  std::vector<std::size_t> groups;
  for (const std::size_t group : operation.tokenPinGroups()) {
    if (params.pins->find(group) != nullptr || operation.token(group).protectedAuthPath) groups.push_back(group);
  }
  if (groups.empty()) throw badRequest("params.pins", "the PIN of the card is needed");
  for (const std::size_t group : groups) operation.session(group, card::SessionMode::ReadWrite);
  for (const std::size_t group : groups) operation.login(group, *params.pins);

  // 1. Check everything before writing anything: each certificate's key, each certificate to remove.
  std::vector<Placement> placements;
  for (std::size_t i = 0; i < params.certificates.size(); ++i) {
    const auto& certificate = params.certificates[i];
    std::optional<Placement> placement;
    for (const std::size_t group : groups) {
      auto key = card::findKeyForCertificate(operation.session(group, card::SessionMode::ReadWrite), certificate.der);
      if (key) {
        placement = Placement{&certificate, group, std::move(*key)};
        break;
      }
    }
    if (!placement) {
      throw ProtocolError(ErrorCode::CertificateKeyMismatch,
                          {{"index", i}, {"subject", certificate.subject}, {"searchedPinGroups", groups}});
    }
    placements.push_back(std::move(*placement));
  }
  const auto before = readCardCertificates(operation, card::SessionMode::ReadWrite);
  std::vector<const CardCertificate*> toRemove;
  for (std::size_t i = 0; i < params.removeIds.size(); ++i) {
    const CardCertificate* old = findOnCard(before, params.removeIds[i]);
    const std::string field = "params.removeCertificates[" + std::to_string(i) + "]";
    if (old == nullptr) throw badRequest(field, "not on the card");
    for (const auto& certificate : params.certificates) {
      if (certificate.id == old->parsed.id) throw badRequest(field, "is one of the certificates being written");
    }
    toRemove.push_back(old);
  }
  if (!toRemove.empty()) {
    const std::time_t now = std::time(nullptr);
    for (const auto& certificate : params.certificates) {
      if (!crypto::isValidAt(certificate, now)) {
        throw badRequest(
            "params.removeCertificates",
            "old certificates are removed only for new ones that are valid now (" + certificate.subject + ")");
      }
    }
  }
  operation.checkpoint();

  // 2. Write. Each store is one PKCS#11 object creation, idempotent by DER.
  operation.progress("writing");
  nlohmann::json written = nlohmann::json::array();
  for (const auto& placement : placements) {
    // A card pulled between two stores stops the write here (software tokens and caching middleware would
    // take the rest without the card): what is on the card then is what the next listing shows, and the
    // next write, idempotent, adds the rest.
    operation.checkpoint();
    const bool already = findOnCard(before, placement.certificate->id) != nullptr;
    const auto stored = card::storeCertificate(operation.session(placement.pinGroup, card::SessionMode::ReadWrite),
                                               placement.certificate->der, certificateLabel(*placement.certificate));
    written.push_back({{"id", placement.certificate->id},
                       {"subject", placement.certificate->subject},
                       {"keyId", crypto::hexEncode(stored.id)},
                       {"label", stored.label},
                       {"pinGroup", placement.pinGroup},
                       {"alreadyOnCard", already}});
  }
  nlohmann::json writtenCa = nlohmann::json::array();
  for (const auto& certificate : params.caCertificates) {
    const bool already = findOnCard(before, certificate.id) != nullptr;
    card::storeCaCertificate(operation.session(groups.front(), card::SessionMode::ReadWrite), certificate.der,
                             certificate.commonName.empty() ? certificate.subject : certificate.commonName);
    writtenCa.push_back({{"id", certificate.id}, {"subject", certificate.subject}, {"alreadyOnCard", already}});
  }

  // 3. Verify by reading back: each new certificate is on the card beside the key it was matched to.
  const auto after = readCardCertificates(operation, card::SessionMode::ReadWrite);
  for (const auto& placement : placements) {
    const CardCertificate* stored = findOnCard(after, placement.certificate->id);
    if (stored == nullptr || !stored->object.keyOnToken || stored->object.keyId != placement.key.id) {
      throw ProtocolError(ErrorCode::Pkcs11Error, {{"reason", "a written certificate did not read back beside its key"},
                                                   {"subject", placement.certificate->subject}});
    }
  }

  // 4. Only now remove what the caller asked to remove. A key a new certificate uses stays.
  nlohmann::json removed = nlohmann::json::array();
  if (!toRemove.empty()) {
    operation.checkpoint();
    operation.progress("removing");
  }
  for (const CardCertificate* old : toRemove) {
    card::TokenSession& session = operation.session(old->pinGroup, card::SessionMode::ReadWrite);
    const bool keyStillUsed = std::any_of(placements.begin(), placements.end(),
                                          [&](const Placement& p) { return p.key.id == old->object.keyId; });
    if (old->object.keyOnToken && !keyStillUsed && !old->object.keyId.empty()) {
      card::deleteObjectsById(session, old->object.keyId);
    }
    card::deleteCertificate(session, old->object.der);
    spdlog::info("writeCertificates: removed old certificate {} on request", old->parsed.id);
    removed.push_back({{"id", old->parsed.id}, {"subject", old->parsed.subject}});
  }
  return {
      {"certificates", std::move(written)}, {"caCertificates", std::move(writtenCa)}, {"removed", std::move(removed)}};
}

}  // namespace

CommandRun prepareWriteCertificates(nlohmann::json& params) {
  auto parsed = std::make_shared<WriteParams>();
  parsed->pins = takePins(params);
  const ParamValidator validator(params, {"certificates", "caCertificates", "removeCertificates", "reader"});
  parsed->certificates = certificatesParam(validator, "certificates", 1);
  parsed->caCertificates = certificatesParam(validator, "caCertificates", 0);
  parsed->removeIds = validator.stringArray("removeCertificates", 0, kMaxCertificates, kCertificateIdRule);
  for (auto& id : parsed->removeIds) id = lowerAscii(std::move(id));
  parsed->reader = readerParam(validator);
  return [parsed](CommandContext& context) { return write(context, *parsed); };
}

}  // namespace certbridge::host::commands
