#include "test_support.hpp"

#include <cstdlib>
#include <random>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace certbridge::host::test {
namespace {

// The code under test logs through spdlog's default logger; keep test output clean.
class QuietLogs : public ::testing::Environment {
 public:
  void SetUp() override {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>()));
  }
};
[[maybe_unused]] const auto* const kQuietLogs = ::testing::AddGlobalTestEnvironment(new QuietLogs);

}  // namespace

bool StringSink::waitForFrames(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    std::size_t frames = 0;
    std::string_view rest = data;
    while (rest.size() >= 4) {
      std::uint32_t length = 0;
      std::memcpy(&length, rest.data(), 4);
      if (rest.size() - 4 < length) break;
      ++frames;
      rest.remove_prefix(4 + length);
    }
    return frames >= count;
  });
}

std::vector<std::string> splitFrames(std::string_view bytes) {
  std::vector<std::string> frames;
  while (!bytes.empty()) {
    if (bytes.size() < 4) throw std::runtime_error("stray bytes after the last frame");
    std::uint32_t length = 0;
    std::memcpy(&length, bytes.data(), 4);
    if (bytes.size() - 4 < length) throw std::runtime_error("truncated frame");
    frames.emplace_back(bytes.substr(4, length));
    bytes.remove_prefix(4 + length);
  }
  return frames;
}

std::vector<nlohmann::json> parseFrames(std::string_view bytes) {
  std::vector<nlohmann::json> messages;
  for (const auto& payload : splitFrames(bytes)) messages.push_back(nlohmann::json::parse(payload));
  return messages;
}

nlohmann::json request(std::string id, std::string command, std::string origin, nlohmann::json params) {
  return {{"id", std::move(id)},
          {"command", std::move(command)},
          {"origin", std::move(origin)},
          {"params", std::move(params)}};
}

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() / ("certbridge-host-test-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {

#if defined(_WIN32)
// The host reads its variables through the wide environment (_wgetenv, platform/environment.cpp), so the
// tests set them there, from UTF-8.
std::wstring wide(std::string_view utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end())).wstring();
}
std::optional<std::string> currentValue(const std::string& name) {
  const wchar_t* value = _wgetenv(wide(name).c_str());
  if (value == nullptr) return std::nullopt;
  const std::u8string text = std::filesystem::path(value).u8string();
  return std::string(text.begin(), text.end());
}
void setValue(const std::string& name, const std::optional<std::string>& value) {
  // An empty value removes the variable (_wputenv_s), as the host treats empty and unset alike.
  if (_wputenv_s(wide(name).c_str(), value ? wide(*value).c_str() : L"") != 0) {
    throw std::runtime_error("cannot set the environment variable " + name);
  }
}
#else
std::optional<std::string> currentValue(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}
void setValue(const std::string& name, const std::optional<std::string>& value) {
  if (value) {
    ::setenv(name.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name.c_str());
  }
}
#endif

}  // namespace

ScopedEnv::ScopedEnv(const char* name, const std::optional<std::string>& value)
    : name_(name), previous_(currentValue(name_)) {
  setValue(name_, value);
}

ScopedEnv::~ScopedEnv() {
  setValue(name_, previous_);
}

}  // namespace certbridge::host::test
