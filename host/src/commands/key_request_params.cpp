#include "key_request_params.hpp"

#include <algorithm>

#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"
#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

constexpr std::size_t kMaxSubjectAttributes = 16;
constexpr StringRule kSubjectTypeRule{1, 64, Charset::Printable};
constexpr StringRule kSubjectValueRule{1, 256, Charset::Printable};
constexpr StringRule kUsageRule{1, 16, Charset::Printable};

}  // namespace

std::vector<crypto::SubjectAttribute> subjectParam(const ParamValidator& validator) {
  const nlohmann::json& array = validator.requiredArray("subject", 1, kMaxSubjectAttributes);
  std::vector<crypto::SubjectAttribute> subject;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const ParamValidator attribute(array[i], validator.element("subject", i), {"type", "value"});
    std::string type = attribute.requiredString("type", kSubjectTypeRule);
    if (!crypto::isKnownSubjectType(type)) {
      throw badRequest(attribute.field("type"),
                       "must be C, ST, L, O, OU, CN, serialNumber, emailAddress, GN, SN, "
                       "title, UID, DC or a dotted OID");
    }
    std::string value = attribute.requiredString("value", kSubjectValueRule);
    if (const std::string problem = crypto::subjectValueProblem(type, value); !problem.empty()) {
      throw badRequest(attribute.field("value"), problem);
    }
    subject.push_back({std::move(type), std::move(value)});
  }
  return subject;
}

int rsaKeySizeParam(const ParamValidator& entry) {
  constexpr int kDefaultKeySize = 2048;
  static_assert(std::find(protocol::kRsaKeySizes.begin(), protocol::kRsaKeySizes.end(), kDefaultKeySize) !=
                    protocol::kRsaKeySizes.end(),
                "the default key size must be one protocol.json allows");
  const auto size = entry.optionalInteger("keySize", 1, 1 << 16);
  const int keySize = static_cast<int>(size.value_or(kDefaultKeySize));
  if (std::find(protocol::kRsaKeySizes.begin(), protocol::kRsaKeySizes.end(), keySize) ==
      protocol::kRsaKeySizes.end()) {
    std::string allowed;
    for (const int allowedSize : protocol::kRsaKeySizes) {
      allowed += (allowed.empty() ? "" : ", ") + std::to_string(allowedSize);
    }
    throw badRequest(entry.field("keySize"), "must be one of " + allowed);
  }
  return keySize;
}

KeyUsageParam keyUsageParam(const ParamValidator& entry) {
  KeyUsageParam usage;
  usage.name = entry.requiredString("usage", kUsageRule);
  if (usage.name == "signing") {
    usage.usage = crypto::KeyUsageKind::Signing;
  } else if (usage.name == "encryption") {
    usage.usage = crypto::KeyUsageKind::Encryption;
  } else if (usage.name == "dual") {
    usage.usage = crypto::KeyUsageKind::Dual;
  } else {
    throw badRequest(entry.field("usage"), "must be signing, encryption or dual");
  }
  return usage;
}

std::string keyLabel(const KeyUsageParam& usage, std::time_t now) {
  std::string name = usage.name;
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name + " key " + crypto::isoTime(now).substr(0, 10);
}

}  // namespace certbridge::host::commands
