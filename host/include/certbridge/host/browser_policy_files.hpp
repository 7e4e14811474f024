#pragma once
// The Chromium browsers' policy files that name the extension, as the host reads them for the environment
// report. Chrome, Chromium and Edge check an extension's policy (the "3rdparty" -> "extensions" -> <id>
// section of /etc/opt/chrome/policies/managed/*.json and the like) against the extension's
// storage.managed_schema and drop the whole section when one value breaks it: the extension then sees no
// policy at all and cannot tell a missing policy from a broken one. The host can see the files, so it
// reports which of them hold a section for one of our extension IDs (and which keys it sets); the extension
// compares that with what the browser gave it (extension/src/policy_status.js).
//
// Linux only (the managed-policy directories below); Windows and macOS keep browser policy in the registry
// and in configuration profiles, which the host does not read: the list is empty there.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace certbridge::host {

/// A directory of managed policy files and the browser that reads it.
struct BrowserPolicyDirectory {
  std::string browser;  ///< "chrome", "chromium" or "edge".
  std::filesystem::path path;
};

/// A policy file that names one of our extension IDs, or that the browser cannot read at all.
struct BrowserPolicyFile {
  std::string browser;
  std::string path;
  /// Our extension IDs the file has a "3rdparty" section for -> the keys that section sets (sorted).
  std::map<std::string, std::vector<std::string>> extensions;
  /// Why the browser ignores the whole file (not JSON, too large, unreadable); empty when it reads it.
  std::string error;
};

/// Where Chrome, Chromium and Edge read mandatory policy on this platform (empty where the host does not look).
std::vector<BrowserPolicyDirectory> systemBrowserPolicyDirectories();

/// The "*.json" files of one policy directory, sorted, at most a bound's worth (the browsers read them all; a
/// directory with more is not worth scanning). Empty when the directory is missing or unreadable.
std::vector<std::filesystem::path> policyFilesIn(const std::filesystem::path& directory);

/// A policy file's text, or empty with error set (unreadable, or larger than any file IT writes by hand).
std::string readPolicyFile(const std::filesystem::path& path, std::string& error);

/// The files under `directories` (the browsers read every "*.json") that hold a 3rdparty section for one of
/// `extensionIds`, or that are broken. Never throws: a file that cannot be read is reported as such.
std::vector<BrowserPolicyFile> findExtensionPolicyFiles(const std::vector<BrowserPolicyDirectory>& directories,
                                                        const std::vector<std::string_view>& extensionIds);

}  // namespace certbridge::host
