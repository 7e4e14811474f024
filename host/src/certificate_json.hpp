#pragma once
// How a certificate looks in command results, wherever it is kept (on the card, in the OS key store): the
// fields every store shares. Each store adds its own (hasKey, keyId, label, pinGroup or store).

#include <ctime>

#include <nlohmann/json.hpp>

#include "crypto/certificate.hpp"

namespace certbridge::host {

/// id, subject, issuer, serialNumber, notBefore, notAfter, daysToExpiry (whole days, rounded down; negative
/// once expired), valid (at now), usage, isCa, certificate (PEM).
nlohmann::json certificateFieldsJson(const crypto::ParsedCertificate& certificate, std::time_t now);

}  // namespace certbridge::host
