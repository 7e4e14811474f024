#pragma once
// Making a file the browser saved readable by its owner only: the PKCS#12 files of exportPkcs12 and
// changePkcs12Password land in the downloads folder with the browser's mode (0644 in Chromium and Firefox).

#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace certbridge::host::platform {

/// What restrictToOwner did.
struct OwnerOnlyOutcome {
  /// The file's permission bits before and after, as octal text ("0644", "0600"); nullopt where the platform
  /// has no POSIX mode (Windows: the user profile's ACL guards the Downloads folder).
  std::optional<std::string> previousMode;
  std::optional<std::string> mode;
};

/// Why restrictToOwner refused or failed: the file is not one it may touch, or the system said no.
struct OwnerOnlyRefusal {
  std::string reason;  ///< For the log and the caller; names no path.
  bool notAllowed;     ///< True for "not a regular file of this user" (the caller's mistake), false for an OS failure.
};

/// Clears the group and other permission bits of `path`: a regular file (never a symbolic link) owned by this
/// process's user, opened once so the checks and the change are on the same file. Returns the refusal instead
/// when it is not such a file or the system refuses.
std::variant<OwnerOnlyOutcome, OwnerOnlyRefusal> restrictToOwner(const std::filesystem::path& path);

}  // namespace certbridge::host::platform
