#pragma once
// The prepare step of every command (validates params, returns what to run). The table that names them
// is in dispatcher.cpp.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/param_validator.hpp"

namespace certbridge::host::commands {

/// status: {} -> {"host": {"version", "protocol"}}. Any origin; answered on the reading thread.
CommandRun prepareStatus(nlohmann::json& params);

/// cancel: {"target": id} -> {"cancelled": bool}. Answered on the reading thread; the target, if it was
/// still pending and came from the same origin, answers USER_CANCELLED.
CommandRun prepareCancel(nlohmann::json& params);

/// listReaders: {} -> {"readers": [{"name", "cardPresent", "pinPad", "atr", "profile"}]}.
CommandRun prepareListReaders(nlohmann::json& params);

/// environment: {} -> the full diagnostic report (see environment.cpp); never fails for a missing part.
CommandRun prepareEnvironment(nlohmann::json& params);

// Card commands: parameters, results and errors in extension/shared/commands.md.
CommandRun prepareListCertificates(nlohmann::json& params);
CommandRun prepareGenerateKeyPair(nlohmann::json& params);
CommandRun prepareWriteCertificates(nlohmann::json& params);
CommandRun prepareSignRenewal(nlohmann::json& params);
CommandRun prepareAuthenticate(nlohmann::json& params);
CommandRun prepareChangePin(nlohmann::json& params);
CommandRun prepareUnblockRequest(nlohmann::json& params);
CommandRun prepareUnblockPin(nlohmann::json& params);
CommandRun prepareRemoveKeys(nlohmann::json& params);
// checkParams (check_params.cpp): another command's parameters, checked by its own prepare step.
CommandRun prepareCheckParams(nlohmann::json& params);

// OS certificate stores (register_certificates.cpp, os_store/certificate_registry.hpp).
CommandRun prepareRegisterCertificates(nlohmann::json& params);
CommandRun prepareUnregisterCertificates(nlohmann::json& params);

// Software certificates in the user's key store and PKCS#12 files (software_store/; commands.md).
CommandRun prepareGenerateSoftwareKey(nlohmann::json& params);
CommandRun prepareInstallCertificates(nlohmann::json& params);
CommandRun prepareExportPkcs12(nlohmann::json& params);
CommandRun prepareImportPkcs12(nlohmann::json& params);
CommandRun prepareChangePkcs12Password(nlohmann::json& params);
/// protectSavedFile (protect_saved_file.cpp): {"path"} -> {"previousMode", "mode"}: a .p12/.pfx file the browser
/// saved made readable by its owner only (modes null on Windows, where the profile's ACL guards it). Host-only.
CommandRun prepareProtectSavedFile(nlohmann::json& params);
/// signRenewal's "store" selector: true when params ask for anything but the card ("store" present and not
/// "card"); prepareSoftwareSignRenewal then refuses values other than "software".
bool isSoftwareStoreRequest(const nlohmann::json& params);
CommandRun prepareSoftwareSignRenewal(nlohmann::json& params);
/// signRenewal's "data" (card and software store alike), decoded: BAD_REQUEST naming params.data when it is
/// not base64 of 1 byte up to the limit for the signature kind (protocol.json), so that a request that could
/// never get its answer is refused before any window, PIN or card work.
std::vector<std::uint8_t> renewalDataParam(const ParamValidator& validator, bool detached);

}  // namespace certbridge::host::commands
