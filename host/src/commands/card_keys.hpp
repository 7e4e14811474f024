#pragma once
// Key pairs on the card that no certificate belongs to, as commands report them: listCertificates and
// environment list them (with what they were made for and when), removeKeys deletes them on the user's word.

#include <ctime>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "card_operation.hpp"
#include "certbridge/card/orphan_keys.hpp"

namespace certbridge::host::commands {

/// {keyId, label, keySize, usage, createdOn, ageDays}: usage ("signing", "encryption", "dual") and createdOn
/// ("2026-11-21") read from the label key generation gave it ("Signing key 2026-11-21"), null for keys
/// named otherwise; ageDays whole days since createdOn, null with it.
nlohmann::json keyWithoutCertificateJson(const card::KeyWithoutCertificate& key, std::time_t now);

/// The key pairs without certificate on every token of the card (sessions in mode, no login), each JSON
/// object with its pinGroup.
nlohmann::json cardKeysWithoutCertificate(CardOperation& operation, card::SessionMode mode, std::time_t now);

}  // namespace certbridge::host::commands
