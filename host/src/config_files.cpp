// Reading the host configuration from its files: config.json, then the drop-ins of config.d/ beside it.
// Drop-ins let IT add settings without editing a file a package owns: the Linux package ships the config.d
// directory but never a file in it, so `dpkg -i` of a newer version never asks about, or touches, them.

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "certbridge/host/config.hpp"
#include "certbridge/host/strict_json.hpp"
#include "certbridge/protocol.hpp"
#include "platform/environment.hpp"

namespace certbridge::host {
namespace fs = std::filesystem;
namespace {

using json = nlohmann::json;

std::string shown(const fs::path& path) {
  return platform::pathToUtf8(path);
}

// The file's text, or nullopt with error set.
std::optional<std::string> readConfigText(const fs::path& path, std::string& error) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    error = "configuration file " + shown(path) + " cannot be read: " + ec.message();
    return std::nullopt;
  }
  if (size > protocol::kConfigFileMaxBytes) {
    error = "configuration file " + shown(path) + " is too large (" + std::to_string(size) + " bytes; at most " +
            std::to_string(protocol::kConfigFileMaxBytes) + ")";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    error = "configuration file " + shown(path) + " cannot be read";
    return std::nullopt;
  }
  return text.str();
}

// One file, checked on its own: its top-level object, or nullopt with error set. Warnings name no file.
std::optional<json> readConfigFile(const fs::path& path, std::string& error, std::vector<std::string>& warnings) {
  const auto text = readConfigText(path, error);
  if (!text) return std::nullopt;
  try {
    std::string jsonError;
    auto object = parseStrictJson(*text, jsonError, 16);
    if (!object)
      throw ConfigError(jsonError.starts_with("not valid JSON") ? jsonError : "not valid JSON: " + jsonError);
    std::vector<std::string> fileWarnings;
    configFromJson(*object, fileWarnings);  // every value checked here, so the merged settings need no second look
    warnings.insert(warnings.end(), fileWarnings.begin(), fileWarnings.end());
    return object;
  } catch (const std::exception& e) {
    error = "configuration file " + shown(path) + " is invalid: " + e.what();
    return std::nullopt;
  }
}

struct DropIns {
  std::vector<fs::path> files;        ///< To read, in name order.
  std::vector<std::string> problems;  ///< Entries not read, and why.
};

// The drop-ins to read. Hidden names (editors' and tools' temporary files) are skipped without a word; any
// other name that is not *.json is reported, since it is most likely a drop-in named wrongly.
DropIns listDropIns(const fs::path& directory) {
  DropIns dropIns;
  std::error_code ec;
  if (!fs::exists(directory, ec)) return dropIns;
  if (!fs::is_directory(directory, ec)) {
    dropIns.problems.push_back(shown(directory) + " is not a directory: no drop-in is read");
    return dropIns;
  }
  std::vector<std::pair<std::string, fs::path>> named;
  fs::directory_iterator it(directory, ec);
  if (ec) {
    dropIns.problems.push_back(shown(directory) + " cannot be read: " + ec.message() + ": no drop-in is read");
    return dropIns;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string name = shown(path.filename());
    if (name.empty() || name.front() == '.') continue;
    if (path.extension() != ".json") {
      dropIns.problems.push_back(shown(path) + " is ignored: only files named *.json are read");
    } else if (!fs::is_regular_file(path, ec)) {
      dropIns.problems.push_back(shown(path) + " is ignored: not a regular file");
    } else {
      named.emplace_back(name, path);
    }
  }
  if (ec) dropIns.problems.push_back(shown(directory) + " could not be listed to the end: " + ec.message());
  std::sort(named.begin(), named.end());
  for (std::size_t i = 0; i < named.size(); ++i) {
    if (i < protocol::kConfigDropInMaxFiles) {
      dropIns.files.push_back(named[i].second);
    } else {
      dropIns.problems.push_back(shown(named[i].second) + " is ignored: at most " +
                                 std::to_string(protocol::kConfigDropInMaxFiles) + " drop-ins are read");
    }
  }
  return dropIns;
}

void problem(ConfigLoad& load, std::string reason) {
  load.config.policy.problems.push_back({std::string(kSourceConfigFile), "(file)", std::move(reason)});
}

}  // namespace

std::filesystem::path configFilePath() {
  return platform::configFile();
}

std::filesystem::path configDropInDirectory(const std::filesystem::path& configFile) {
  return configFile.parent_path() / "config.d";
}

ConfigLoad loadConfig(const std::filesystem::path& path, bool explicitlyNamed) {
  ConfigLoad load;
  json merged = json::object();
  std::vector<PolicySource> filesRead;  // in the order read: the last one wins
  bool mainUsed = false;

  std::error_code ec;
  if (fs::exists(path, ec)) {
    if (auto object = readConfigFile(path, load.error, load.warnings)) {
      merged = std::move(*object);
      mainUsed = true;
      filesRead.push_back({std::string(kSourceConfigFile), shown(path)});
    }
  } else if (explicitlyNamed) {
    load.error = "configuration file " + shown(path) + " does not exist";
  }

  const DropIns dropIns = listDropIns(configDropInDirectory(path));
  std::vector<std::string> dropInProblems = dropIns.problems;
  std::vector<std::string> dropInWarnings;
  for (const auto& file : dropIns.files) {
    std::string error;
    std::vector<std::string> warnings;
    auto object = readConfigFile(file, error, warnings);
    if (!object) {
      dropInProblems.push_back(error + "; this drop-in is ignored, the other files apply");
      continue;
    }
    for (const auto& warning : warnings) dropInWarnings.push_back(shown(file) + ": " + warning);
    for (auto& [key, value] : object->items()) merged[key] = std::move(value);
    filesRead.push_back({std::string(kSourceConfigFile), shown(file)});
  }

  load.config = HostConfig::builtInDefaults();
  if (!filesRead.empty()) {
    try {
      std::vector<std::string> alreadyReported;
      load.config = configFromJson(merged, alreadyReported);
    } catch (const std::exception& e) {
      // Each file passed on its own and the keys are independent: only a bug in this file gets here.
      dropInProblems.push_back(std::string("the configuration files together are invalid: ") + e.what() +
                               "; the built-in defaults apply");
      filesRead.clear();
    }
  }
  if (mainUsed && !filesRead.empty()) load.config.file = path;

  PolicyReport& report = load.config.policy;
  for (auto it = filesRead.rbegin(); it != filesRead.rend(); ++it) report.sources.push_back(*it);
  report.sources.push_back({std::string(kSourceBuiltIn), ""});
  if (!load.error.empty()) {
    problem(load, load.error + (dropIns.files.empty() ? "; the built-in defaults apply"
                                                      : "; the config.d drop-ins and the built-in defaults apply"));
  }
  for (const auto& warning : load.warnings) problem(load, warning);
  for (auto& text : dropInProblems) problem(load, std::move(text));
  for (auto& warning : dropInWarnings) {
    problem(load, warning);
    load.warnings.push_back(std::move(warning));
  }
  return load;
}

ConfigLoad loadConfig() {
  return loadConfig(configFilePath(), platform::environmentVariable("CERTBRIDGE_CONFIG").has_value());
}

}  // namespace certbridge::host
