// exportPkcs12: a certificate with its key out of the user's key store, as a PKCS#12 file protected by a new
// password typed in the extension's window; one file per certificate (signing, encryption), as the legacy
// portal saved them. The bytes go back to the extension, which saves them through the browser's downloads.
//
// Why OpenSSL builds the file rather than NSS's SEC_PKCS12 encoder: the file's algorithms are then exactly
// the ones named in pkcs12_file.hpp (AES-256-CBC, PBKDF2 with HMAC-SHA-256, SHA-256 MAC) on every platform
// the host runs on, with no NSS-version-dependent defaults, and changePkcs12Password (no store involved)
// writes files the same way. The price: the key is in clear in this process between NSS's export and
// OpenSSL's encryption, in memory that OpenSSL wipes on free.

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/encoding.hpp"
#include "software_params.hpp"
#include "software_store/pkcs12_file.hpp"
#include "software_store/store_certificates.hpp"
#include "software_store/store_keys.hpp"

namespace certbridge::host::commands {
namespace {

constexpr std::size_t kMaxExports = 4;
constexpr StringRule kCertificateIdRule{64, 64, Charset::Hex};

struct ExportParams {
  std::vector<std::string> certificateIds;  ///< Lower-case; empty = every valid certificate with its key.
  std::shared_ptr<const Secrets> secrets;
};

std::vector<const software_store::StoreCertificate*> chooseCertificates(
    const std::vector<software_store::StoreCertificate>& inStore, const ExportParams& params, std::time_t now) {
  std::vector<const software_store::StoreCertificate*> chosen;
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
    const software_store::StoreCertificate* found = nullptr;
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
  const auto inStore = software_store::readStoreCertificates(*store);
  nlohmann::json files = nlohmann::json::array();
  for (const auto* certificate : chooseCertificates(inStore, params, now)) {
    checkCancelled(context);
    context.responder.sendProgress(context.request.id, "exporting", {{"certificate", certificate->parsed.id}});
    const auto key = software_store::findKeyForCertificate(certificate->nss.get());
    if (!key) throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", certificate->parsed.id}});
    const crypto::EvpPkeyPtr clear = software_store::exportPrivateKey(key.get());
    std::vector<X509*> chain;
    for (const auto* issuer : software_store::issuersInStore(inStore, certificate->parsed)) {
      chain.push_back(issuer->native.get());
    }
    const auto file = software_store::writePkcs12(clear.get(), certificate->parsed.native.get(), chain, password,
                                                  certificate->nickname);
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
