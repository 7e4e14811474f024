#include "software_params.hpp"

#include <algorithm>
#include <optional>

#include "certbridge/host/protocol_error.hpp"
#include "crypto/encoding.hpp"
#include "secret_params.hpp"

namespace certbridge::host::commands {
namespace {

constexpr StringRule kCertificateTextRule{1, 24 * 1024, Charset::Lines};
constexpr StringRule kPkcs12FileRule{4, (software_store::kMaxPkcs12Bytes + 2) / 3 * 4, Charset::Base64};
constexpr std::size_t kMaxFileNameBytes = 120;

}  // namespace

Secrets::Secrets(nlohmann::json& params, std::initializer_list<std::string_view> names) {
  std::optional<ProtocolError> firstProblem;
  for (const std::string_view name : names) {
    try {
      if (auto secret = takeSecret(params, name)) secrets_.emplace(std::string(name), std::move(secret));
    } catch (const ProtocolError& e) {
      if (!firstProblem) firstProblem = e;  // keep taking (and wiping) the others first
    }
  }
  if (firstProblem) throw *firstProblem;
}

const card::SecretString* Secrets::find(std::string_view name) const {
  const auto it = secrets_.find(name);
  return it == secrets_.end() ? nullptr : it->second.get();
}

const card::SecretString& Secrets::required(std::string_view name) const {
  const card::SecretString* secret = find(name);
  if (secret == nullptr) throw badRequest("params." + std::string(name), "is typed in the extension's window");
  return *secret;
}

const card::SecretString& newPassword(const Secrets& secrets) {
  const card::SecretString& password = secrets.required("newPassword");
  if (utf8Length({password.data(), password.size()}) < kMinNewPasswordLength) {
    throw badRequest("params.newPassword", "must be at least " + std::to_string(kMinNewPasswordLength) + " characters");
  }
  return password;
}

std::unique_ptr<software_store::UserKeyStore> openUserStore(const Secrets& secrets) {
  return software_store::openUserKeyStore(secrets.find("storePassword"));
}

void checkCancelled(const CommandContext& context) {
  if (context.cancel.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
}

std::vector<crypto::ParsedCertificate> certificateListParam(const ParamValidator& validator, std::string_view key,
                                                            std::size_t minItems, std::size_t maxItems) {
  std::vector<crypto::ParsedCertificate> certificates;
  const auto texts = validator.stringArray(key, minItems, maxItems, kCertificateTextRule);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto parsed = crypto::parseCertificateText(texts[i]);
    if (!parsed) throw badRequest(validator.element(key, i), "must be one X.509 certificate (PEM or base64 DER)");
    certificates.push_back(std::move(*parsed));
  }
  return certificates;
}

std::vector<std::uint8_t> pkcs12FileParam(const ParamValidator& validator) {
  const auto bytes = crypto::base64Decode(validator.requiredString("file", kPkcs12FileRule));
  if (!bytes || bytes->empty()) throw badRequest("params.file", "must be base64 of the PKCS#12 file");
  return *bytes;
}

std::string pkcs12FileName(const crypto::ParsedCertificate& certificate) {
  std::string name = !certificate.commonName.empty() ? certificate.commonName : std::string("certificate");
  // Characters Windows, macOS or Linux refuse in a file name, and control characters.
  std::replace_if(
      name.begin(), name.end(),
      [](char c) {
        return static_cast<unsigned char>(c) < 0x20 ||
               std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos;
      },
      '_');
  if (name.size() > kMaxFileNameBytes) {
    // Cut at a UTF-8 character boundary.
    std::size_t cut = kMaxFileNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  const char* usage = certificate.usableForSigning && certificate.usableForEncryption ? "dual"
                      : certificate.usableForSigning                                  ? "signing"
                                                                                      : "encryption";
  const std::string& serial = certificate.serialNumberHex;
  return name + "-" + usage + "-" + serial.substr(serial.size() > 8 ? serial.size() - 8 : 0) + ".p12";
}

}  // namespace certbridge::host::commands
