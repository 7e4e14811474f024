#pragma once
// `certbridge support-bundle [FILE]`: one .tar.gz a help desk can diagnose from without the user's
// computer: the doctor report (text in the user's language and English, and JSON), the configuration and
// policies as the host sees them, the native-messaging manifests and browser policies found, versions, and
// the end of the host log. Never a PIN, password or key: none of these holds one (the host never logs
// secrets; configuration and manifests have none), and nothing is read from the card but public facts.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "catalogue.hpp"
#include "certbridge/host/dispatcher.hpp"
#include "local_checks.hpp"

namespace certbridge::cli {

/// Writes the bundle (default name certbridge-support-YYYYMMDD-HHMMSS.tar.gz in the current folder, mode 0600,
/// never replacing a file). Returns the exit code: 0 written, 1 failed.
int runSupportBundle(const std::optional<std::filesystem::path>& file, const host::HostState& host,
                     const LocalCheckOptions& options, const Catalogue& catalogue, const std::string& language,
                     std::ostream& out, std::ostream& err);

}  // namespace certbridge::cli
