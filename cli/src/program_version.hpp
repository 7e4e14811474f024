#pragma once
// Asking a host program for its version (the support bundle's version.txt), one file per platform
// (program_version_posix.cpp, program_version_windows.cpp): what may be run differs, and so does how.

#include <filesystem>
#include <optional>
#include <string>

namespace certbridge::cli {

/// What `program --version` prints, or nullopt when it was not run: missing, not a regular file, or (POSIX)
/// not owned by root or this user or writable by others, so that a bundle made with sudo never runs what
/// another user put there. On Windows a program that does not
/// end within ten seconds is stopped.
std::optional<std::string> programVersion(const std::filesystem::path& program);

}  // namespace certbridge::cli
