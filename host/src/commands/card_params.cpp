#include "card_params.hpp"

#include <algorithm>
#include <cctype>

namespace certbridge::host::commands {

std::string lowerAscii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::optional<std::string> certificateIdParam(const ParamValidator& validator) {
  auto id = validator.optionalString("certificate", kCertificateIdRule);
  if (id) *id = lowerAscii(std::move(*id));
  return id;
}

}  // namespace certbridge::host::commands
