#include "card_params.hpp"

#include <algorithm>
#include <cctype>

namespace certbridge::host::commands {

std::optional<std::string> certificateIdParam(const ParamValidator& validator) {
  auto id = validator.optionalString("certificate", kCertificateIdRule);
  if (id) std::transform(id->begin(), id->end(), id->begin(), [](unsigned char c) { return std::tolower(c); });
  return id;
}

}  // namespace certbridge::host::commands
