#include "certbridge/host/browser_policy_files.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "platform/environment.hpp"

namespace certbridge::host {
namespace {

// A policy file is a few kilobytes; more is not one IT wrote by hand, and reading it would slow every
// environment check.
constexpr std::uintmax_t kMaxPolicyFileBytes = 1024 * 1024;
// The browsers read every file of the directory; a directory with more is not worth scanning on each check.
constexpr std::size_t kMaxPolicyFiles = 200;

}  // namespace

std::string readPolicyFile(const std::filesystem::path& path, std::string& error) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    error = "cannot be read: " + ec.message();
    return {};
  }
  if (size > kMaxPolicyFileBytes) {
    error = "larger than " + std::to_string(kMaxPolicyFileBytes) + " bytes";
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) error = "cannot be read";
  return text.str();
}

namespace {

void inspectFile(const BrowserPolicyDirectory& directory, const std::filesystem::path& path,
                 const std::vector<std::string_view>& extensionIds, std::vector<BrowserPolicyFile>& found) {
  BrowserPolicyFile file{directory.browser, platform::pathToUtf8(path), {}, {}};
  const std::string text = readPolicyFile(path, file.error);
  if (!file.error.empty()) {
    found.push_back(std::move(file));
    return;
  }
  // Chromium reads policy files with comments allowed (JSON_PARSE_CHROMIUM_EXTENSIONS), as nlohmann does
  // when asked; anything else it cannot parse, it ignores whole.
  const nlohmann::json policy = nlohmann::json::parse(text, nullptr, false, true);
  if (policy.is_discarded() || !policy.is_object()) {
    file.error = policy.is_discarded() ? "not valid JSON: the browser ignores the whole file"
                                       : "not a JSON object: the browser ignores the whole file";
    found.push_back(std::move(file));
    return;
  }
  const auto thirdParty = policy.find("3rdparty");
  if (thirdParty == policy.end() || !thirdParty->is_object()) return;
  const auto extensions = thirdParty->find("extensions");
  if (extensions == thirdParty->end() || !extensions->is_object()) return;
  for (const auto id : extensionIds) {
    const auto section = extensions->find(std::string(id));
    if (section == extensions->end()) continue;
    std::vector<std::string> keys;
    if (section->is_object()) {
      for (const auto& item : section->items()) keys.push_back(item.key());
    }
    std::sort(keys.begin(), keys.end());
    file.extensions.emplace(std::string(id), std::move(keys));
  }
  if (!file.extensions.empty()) found.push_back(std::move(file));
}

}  // namespace

std::vector<BrowserPolicyDirectory> systemBrowserPolicyDirectories() {
#if defined(__linux__)
  return {{"chrome", "/etc/opt/chrome/policies/managed"},
          {"chromium", "/etc/chromium/policies/managed"},
          {"edge", "/etc/opt/edge/policies/managed"}};
#else
  return {};
#endif
}

std::vector<std::filesystem::path> policyFilesIn(const std::filesystem::path& directory) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
    if (files.size() >= kMaxPolicyFiles) break;
  }
  // The directory order is the file system's: sorted, the report is the same on every check.
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<BrowserPolicyFile> findExtensionPolicyFiles(const std::vector<BrowserPolicyDirectory>& directories,
                                                        const std::vector<std::string_view>& extensionIds) {
  std::vector<BrowserPolicyFile> found;
  for (const auto& directory : directories) {
    for (const auto& path : policyFilesIn(directory.path)) inspectFile(directory, path, extensionIds, found);
  }
  return found;
}

}  // namespace certbridge::host
