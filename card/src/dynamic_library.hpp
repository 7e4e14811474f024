#pragma once
// The dynamic-library seam: a PKCS#11 module file opened with dlopen (dynamic_library_posix.cpp) or
// LoadLibraryW (dynamic_library_windows.cpp, from a UTF-8 path), and closed when the object goes. Also the
// conversion between the library's UTF-8 path strings and std::filesystem paths. Private to the card library.

#include <filesystem>
#include <string>

namespace certbridge::card::detail {

class DynamicLibrary {
 public:
  enum class Mode {
    Load,           ///< Load the file (or take another reference to it, when the process has it loaded).
    AlreadyLoaded,  ///< Only take a reference to the copy the process has loaded already; never load it.
  };

  /// Opens the library at path (UTF-8). Never throws for a file that cannot be opened: see loaded() and error().
  DynamicLibrary(const std::string& path, Mode mode);
  ~DynamicLibrary();
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;

  bool loaded() const noexcept { return handle_ != nullptr; }
  /// Why opening failed, in the platform's words (dlerror, or the Windows error message); empty when loaded.
  const std::string& error() const noexcept { return error_; }
  /// The exported function or variable name, or nullptr when the library has no such export.
  void* symbol(const char* name) const noexcept;

 private:
  void* handle_ = nullptr;
  std::string error_;
};

/// A filesystem path from a UTF-8 string: right on Windows too, where a narrow path means the ANSI code page.
inline std::filesystem::path pathFromUtf8(const std::string& utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}

/// The UTF-8 string of a filesystem path.
inline std::string utf8FromPath(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

}  // namespace certbridge::card::detail
