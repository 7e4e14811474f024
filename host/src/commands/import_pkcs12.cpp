// importPkcs12: a PKCS#12 file the user picked in the extension's window, opened with the password typed
// there, into the user's key store: the key (sensitive, private) and its certificate, and the file's CA
// certificates when the caller asks. The file is read completely before the store is opened, so a wrong
// password or a broken file changes nothing; a store failure half way removes what this call added.

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "software_params.hpp"

namespace certbridge::host::commands {
namespace {

struct ImportParams {
  std::vector<std::uint8_t> file;
  bool includeCaCertificates = false;
  std::shared_ptr<const Secrets> secrets;
};

nlohmann::json importFile(CommandContext& context, const ImportParams& params) {
  context.responder.sendProgress(context.request.id, "readingFile", nlohmann::json::object());
  const auto file = software_store::openPkcs12(params.file, params.secrets->required("password"));
  const crypto::ParsedCertificate& certificate = file->certificate();
  std::vector<crypto::ParsedCertificate> caCertificates;
  if (params.includeCaCertificates) {
    for (const auto& other : file->otherCertificates()) {
      if (other.isCa) caCertificates.push_back(other);
    }
  }
  checkCancelled(context);

  const auto store = openUserStore(*params.secrets);
  context.responder.sendProgress(context.request.id, "importing", nlohmann::json::object());
  std::function<void()> removeImportedKey;
  std::vector<const crypto::ParsedCertificate*> stored;
  try {
    const bool keyWasThere = store->holdsKeyFor(certificate);
    if (!keyWasThere) {
      const std::string name = !certificate.commonName.empty() ? certificate.commonName : certificate.subject;
      removeImportedKey = store->importKey(*file, name);
    }
    const auto put = [&](const crypto::ParsedCertificate& one) {
      if (store->holdsCertificate(one)) return false;
      store->storeCertificate(one);
      stored.push_back(&one);
      return true;
    };
    const bool certificateWasStored = put(certificate);
    std::vector<bool> caStored;
    for (const auto& ca : caCertificates) caStored.push_back(put(ca));
    checkCancelled(context);

    const std::time_t now = std::time(nullptr);
    const auto inStore = store->certificates();
    const auto report = [&](const crypto::ParsedCertificate& one, bool installed) {
      for (const auto& held : inStore) {
        if (held.parsed.id != one.id) continue;
        nlohmann::json json = software_store::storeCertificateJson(held, now);
        json["installed"] = installed;
        return json;
      }
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "an imported certificate is not in the store"}});
    };
    nlohmann::json result = {{"store", "software"},
                             {"keyImported", !keyWasThere},
                             {"certificate", report(certificate, certificateWasStored)},
                             {"caCertificates", nlohmann::json::array()}};
    if (!result["certificate"].value("hasKey", false)) {
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "the imported key is not linked to its certificate"}});
    }
    for (std::size_t i = 0; i < caCertificates.size(); ++i) {
      result["caCertificates"].push_back(report(caCertificates[i], caStored[i]));
    }
    return result;
  } catch (...) {
    for (const auto* one : stored) store->removeCertificate(*one);
    if (removeImportedKey) removeImportedKey();
    throw;
  }
}

}  // namespace

CommandRun prepareImportPkcs12(nlohmann::json& params) {
  auto parsed = std::make_shared<ImportParams>();
  parsed->secrets =
      std::make_shared<const Secrets>(params, std::initializer_list<std::string_view>{"password", "storePassword"});
  const ParamValidator validator(params, {"file", "includeCaCertificates"});
  parsed->file = pkcs12FileParam(validator);
  parsed->includeCaCertificates = validator.optionalBool("includeCaCertificates").value_or(false);
  parsed->secrets->required("password");
  return [parsed](CommandContext& context) { return importFile(context, *parsed); };
}

}  // namespace certbridge::host::commands
