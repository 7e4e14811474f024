#include "certbridge/host/manifest_installer.hpp"

#include <array>
#include <fstream>
#include <ostream>
#include <system_error>

#include "certbridge/protocol.hpp"
#include "platform/environment.hpp"

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <unistd.h>
#else
#include <unistd.h>
#endif

namespace certbridge::host {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDescription = "CertBridge: smart card and certificate access for the RA portal";

#if !defined(_WIN32)
// A system path under destDir (package staging), or as is.
fs::path underDestDir(const ManifestOptions& options, const fs::path& path) {
  if (options.destDir.empty()) return path;
  return options.destDir / path.relative_path();
}

std::string manifestFileName() {
  return std::string(protocol::kNativeHostName) + ".json";
}

fs::path macosManifestDirectory(Browser browser, const ManifestOptions& options) {
  const bool system = options.scope == InstallScope::System;
  const fs::path base = system ? fs::path("/Library") : options.user.home / "Library";
  switch (browser) {
    case Browser::Chrome:
      return system ? base / "Google/Chrome/NativeMessagingHosts"
                    : base / "Application Support/Google/Chrome/NativeMessagingHosts";
    case Browser::Chromium:
      return base / "Application Support/Chromium/NativeMessagingHosts";
    case Browser::Edge:
      return system ? base / "Microsoft/Edge/NativeMessagingHosts"
                    : base / "Application Support/Microsoft Edge/NativeMessagingHosts";
    case Browser::Firefox:
      return base / "Application Support/Mozilla/NativeMessagingHosts";
  }
  return {};
}

fs::path linuxManifestDirectory(Browser browser, const ManifestOptions& options) {
  if (options.scope == InstallScope::System) {
    switch (browser) {
      case Browser::Chrome:
        return "/etc/opt/chrome/native-messaging-hosts";
      case Browser::Chromium:
        return "/etc/chromium/native-messaging-hosts";
      case Browser::Edge:
        return "/etc/opt/edge/native-messaging-hosts";
      case Browser::Firefox:
        return "/usr/lib/mozilla/native-messaging-hosts";
    }
  }
  const fs::path config = options.user.xdgConfigHome.value_or(options.user.home / ".config");
  switch (browser) {
    case Browser::Chrome:
      return config / "google-chrome/NativeMessagingHosts";
    case Browser::Chromium:
      return config / "chromium/NativeMessagingHosts";
    case Browser::Edge:
      return config / "microsoft-edge/NativeMessagingHosts";
    case Browser::Firefox:
      return options.user.home / ".mozilla/native-messaging-hosts";
  }
  return {};
}

fs::path manifestDirectory(Browser browser, const ManifestOptions& options) {
  return underDestDir(options, options.layout == ManifestLayout::MacOS ? macosManifestDirectory(browser, options)
                                                                       : linuxManifestDirectory(browser, options));
}
#endif

void writeFileAtomically(const fs::path& file, const std::string& content) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) throw InstallerError("cannot create " + platform::pathToUtf8(file.parent_path()) + ": " + ec.message());
  fs::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      fs::remove(temporary, ec);
      throw InstallerError("cannot write " + platform::pathToUtf8(temporary));
    }
  }
  fs::permissions(temporary,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read, ec);
  fs::rename(temporary, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw InstallerError("cannot write " + platform::pathToUtf8(file) + ": " + ec.message());
  }
}

// Another system's directories exist only in a package tree made for that system.
void requireDestDirForForeignLayout(const ManifestOptions& options) {
  if (options.layout != kNativeManifestLayout && options.destDir.empty()) {
    throw InstallerError("the " + std::string(toString(options.layout)) +
                         " layout is for a package tree of that system: give --destdir");
  }
}

#if defined(_WIN32)
std::wstring registryKey(Browser browser) {
  const std::string key = manifestRegistryKey(browser);
  return std::wstring(key.begin(), key.end());  // ASCII
}

HKEY registryRoot(const ManifestOptions& options) {
  return options.scope == InstallScope::System ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
}

void setRegistryDefault(const ManifestOptions& options, Browser browser, const fs::path& manifest) {
  HKEY key = nullptr;
  const std::wstring subKey = registryKey(browser);
  LONG rc = RegCreateKeyExW(registryRoot(options), subKey.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE, KEY_SET_VALUE,
                            nullptr, &key, nullptr);
  if (rc != ERROR_SUCCESS) throw InstallerError("cannot create registry key (error " + std::to_string(rc) + ")");
  const std::wstring value = manifest.wstring();
  rc = RegSetValueExW(key, nullptr, 0, REG_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                      static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
  RegCloseKey(key);
  if (rc != ERROR_SUCCESS) throw InstallerError("cannot set registry value (error " + std::to_string(rc) + ")");
}

bool deleteRegistryKey(const ManifestOptions& options, Browser browser) {
  const std::wstring subKey = registryKey(browser);
  const LONG rc = RegDeleteKeyW(registryRoot(options), subKey.c_str());  // the key has no subkeys
  if (rc == ERROR_FILE_NOT_FOUND) return false;
  if (rc != ERROR_SUCCESS) throw InstallerError("cannot delete registry key (error " + std::to_string(rc) + ")");
  return true;
}
#endif

}  // namespace

std::string manifestRegistryKey(Browser browser) {
  std::string base;
  switch (browser) {
    case Browser::Chrome:
      base = "SOFTWARE\\Google\\Chrome\\NativeMessagingHosts\\";
      break;
    case Browser::Chromium:
      base = "SOFTWARE\\Chromium\\NativeMessagingHosts\\";
      break;
    case Browser::Edge:
      base = "SOFTWARE\\Microsoft\\Edge\\NativeMessagingHosts\\";
      break;
    case Browser::Firefox:
      base = "SOFTWARE\\Mozilla\\NativeMessagingHosts\\";
      break;
  }
  return base + std::string(protocol::kNativeHostName);
}

std::string_view toString(Browser browser) noexcept {
  switch (browser) {
    case Browser::Chrome:
      return "chrome";
    case Browser::Chromium:
      return "chromium";
    case Browser::Edge:
      return "edge";
    case Browser::Firefox:
      return "firefox";
  }
  return "";
}

std::string_view toString(ManifestLayout layout) noexcept {
  return layout == ManifestLayout::MacOS ? "macos" : "linux";
}

std::optional<ManifestLayout> manifestLayoutFromString(std::string_view name) noexcept {
  for (const auto layout : {ManifestLayout::Linux, ManifestLayout::MacOS}) {
    if (toString(layout) == name) return layout;
  }
  return std::nullopt;
}

std::optional<Browser> browserFromString(std::string_view name) noexcept {
  for (const auto browser : {Browser::Chrome, Browser::Chromium, Browser::Edge, Browser::Firefox}) {
    if (toString(browser) == name) return browser;
  }
  return std::nullopt;
}

UserDirectories userDirectoriesFromEnvironment() {
  UserDirectories directories;
#if defined(_WIN32)
  const auto home = platform::environmentVariable("USERPROFILE");
#else
  const auto home = platform::environmentVariable("HOME");
#endif
  if (!home) throw InstallerError("no home directory: HOME is not set");
  directories.home = platform::pathFromUtf8(*home);
  if (auto config = platform::environmentVariable("XDG_CONFIG_HOME"); config && fs::path(*config).is_absolute()) {
    directories.xdgConfigHome = platform::pathFromUtf8(*config);
  }
  return directories;
}

fs::path manifestPath(Browser browser, const ManifestOptions& options) {
#if defined(_WIN32)
  return options.hostPath.parent_path() /
         (std::string(protocol::kNativeHostName) + "." + std::string(toString(browser)) + ".json");
#else
  return manifestDirectory(browser, options) / manifestFileName();
#endif
}

nlohmann::json manifestJson(Browser browser, const ManifestOptions& options) {
  nlohmann::json manifest = {{"name", protocol::kNativeHostName},
                             {"description", kDescription},
                             {"path", platform::pathToUtf8(options.hostPath)},
                             {"type", "stdio"}};
  if (browser == Browser::Firefox) {
    manifest["allowed_extensions"] = options.firefoxExtensionIds;
  } else {
    nlohmann::json origins = nlohmann::json::array();
    for (const auto& id : options.chromiumExtensionIds) origins.push_back("chrome-extension://" + id + "/");
    manifest["allowed_origins"] = std::move(origins);
  }
  return manifest;
}

bool isValidChromiumExtensionId(std::string_view id) noexcept {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (c < 'a' || c > 'p') return false;
  }
  return true;
}

bool isValidFirefoxExtensionId(std::string_view id) noexcept {
  if (id.empty() || id.size() > 80) return false;
  if (id.front() == '{') {
    if (id.size() != 38 || id.back() != '}') return false;
    for (std::size_t i = 1; i + 1 < id.size(); ++i) {
      const char c = id[i];
      const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (dash ? c != '-' : !hex) return false;
    }
    return true;
  }
  const auto at = id.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == id.size() ||
      id.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_' || c == '+' || c == '@';
    if (!ok) return false;
  }
  return true;
}

void installManifests(const ManifestOptions& options, std::ostream& out) {
  if (!options.hostPath.is_absolute())
    throw InstallerError("the host path must be absolute: " + platform::pathToUtf8(options.hostPath));
  requireDestDirForForeignLayout(options);
  for (const auto& id : options.chromiumExtensionIds) {
    if (!isValidChromiumExtensionId(id)) throw InstallerError("not a Chrome extension ID: " + id);
  }
  for (const auto& id : options.firefoxExtensionIds) {
    if (!isValidFirefoxExtensionId(id)) throw InstallerError("not a Firefox add-on ID: " + id);
  }
  for (const auto browser : options.browsers) {
    const fs::path file = manifestPath(browser, options);
    writeFileAtomically(file, manifestJson(browser, options).dump(2) + "\n");
#if defined(_WIN32)
    setRegistryDefault(options, browser, file);
#endif
    out << "installed " << toString(browser) << " manifest: " << platform::pathToUtf8(file) << "\n";
  }
}

void uninstallManifests(const ManifestOptions& options, std::ostream& out) {
  requireDestDirForForeignLayout(options);
  for (const auto browser : options.browsers) {
    const fs::path file = manifestPath(browser, options);
    bool removedSomething = false;
#if defined(_WIN32)
    removedSomething = deleteRegistryKey(options, browser);
#endif
    std::error_code ec;
    if (fs::remove(file, ec)) {
      removedSomething = true;
    } else if (ec) {
      throw InstallerError("cannot remove " + platform::pathToUtf8(file) + ": " + ec.message());
    }
    out << (removedSomething ? "removed " : "not installed: ") << toString(browser) << " manifest "
        << platform::pathToUtf8(file) << "\n";
  }
}

fs::path currentExecutablePath() {
#if defined(_WIN32)
  std::wstring buffer(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
    if (n == 0) return {};
    if (n < buffer.size()) {
      buffer.resize(n);
      return fs::path(buffer);
    }
    buffer.resize(buffer.size() * 2);
  }
#elif defined(__APPLE__)
  uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);
  std::string buffer(size, '\0');
  if (_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
  std::error_code ec;
  const auto resolved = fs::canonical(buffer.c_str(), ec);
  return ec ? fs::path(buffer.c_str()) : resolved;
#else
  std::error_code ec;
  const auto path = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : path;
#endif
}

}  // namespace certbridge::host
