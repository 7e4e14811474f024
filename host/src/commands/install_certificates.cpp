// installCertificates: issued certificates stored in the user's key store next to their keys (found by
// public key), and CA certificates when the caller asks. Idempotent; all or nothing.

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "software_params.hpp"

namespace certbridge::host::commands {
namespace {

constexpr std::size_t kMaxCertificates = 4;

struct InstallParams {
  std::vector<crypto::ParsedCertificate> certificates;
  std::vector<crypto::ParsedCertificate> caCertificates;
  std::shared_ptr<const Secrets> secrets;
};

// Every certificate must find its key before any is stored, so a wrong one never leaves half a set.
void checkKeysInStore(software_store::UserKeyStore& store, const InstallParams& params) {
  for (std::size_t i = 0; i < params.certificates.size(); ++i) {
    const auto& certificate = params.certificates[i];
    const std::string field = "params.certificates[" + std::to_string(i) + "]";
    if (certificate.isCa) throw badRequest(field, "is a CA certificate; pass it in caCertificates");
    if (!store.holdsKeyFor(certificate)) {
      throw ProtocolError(ErrorCode::CertificateKeyMismatch,
                          {{"field", field}, {"certificate", certificate.id}, {"subject", certificate.subject}});
    }
  }
}

nlohmann::json install(CommandContext& context, const InstallParams& params) {
  const auto store = openUserStore(*params.secrets);
  checkKeysInStore(*store, params);

  // Certificates this call stored, removed again if a later one fails (the store ends as it was).
  std::vector<const crypto::ParsedCertificate*> stored;
  try {
    const auto put = [&](const crypto::ParsedCertificate& certificate) {
      if (store->holdsCertificate(certificate)) return false;
      checkCancelled(context);
      store->storeCertificate(certificate);
      stored.push_back(&certificate);
      return true;
    };
    std::vector<bool> installed;
    for (const auto& certificate : params.certificates) installed.push_back(put(certificate));
    std::vector<bool> caInstalled;
    for (const auto& certificate : params.caCertificates) caInstalled.push_back(put(certificate));

    // Report what the store now holds, as listCertificates would show it.
    const std::time_t now = std::time(nullptr);
    const auto inStore = store->certificates();
    const auto report = [&](const crypto::ParsedCertificate& certificate, bool wasInstalled) {
      for (const auto& held : inStore) {
        if (held.parsed.id != certificate.id) continue;
        nlohmann::json json = software_store::storeCertificateJson(held, now);
        json["installed"] = wasInstalled;
        return json;
      }
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "a stored certificate is not in the store"}});
    };
    nlohmann::json certificates = nlohmann::json::array();
    for (std::size_t i = 0; i < params.certificates.size(); ++i) {
      certificates.push_back(report(params.certificates[i], installed[i]));
    }
    nlohmann::json caCertificates = nlohmann::json::array();
    for (std::size_t i = 0; i < params.caCertificates.size(); ++i) {
      caCertificates.push_back(report(params.caCertificates[i], caInstalled[i]));
    }
    return {{"store", "software"},
            {"certificates", std::move(certificates)},
            {"caCertificates", std::move(caCertificates)}};
  } catch (...) {
    for (const auto* certificate : stored) store->removeCertificate(*certificate);
    throw;
  }
}

}  // namespace

CommandRun prepareInstallCertificates(nlohmann::json& params) {
  auto parsed = std::make_shared<InstallParams>();
  parsed->secrets = std::make_shared<const Secrets>(params, std::initializer_list<std::string_view>{"storePassword"});
  const ParamValidator validator(params, {"certificates", "caCertificates"});
  parsed->certificates = certificateListParam(validator, "certificates", 1, kMaxCertificates);
  parsed->caCertificates = certificateListParam(validator, "caCertificates", 0, kMaxCertificates);
  for (std::size_t i = 0; i < parsed->caCertificates.size(); ++i) {
    if (!parsed->caCertificates[i].isCa) {
      throw badRequest(validator.element("caCertificates", i), "is not a CA certificate (basicConstraints CA:TRUE)");
    }
  }
  return [parsed](CommandContext& context) { return install(context, *parsed); };
}

}  // namespace certbridge::host::commands
