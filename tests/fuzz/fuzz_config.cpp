// Fuzz target: the host configuration file (allowed origins, log level, waits, card profiles with their ATR
// patterns and PIN rules), as IT writes it. Bad text is a ConfigError with a message, never a crash.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "certbridge/host/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certbridge::host;
  std::vector<std::string> warnings;
  try {
    const HostConfig config = parseConfig(std::string_view(reinterpret_cast<const char*>(data), size), warnings);
    (void)config.isOriginAllowed("https://ra.certbridge.example");
  } catch (const ConfigError&) {
  }
  return 0;
}
