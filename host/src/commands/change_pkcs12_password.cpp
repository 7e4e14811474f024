// changePkcs12Password: a PKCS#12 file re-encrypted under a new password. The host gets the file's bytes
// (picked in the extension's window) and returns new bytes; it never touches a file or the key store, so
// the original file stays as it is unless the user replaces it.

#include <ctime>

#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "crypto/encoding.hpp"
#include "software_params.hpp"

namespace certbridge::host::commands {
namespace {

struct ChangePasswordParams {
  std::vector<std::uint8_t> file;
  std::shared_ptr<const Secrets> secrets;
};

nlohmann::json changePassword(CommandContext& context, const ChangePasswordParams& params) {
  const auto opened = software_store::openPkcs12(params.file, params.secrets->required("password"));
  checkCancelled(context);
  const crypto::ParsedCertificate* certificate = &opened->certificate();
  const std::string name = !certificate->commonName.empty() ? certificate->commonName : certificate->subject;
  const auto file = opened->reencrypted(newPassword(*params.secrets), name);
  const std::time_t now = std::time(nullptr);
  return {{"certificate",
           {{"id", certificate->id},
            {"subject", certificate->subject},
            {"issuer", certificate->issuer},
            {"serialNumber", certificate->serialNumberHex},
            {"notAfter", crypto::isoTime(certificate->notAfter)},
            {"valid", crypto::isValidAt(*certificate, now)}}},
          {"fileName", pkcs12FileName(*certificate)},
          {"pkcs12", crypto::base64Encode(file)}};
}

}  // namespace

CommandRun prepareChangePkcs12Password(nlohmann::json& params) {
  auto parsed = std::make_shared<ChangePasswordParams>();
  parsed->secrets =
      std::make_shared<const Secrets>(params, std::initializer_list<std::string_view>{"password", "newPassword"});
  const ParamValidator validator(params, {"file"});
  parsed->file = pkcs12FileParam(validator);
  parsed->secrets->required("password");
  newPassword(*parsed->secrets);
  return [parsed](CommandContext& context) { return changePassword(context, *parsed); };
}

}  // namespace certbridge::host::commands
