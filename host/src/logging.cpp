#include "certbridge/host/logging.hpp"

#include <array>
#include <memory>
#include <string>
#include <system_error>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include "platform/environment.hpp"

namespace certbridge::host {
namespace {

constexpr std::size_t kMaxLogFileBytes = 1024 * 1024;
constexpr std::size_t kRotatedFiles = 3;
constexpr const char* kLogFileName = "certbridge-host.log";

struct LevelName {
  std::string_view name;
  spdlog::level::level_enum level;
};
constexpr std::array<LevelName, 7> kLevels = {{{"trace", spdlog::level::trace},
                                               {"debug", spdlog::level::debug},
                                               {"info", spdlog::level::info},
                                               {"warn", spdlog::level::warn},
                                               {"error", spdlog::level::err},
                                               {"critical", spdlog::level::critical},
                                               {"off", spdlog::level::off}}};

void useLogger(std::shared_ptr<spdlog::sinks::sink> sink) {
  auto logger = std::make_shared<spdlog::logger>("certbridge-host", std::move(sink));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%P:%t] %l %v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);  // a crash must not lose the last lines
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

std::optional<std::filesystem::path> logDirectory() {
  return platform::logFolder();
}

std::optional<std::filesystem::path> initLogging() {
  // Whatever happens below, the stdout logger spdlog starts with must be gone first.
  useLogger(std::make_shared<spdlog::sinks::null_sink_mt>());
  const auto dir = logDirectory();
  if (!dir) return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(*dir, ec);
  if (ec || !std::filesystem::is_directory(*dir, ec)) return std::nullopt;
  const auto file = *dir / kLogFileName;
  try {
    useLogger(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file.native(), kMaxLogFileBytes, kRotatedFiles));
  } catch (const std::exception&) {
    return std::nullopt;  // run without a file log rather than fail
  }
  return file;
}

bool isValidLogLevel(std::string_view name) {
  for (const auto& entry : kLevels) {
    if (entry.name == name) return true;
  }
  return false;
}

std::vector<std::filesystem::path> logFileAndRotations(const std::filesystem::path& logFile) {
  std::vector<std::filesystem::path> files = {logFile};
  // spdlog's rotating sink names the copies <stem>.<n><extension>.
  for (std::size_t n = 1; n <= kRotatedFiles; ++n) {
    std::filesystem::path rotated = logFile;
    rotated.replace_extension(std::filesystem::path("." + std::to_string(n)).native() + logFile.extension().native());
    files.push_back(std::move(rotated));
  }
  return files;
}

bool setLogLevel(std::string_view name) {
  for (const auto& entry : kLevels) {
    if (entry.name == name) {
      spdlog::set_level(entry.level);
      return true;
    }
  }
  return false;
}

}  // namespace certbridge::host
