// Software certificates on Windows are not built yet: the Linux store is NSS and OpenSSL's PKCS#12, and the
// Windows one (keys in the user's CNG key store, PKCS#12 through PFXImportCertStore / PFXExportCertStoreEx)
// is still to come. Until then each software command answers OS_STORE_NOT_SUPPORTED at once, before any
// window opens, so a portal can tell the user to use a card or another computer instead of failing half way.

#include "certbridge/host/protocol_error.hpp"
#include "commands/commands.hpp"

namespace certbridge::host::commands {
namespace {

CommandRun notOnWindows(nlohmann::json& /*params*/) {
  throw ProtocolError(ErrorCode::OsStoreNotSupported, {{"reason", "softwareCertificatesNotOnWindows"}});
}

}  // namespace

CommandRun prepareGenerateSoftwareKey(nlohmann::json& params) {
  return notOnWindows(params);
}
CommandRun prepareInstallCertificates(nlohmann::json& params) {
  return notOnWindows(params);
}
CommandRun prepareExportPkcs12(nlohmann::json& params) {
  return notOnWindows(params);
}
CommandRun prepareImportPkcs12(nlohmann::json& params) {
  return notOnWindows(params);
}
CommandRun prepareChangePkcs12Password(nlohmann::json& params) {
  return notOnWindows(params);
}
CommandRun prepareSoftwareSignRenewal(nlohmann::json& params) {
  return notOnWindows(params);
}

}  // namespace certbridge::host::commands
