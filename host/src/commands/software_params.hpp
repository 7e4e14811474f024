#pragma once
// What the software-store commands (generateSoftwareKey, installCertificates, exportPkcs12, importPkcs12,
// changePkcs12Password, signRenewal with "store": "software") share: their secrets, their parameters and
// opening the user's key store.

#include <ctime>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "certbridge/card/secret_string.hpp"
#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/param_validator.hpp"
#include "certbridge/protocol.hpp"
#include "crypto/certificate.hpp"
#include "crypto/certificate_request.hpp"

#include "software_store/user_key_store.hpp"

namespace certbridge::host::commands {

/// The passwords of one request, typed in the extension's window: taken out of params (and wiped there)
/// before anything else looks at params. Shared, because a prepared command is copied as std::function.
class Secrets {
 public:
  /// Takes every key of names out of params (each absent, or a string of 1-64 characters). Throws
  /// BAD_REQUEST for the first malformed one, after all of them were taken and wiped.
  Secrets(nlohmann::json& params, std::initializer_list<std::string_view> names);

  /// The secret, or nullptr when it was not given.
  const card::SecretString* find(std::string_view name) const;
  /// The secret; BAD_REQUEST naming params.<name> ("is typed in the extension's window") when absent.
  const card::SecretString& required(std::string_view name) const;

 private:
  std::map<std::string, std::shared_ptr<const card::SecretString>, std::less<>> secrets_;
};

/// The shortest new PKCS#12 password the host accepts (the window asks for it twice and says so).
inline constexpr std::size_t kMinNewPasswordLength = protocol::kNewPasswordMinLength;

/// required("newPassword"), refused (BAD_REQUEST, never echoing it) when shorter than kMinNewPasswordLength.
const card::SecretString& newPassword(const Secrets& secrets);

/// The user's key store (user_key_store.hpp), unlocked with the "storePassword" secret where it has one.
std::unique_ptr<software_store::UserKeyStore> openUserStore(const Secrets& secrets);

/// USER_CANCELLED once the request was cancelled (between steps that change the store).
void checkCancelled(const CommandContext& context);

/// key (an array of 1-maxItems PEM or base64 DER certificates, minItems 0 = optional), parsed; BAD_REQUEST
/// naming the element that is not exactly one X.509 certificate.
std::vector<crypto::ParsedCertificate> certificateListParam(const ParamValidator& validator, std::string_view key,
                                                            std::size_t minItems, std::size_t maxItems);

/// "file": base64 of a PKCS#12 file (1 byte to software_store::kMaxPkcs12Bytes).
std::vector<std::uint8_t> pkcs12FileParam(const ParamValidator& validator);

/// A download name for a certificate's PKCS#12 file: "<common name>-<signing|encryption|dual>-<serial
/// tail>.p12", without characters file systems refuse.
std::string pkcs12FileName(const crypto::ParsedCertificate& certificate);

}  // namespace certbridge::host::commands
