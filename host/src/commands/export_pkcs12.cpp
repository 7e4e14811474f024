// exportPkcs12: a certificate with its key out of the user's key store, as a PKCS#12 file protected by a new
// password typed in the extension's window; one file per certificate (signing, encryption), as the legacy
// portal saved them. The bytes go back to the extension, which saves them through the browser's downloads.
//
// The store writes the file (UserKeyStore::exportPkcs12): on Linux OpenSSL with the key NSS hands out, on
// Windows PFXExportCertStoreEx, where the platform may refuse (OS_STORE_NOT_SUPPORTED with its reason).

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/encoding.hpp"
#include "software_params.hpp"

namespace certbridge::host::commands {
namespace {

constexpr std::size_t kMaxExports = 4;
constexpr StringRule kCertificateIdRule{64, 64, Charset::Hex};

struct ExportParams {
  std::vector<std::string> certificateIds;  ///< Lower-case; empty = every valid certificate with its key.
  std::shared_ptr<const Secrets> secrets;
};

std::vector<const software_store::StoredCertificate*> chooseCertificates(
    const std::vector<software_store::StoredCertificate>& inStore, const ExportParams& params, std::time_t now) {
  std::vector<const software_store::StoredCertificate*> chosen;
  if (params.certificateIds.empty()) {
    for (const auto& certificate : inStore) {
      if (certificate.hasKey && !certificate.parsed.isCa && crypto::isValidAt(certificate.parsed, now)) {
        chosen.push_back(&certificate);
      }
    }
    if (chosen.empty()) {
      throw ProtocolError(ErrorCode::KeyNotFound, {{"reason", "no valid certificate with its key in the store"}});
    }
    return chosen;
  }
  for (const auto& id : params.certificateIds) {
    const software_store::StoredCertificate* found = nullptr;
    for (const auto& certificate : inStore) {
      if (certificate.parsed.id == id) found = &certificate;
    }
    if (found == nullptr || !found->hasKey) {
      throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", id},
                                                   {"reason", found == nullptr ? "the certificate is not in the store"
                                                                               : "the key is not in the store"}});
    }
    chosen.push_back(found);
  }
  return chosen;
}

nlohmann::json exportFiles(CommandContext& context, const ExportParams& params) {
  const card::SecretString& password = newPassword(*params.secrets);
  const auto store = openUserStore(*params.secrets);
  const std::time_t now = std::time(nullptr);
  const auto inStore = store->certificates();
  nlohmann::json files = nlohmann::json::array();
  for (const auto* certificate : chooseCertificates(inStore, params, now)) {
    checkCancelled(context);
    context.responder.sendProgress(context.request.id, "exporting", {{"certificate", certificate->parsed.id}});
    const auto chain = software_store::issuersInStore(inStore, certificate->parsed);
    const auto file = store->exportPkcs12(*certificate, chain, password);
    files.push_back({{"certificate", software_store::storeCertificateJson(*certificate, now)},
                     {"fileName", pkcs12FileName(certificate->parsed)},
                     {"pkcs12", crypto::base64Encode(file)}});
  }
  checkCancelled(context);
  return {{"store", "software"}, {"files", std::move(files)}};
}

}  // namespace

CommandRun prepareExportPkcs12(nlohmann::json& params) {
  auto parsed = std::make_shared<ExportParams>();
  parsed->secrets =
      std::make_shared<const Secrets>(params, std::initializer_list<std::string_view>{"storePassword", "newPassword"});
  const ParamValidator validator(params, {"certificates"});
  const bool chosen = validator.optionalArray("certificates", 1, kMaxExports) != nullptr;
  for (auto id : chosen ? validator.stringArray("certificates", 1, kMaxExports, kCertificateIdRule)
                        : std::vector<std::string>{}) {
    for (char& c : id) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    parsed->certificateIds.push_back(std::move(id));
  }
  newPassword(*parsed->secrets);  // a missing or short password is a bad request, before any store work
  return [parsed](CommandContext& context) { return exportFiles(context, *parsed); };
}

}  // namespace certbridge::host::commands
