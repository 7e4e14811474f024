#include "support_bundle.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <ostream>
#include <sstream>
#include <vector>

#include "certbridge/build_info.hpp"
#include "certbridge/host/logging.hpp"
#include "doctor.hpp"
#include "platform/environment.hpp"
#include "program_version.hpp"
#include "report_text.hpp"
#include "tar_gz_writer.hpp"

namespace certbridge::cli {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// How much of each host log file goes in: the recent part is what a help desk reads.
constexpr std::uintmax_t kLogTailBytes = 512 * 1024;

std::optional<std::string> readFile(const fs::path& path, std::uintmax_t tailBytes = 0) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  if (!error && tailBytes != 0 && size > tailBytes) {
    in.seekg(static_cast<std::streamoff>(size - tailBytes));
    std::string skipped;
    std::getline(in, skipped);  // start at a whole line
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "/home/u/.config/chromium/NativeMessagingHosts/com.certbridge.host.json" -> an archive name.
std::string entryName(std::string_view folder, const std::string& where) {
  std::string flat = where;
  for (char& c : flat) {
    if (c == '/' || c == '\\' || c == ':') c = '_';
  }
  while (!flat.empty() && flat.front() == '_') flat.erase(0, 1);
  std::string name = std::string(folder) + "/" + flat;
  if (name.size() > 99) name = std::string(folder) + "/" + flat.substr(flat.size() - (98 - folder.size()));
  return name;
}

std::string defaultName(std::time_t now) {
  std::tm local{};
#if defined(_WIN32)
  localtime_s(&local, &now);
#else
  localtime_r(&now, &local);
#endif
  std::array<char, 64> buffer{};
  const std::size_t length =
      std::strftime(buffer.data(), buffer.size(), "certbridge-support-%Y%m%d-%H%M%S.tar.gz", &local);
  return std::string(buffer.data(), length);
}

// The host the manifests name, asked for its version (it may be another build than this command's).
std::string hostVersions(const std::vector<fs::path>& manifests) {
  std::string text = "certbridge " + std::string(build::kVersion) + "\n";
  std::vector<std::string> seen;
  for (const auto& path : manifests) {
    const std::optional<std::string> content = readFile(path);
    const json manifest = content ? json::parse(*content, nullptr, false) : json();
    if (!manifest.is_object() || !manifest.value("path", json()).is_string()) continue;
    const std::string named = manifest["path"];
    if (std::find(seen.begin(), seen.end(), named) != seen.end()) continue;
    seen.push_back(named);
    const std::optional<fs::path> program = local_places::manifestProgram(path, named);
    const std::optional<std::string> output = program ? programVersion(*program) : std::nullopt;
    text += named + ": " +
            output.value_or("(not run: missing, or not owned by root or this user, or writable by others)\n");
  }
  return text;
}

}  // namespace

int runSupportBundle(const std::optional<fs::path>& file, const host::HostState& host, const LocalCheckOptions& options,
                     const Catalogue& catalogue, const std::string& language, std::ostream& out, std::ostream& err) {
  const std::time_t now = std::time(nullptr);
  const fs::path path = file.value_or(fs::path(defaultName(now)));
  const DoctorReport report = runDoctor(host, options);
  std::vector<std::string> names;
  try {
    TarGzWriter archive(path);
    const auto add = [&](const std::string& name, const std::string& content) {
      archive.add(name, content, now);
      names.push_back(name);
    };
    add("doctor.txt", reportText(report.rows, catalogue, language, report.checkedAt, reportHost(report)));
    if (language != "en")
      add("doctor-en.txt", reportText(report.rows, catalogue, "en", report.checkedAt, reportHost(report)));
    add("doctor.json", doctorJson(report, catalogue, language).dump(2) + "\n");
    add("version.txt", hostVersions(foundManifests(options)));
    // The configuration in force and where each part came from (the environment answer's), and the file.
    const json policy =
        report.environment.is_object() ? report.environment.value("host", json::object()) : json::object();
    add("config/in-force.json", policy.dump(2) + "\n");
    if (host.config.file) {
      if (auto content = readFile(*host.config.file))
        add(entryName("config", host::platform::pathToUtf8(*host.config.file)), *content);
    }
    for (const auto& manifest : foundManifests(options)) {
      if (auto content = readFile(manifest))
        add(entryName("manifests", host::platform::pathToUtf8(manifest)), *content);
    }
    for (const auto& source : local_places::browserPolicies(options)) {
      add(entryName("browser-policies", source.where), source.text);
    }
    if (host.logFile) {
      // The log and its rotated predecessors, newest first.
      for (const auto& log : host::logFileAndRotations(*host.logFile)) {
        if (auto content = readFile(log, kLogTailBytes))
          add("log/" + host::platform::pathToUtf8(log.filename()), *content);
      }
    }
    archive.finish();
  } catch (const std::exception& e) {
    err << catalogue.text("cli.error.cannotWrite", language,
                          {{"path", host::platform::pathToUtf8(path)}, {"reason", e.what()}})
        << "\n";
    return 1;
  }
  out << catalogue.text("cli.bundle.written", language, {{"path", host::platform::pathToUtf8(path)}}) << "\n";
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  out << catalogue.text("cli.bundle.contents", language, {{"files", list}}) << "\n";
  return 0;
}

}  // namespace certbridge::cli
