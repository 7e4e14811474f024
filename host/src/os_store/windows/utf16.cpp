#include "utf16.hpp"

#include <climits>

#include "win32_certificate_store.hpp"

namespace certbridge::host::os_store::windows {

std::optional<std::wstring> utf8ToWide(std::string_view text) {
  if (text.empty()) return std::wstring();
  if (text.find('\0') != std::string_view::npos || text.size() > INT_MAX) return std::nullopt;
  const int inputLength = static_cast<int>(text.size());
  const int wideLength = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), inputLength, nullptr, 0);
  if (wideLength <= 0) return std::nullopt;
  std::wstring wide(static_cast<std::size_t>(wideLength), L'\0');
  if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), inputLength, wide.data(), wideLength) !=
      wideLength) {
    return std::nullopt;
  }
  return wide;
}

std::string wideToUtf8(std::wstring_view text) {
  if (text.empty() || text.size() > INT_MAX) return {};
  const int inputLength = static_cast<int>(text.size());
  const int length = WideCharToMultiByte(CP_UTF8, 0, text.data(), inputLength, nullptr, 0, nullptr, nullptr);
  if (length <= 0) return {};
  std::string utf8(static_cast<std::size_t>(length), '\0');
  WideCharToMultiByte(CP_UTF8, 0, text.data(), inputLength, utf8.data(), length, nullptr, nullptr);
  return utf8;
}

}  // namespace certbridge::host::os_store::windows
