#pragma once
// The operating system the host runs on, for the environment report.

#include <string>

namespace certbridge::host {

struct OsInfo {
  std::string name;     ///< "Debian GNU/Linux 12 (bookworm)", "macOS", "Windows".
  std::string version;  ///< Kernel release or OS version.
  std::string arch;     ///< "x86_64", "arm64", ...
};

/// Best effort: fields that cannot be found are empty.
OsInfo currentOsInfo();

}  // namespace certbridge::host
