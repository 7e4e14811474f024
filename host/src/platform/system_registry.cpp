#include "certbridge/host/policy_registry.hpp"

#if defined(_WIN32)
#include <windows.h>

#include <cwchar>
#include <memory>
#include <type_traits>
#include <vector>

#include "environment.hpp"
#endif

namespace certbridge::host {

std::string_view hiveName(RegistryHive hive) noexcept {
  return hive == RegistryHive::LocalMachine ? "HKLM" : "HKCU";
}

#if defined(_WIN32)
namespace {

// A policy value is a line of text IT typed or a card-profile table; anything larger is a mistake.
constexpr DWORD kMaxValueBytes = 256 * 1024;

std::string typeName(DWORD type) {
  switch (type) {
    case REG_SZ:
      return "REG_SZ";
    case REG_EXPAND_SZ:
      return "REG_EXPAND_SZ";
    case REG_MULTI_SZ:
      return "REG_MULTI_SZ";
    case REG_DWORD:
      return "REG_DWORD";
    case REG_QWORD:
      return "REG_QWORD";
    case REG_BINARY:
      return "REG_BINARY";
    case REG_NONE:
      return "REG_NONE";
    default:
      return "registry type " + std::to_string(type);
  }
}

std::string windowsMessage(LSTATUS status) {
  return status == ERROR_ACCESS_DENIED ? "access denied" : "error " + std::to_string(status);
}

class WindowsRegistry final : public RegistryReader {
 public:
  std::optional<RegistryValue> read(RegistryHive hive, std::string_view key, std::string_view name) const override {
    const HKEY root = hive == RegistryHive::LocalMachine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
    const std::wstring wideKey = platform::pathFromUtf8(key).native();
    const std::wstring wideName = platform::pathFromUtf8(name).native();
    DWORD type = REG_NONE;
    DWORD size = 0;
    // First the type and size: RRF_NOEXPAND so that an REG_EXPAND_SZ reports its own type here.
    LSTATUS status =
        RegGetValueW(root, wideKey.c_str(), wideName.c_str(), RRF_RT_ANY | RRF_NOEXPAND, &type, nullptr, &size);
    if (status == ERROR_FILE_NOT_FOUND || status == ERROR_PATH_NOT_FOUND) return std::nullopt;
    if (status != ERROR_SUCCESS) return unreadable(windowsMessage(status));
    if (size > kMaxValueBytes) return unreadable("larger than " + std::to_string(kMaxValueBytes / 1024) + " KB");
    if (type == REG_DWORD) {
      DWORD number = 0;
      size = sizeof(number);
      status = RegGetValueW(root, wideKey.c_str(), wideName.c_str(), RRF_RT_REG_DWORD, nullptr, &number, &size);
      if (status != ERROR_SUCCESS) return unreadable(windowsMessage(status));
      return RegistryValue::dword(number);
    }
    if (type != REG_SZ && type != REG_EXPAND_SZ) {
      RegistryValue other;
      other.kind = RegistryValue::Kind::OtherType;
      other.typeName = typeName(type);
      return other;
    }
    // RRF_RT_REG_SZ without RRF_NOEXPAND expands an REG_EXPAND_SZ (%ProgramData% ...); the expansion may be
    // longer than the size asked first, so ask again while the buffer is too small.
    std::vector<wchar_t> buffer(size / sizeof(wchar_t) + 1);
    for (int attempt = 0; attempt < 3; ++attempt) {
      size = static_cast<DWORD>(buffer.size() * sizeof(wchar_t));
      status = RegGetValueW(root, wideKey.c_str(), wideName.c_str(), RRF_RT_REG_SZ, nullptr, buffer.data(), &size);
      if (status != ERROR_MORE_DATA || size > kMaxValueBytes) break;
      buffer.resize(size / sizeof(wchar_t) + 1);
    }
    if (status != ERROR_SUCCESS) return unreadable(windowsMessage(status));
    const std::wstring text(buffer.data(), wcsnlen(buffer.data(), buffer.size()));
    RegistryValue value = RegistryValue::string(platform::pathToUtf8(std::filesystem::path(text)));
    value.typeName = typeName(type);
    return value;
  }

  std::vector<std::string> valueNames(RegistryHive hive, std::string_view key) const override {
    const HKEY root = hive == RegistryHive::LocalMachine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
    HKEY raw = nullptr;
    if (RegOpenKeyExW(root, platform::pathFromUtf8(key).c_str(), 0, KEY_QUERY_VALUE, &raw) != ERROR_SUCCESS) return {};
    const std::unique_ptr<std::remove_pointer_t<HKEY>, decltype(&RegCloseKey)> opened(raw, &RegCloseKey);
    std::vector<std::string> names;
    // Value names are at most 16,383 characters; a policy list has a handful, so stop well before any bound.
    std::vector<wchar_t> name(16384);
    for (DWORD index = 0; index < 10000; ++index) {
      DWORD length = static_cast<DWORD>(name.size());
      if (RegEnumValueW(opened.get(), index, name.data(), &length, nullptr, nullptr, nullptr, nullptr) != ERROR_SUCCESS)
        break;
      names.push_back(platform::pathToUtf8(std::filesystem::path(std::wstring(name.data(), length))));
    }
    return names;
  }

 private:
  static RegistryValue unreadable(std::string why) {
    RegistryValue value;
    value.kind = RegistryValue::Kind::Unreadable;
    value.typeName = std::move(why);
    return value;
  }
};

}  // namespace

std::unique_ptr<RegistryReader> systemRegistry() {
  return std::make_unique<WindowsRegistry>();
}

#else

std::unique_ptr<RegistryReader> systemRegistry() {
  return nullptr;
}

#endif

}  // namespace certbridge::host
