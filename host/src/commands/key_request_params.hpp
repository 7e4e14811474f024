#pragma once
// Parameters of the commands that make keys and certificate requests: generateKeyPair (on the card) and
// generateSoftwareKey (in the OS key store). One RA subject and one key description serve both stores.

#include <ctime>
#include <string>
#include <vector>

#include "certbridge/host/param_validator.hpp"
#include "crypto/certificate_request.hpp"

namespace certbridge::host::commands {

/// One entry of "keys": what the key is for.
struct KeyUsageParam {
  crypto::KeyUsageKind usage = crypto::KeyUsageKind::Signing;
  std::string name;  ///< "signing", "encryption" or "dual", as the caller wrote it
};

/// "subject": 1-16 {type, value}; the type one crypto::isKnownSubjectType knows, the value checked by
/// crypto::subjectValueProblem. BAD_REQUEST names the element (params.subject[2].value).
std::vector<crypto::SubjectAttribute> subjectParam(const ParamValidator& validator);

/// "usage" of one "keys" entry.
KeyUsageParam keyUsageParam(const ParamValidator& entry);

/// "keySize" of one "keys" entry: one of protocol.json's limits.rsaKeySizes, 2048 when left out. Whether the
/// card or store makes that size is checked where the key is made.
int rsaKeySizeParam(const ParamValidator& entry);

/// "Signing key 2026-11-21": what a card tool, certutil -K or a certificate manager shows for the key until
/// its certificate arrives.
std::string keyLabel(const KeyUsageParam& usage, std::time_t now);

}  // namespace certbridge::host::commands
