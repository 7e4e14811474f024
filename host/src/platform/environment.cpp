#include "environment.hpp"

#include <cstdlib>

#if defined(_WIN32)
#include <windows.h>
// shellapi.h needs windows.h before it.
#include <shellapi.h>
#endif

namespace certbridge::host::platform {

#if defined(_WIN32)

std::optional<std::string> environmentVariable(const char* name) {
  const std::wstring wideName = pathFromUtf8(name).native();
  const wchar_t* value = _wgetenv(wideName.c_str());  // NOLINT(concurrency-mt-unsafe): see the header
  if (value == nullptr || *value == L'\0') return std::nullopt;
  return pathToUtf8(std::filesystem::path(value));
}

std::vector<std::string> commandLineArguments(int /*argc*/, char** /*argv*/) {
  std::vector<std::string> arguments;
  int count = 0;
  wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &count);
  if (wide == nullptr) return arguments;
  for (int i = 1; i < count; ++i) arguments.push_back(pathToUtf8(std::filesystem::path(wide[i])));
  LocalFree(wide);
  return arguments;
}

std::filesystem::path pathFromUtf8(std::string_view text) {
  // char8_t is how std::filesystem is told the text is UTF-8 rather than the ANSI code page.
  return std::filesystem::path(std::u8string(text.begin(), text.end()));
}

std::string pathToUtf8(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

#else

std::optional<std::string> environmentVariable(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): see the header
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::vector<std::string> commandLineArguments(int argc, char** argv) {
  return std::vector<std::string>(argv + 1, argv + argc);
}

std::filesystem::path pathFromUtf8(std::string_view text) {
  return std::filesystem::path(std::string(text));
}

std::string pathToUtf8(const std::filesystem::path& path) {
  return path.string();
}

#endif

std::optional<std::filesystem::path> logFolder() {
  if (auto folder = environmentVariable("CERTBRIDGE_LOG_DIR")) return pathFromUtf8(*folder);
#if defined(_WIN32)
  if (auto local = environmentVariable("LOCALAPPDATA")) return pathFromUtf8(*local) / "CertBridge" / "logs";
#elif defined(__APPLE__)
  if (auto home = environmentVariable("HOME")) return pathFromUtf8(*home) / "Library" / "Logs" / "CertBridge";
#else
  if (auto state = environmentVariable("XDG_STATE_HOME")) return pathFromUtf8(*state) / "certbridge";
  if (auto home = environmentVariable("HOME")) return pathFromUtf8(*home) / ".local" / "state" / "certbridge";
#endif
  return std::nullopt;
}

std::filesystem::path configFile() {
  if (auto named = environmentVariable("CERTBRIDGE_CONFIG")) return pathFromUtf8(*named);
#if defined(_WIN32)
  const auto programData = environmentVariable("ProgramData");
  return pathFromUtf8(programData.value_or("C:\\ProgramData")) / "CertBridge" / "config.json";
#elif defined(__APPLE__)
  return "/Library/Application Support/CertBridge/config.json";
#else
  return "/etc/certbridge/config.json";
#endif
}

}  // namespace certbridge::host::platform
