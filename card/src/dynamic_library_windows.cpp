// DynamicLibrary on Windows: LoadLibraryW from the UTF-8 path, so non-ASCII folders work whatever the ANSI
// code page is.

#include <windows.h>

#include <string>

#include "dynamic_library.hpp"

namespace certbridge::card::detail {

namespace {

// The system's message for a Windows error code, in UTF-8, without the trailing line break.
std::string windowsErrorText(DWORD code) {
  wchar_t* buffer = nullptr;
  const DWORD length =
      FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                     nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  std::string text;
  if (length > 0 && buffer) {
    const int bytes = WideCharToMultiByte(CP_UTF8, 0, buffer, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
    text.resize(static_cast<std::size_t>(bytes > 0 ? bytes : 0));
    if (bytes > 0)
      WideCharToMultiByte(CP_UTF8, 0, buffer, static_cast<int>(length), text.data(), bytes, nullptr, nullptr);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  }
  if (buffer) LocalFree(buffer);
  return "Windows error " + std::to_string(code) + (text.empty() ? "" : ": " + text);
}

}  // namespace

DynamicLibrary::DynamicLibrary(const std::string& path, Mode mode) {
  const std::wstring widePath = pathFromUtf8(path).wstring();
  HMODULE module = nullptr;
  if (mode == Mode::AlreadyLoaded) {
    // GetModuleHandleExW without the UNCHANGED_REFCOUNT flag takes a reference, released by FreeLibrary.
    if (!GetModuleHandleExW(0, widePath.c_str(), &module)) module = nullptr;
  } else {
    // LOAD_WITH_ALTERED_SEARCH_PATH: the module's own folder is searched for the libraries it needs, as
    // middleware installers expect (their DLLs sit beside the PKCS#11 module).
    module = LoadLibraryExW(widePath.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  }
  if (!module) {
    error_ = windowsErrorText(GetLastError());
    return;
  }
  handle_ = module;
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_) FreeLibrary(static_cast<HMODULE>(handle_));
}

void* DynamicLibrary::symbol(const char* name) const noexcept {
  if (!handle_) return nullptr;
  return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(handle_), name));
}

}  // namespace certbridge::card::detail
