#pragma once
// What only a tool on this computer can see, as rows of the "local" group: the native-messaging manifests
// of each browser and where they point, the browsers' policies about native hosts and our extension, the
// smart card service, and the card profiles the host loaded.

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "certbridge/host/config.hpp"
#include "environment_rows.hpp"
#include "local_places.hpp"

namespace certbridge::cli {

/// One row per browser: the manifest found (per user first, then system-wide, as the browsers look), the
/// program it points to and the extension it allows. NATIVE_UNAVAILABLE when missing or pointing nowhere,
/// with cause "forbidden" when it does not name our extension.
std::vector<Row> manifestRows(const LocalCheckOptions& options);

/// One row per browser with a policy file (or one "none" row): native-host block and allow lists, and
/// the policy our extension gets. NATIVE_UNAVAILABLE cause "forbidden" when a policy blocks our host.
std::vector<Row> browserPolicyRows(const LocalCheckOptions& options);

/// The card profiles in force, where they came from and whether each profile's module is there.
Row cardProfilesRow(const host::HostConfig& config);

/// Every local row, in display order.
std::vector<Row> localRows(const host::HostConfig& config, const LocalCheckOptions& options);

/// The manifest files found (for the support bundle).
std::vector<std::filesystem::path> foundManifests(const LocalCheckOptions& options);

}  // namespace certbridge::cli
