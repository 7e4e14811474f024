#pragma once
// Certificates on the card as commands see them: the card object, the parsed certificate and the PIN group
// whose token holds it; their JSON shape; and which one signs when the caller does not say.

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "card_operation.hpp"
#include "certbridge/card/token_objects.hpp"
#include "crypto/certificate.hpp"

namespace certbridge::host::commands {

struct CardCertificate {
  crypto::ParsedCertificate parsed;
  card::CertificateInfo object;
  std::size_t pinGroup = 0;
};

/// The certificates on every token of the card, opening each token's session in mode (no login needed).
/// Objects that are not parseable X.509 certificates are skipped (and logged). With onlyId, only the
/// certificate whose DER has that SHA-256 (hex) is decoded and returned: the others are hashed, not parsed.
std::vector<CardCertificate> readCardCertificates(CardOperation& operation, card::SessionMode mode,
                                                  const std::optional<std::string>& onlyId = std::nullopt);

/// Decodes the certificate objects of one token (PIN group) onto certificates, as readCardCertificates does.
void appendCardCertificates(std::vector<CardCertificate>& certificates, std::vector<card::CertificateInfo> objects,
                            std::size_t pinGroup, const std::optional<std::string>& onlyId = std::nullopt);

/// The certificate object of extension/shared/commands.md.
nlohmann::json certificateJson(const CardCertificate& certificate, std::time_t now);

/// The certificate a signature is made with: the one with id (KEY_NOT_FOUND when it is not on the card or
/// its key is not), else the valid non-CA certificate with its key on the card and the latest expiry,
/// preferring ones allowed to sign (KEY_NOT_FOUND when there is none).
const CardCertificate& chooseSigningCertificate(const std::vector<CardCertificate>& certificates,
                                                const std::optional<std::string>& id, std::time_t now);

/// Logs in to the token holding certificate (its PIN group's PIN from pins) and returns the certificate's
/// private key, usable while the operation's session is open. KEY_NOT_FOUND if the key went meanwhile.
card::PrivateKey signingKey(CardOperation& operation, const CardCertificate& certificate, const PinList& pins);

/// The card's certificates, the one chosen to sign (chooseSigningCertificate) and its key, logged in: what
/// signRenewal and authenticate start with. Sends the "signing" progress once the key is ready.
struct Signer {
  std::vector<CardCertificate> certificates;
  const CardCertificate* chosen = nullptr;
  card::PrivateKey key;
  std::time_t now = 0;
};
/// Which certificates a Signer keeps: every one on the card (signRenewal includes the issuers it finds
/// there), or, when the caller named one by id, that one alone, found by its DER hash before anything is
/// decoded (authenticate).
enum class SignerCertificates { All, ChosenOnly };
Signer openSigner(CardOperation& operation, const std::optional<std::string>& certificateId, const PinList& pins,
                  SignerCertificates keep = SignerCertificates::All);

/// The CA certificates on the card that issued certificate (to include beside a signature).
std::vector<const crypto::ParsedCertificate*> issuersOnCard(const std::vector<CardCertificate>& certificates,
                                                            const CardCertificate& certificate);

/// The "certificate" parameter rule: an id, 64 hex digits.
inline constexpr std::size_t kCertificateIdLength = 64;

}  // namespace certbridge::host::commands
