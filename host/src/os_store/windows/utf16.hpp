#pragma once
// UTF-8 (our API) <-> UTF-16 (Win32 wide strings) without a lossy code page in between.

#include <optional>
#include <string>
#include <string_view>

namespace certbridge::host::os_store::windows {

/// nullopt when text is not valid UTF-8 or holds a NUL (a wide C string would silently end there).
std::optional<std::wstring> utf8ToWide(std::string_view text);

/// Unpaired surrogates become U+FFFD: what Windows hands us is shown, never rejected.
std::string wideToUtf8(std::wstring_view text);

}  // namespace certbridge::host::os_store::windows
