#include "nss_database.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "nss_tool.hpp"

namespace certbridge::host::os_store {
namespace fs = std::filesystem;
namespace {

constexpr const char* kModuleListFile = "pkcs11.txt";
// The files of an sql: database, as certutil -N makes them.
constexpr const char* kDatabaseFiles[] = {"cert9.db", "key4.db", "pkcs11.txt"};

std::string_view trimEnd(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

// A tool's failure in one line for the error reason: its last non-empty output line (the tool's own message).
std::string failureReason(const std::string& what, const ToolResult& result) {
  std::string last;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    if (!trimEnd(line).empty()) last = std::string(trimEnd(line));
  }
  std::string reason = what + " failed (exit " + std::to_string(result.exitCode) + ")";
  if (!last.empty()) reason += ": " + last;
  return reason;
}

void runOrThrow(const std::string& what, const std::string& program, const std::vector<std::string>& args) {
  const ToolResult result = runTool(program, args);
  if (result.exitCode != 0) throw std::runtime_error(failureReason(what, result));
}

}  // namespace

std::vector<NssModule> parseModuleList(std::string_view text) {
  std::vector<NssModule> modules;
  NssModule current;
  bool named = false;
  bool hasLibrary = false;
  const auto finish = [&] {
    if (named) modules.push_back(std::move(current));
    current = NssModule{};
    named = false;
    hasLibrary = false;
  };
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = trimEnd(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (line.empty()) {
      finish();
      continue;
    }
    if (line.front() == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, equals);
    const std::string_view value = line.substr(equals + 1);
    // A second name or library without a blank line before it still starts a new entry.
    if (key == "name") {
      if (named) finish();
      current.name = std::string(value);
      named = true;
    } else if (key == "library") {
      if (hasLibrary) finish();
      current.library = std::string(value);
      hasLibrary = true;
    }
  }
  finish();
  return modules;
}

bool sameLibrary(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  if (a == b) return true;
  std::error_code errorA;
  std::error_code errorB;
  const fs::path canonicalA = fs::canonical(a, errorA);
  const fs::path canonicalB = fs::canonical(b, errorB);
  return !errorA && !errorB && canonicalA == canonicalB;
}

bool NssDatabase::exists() const {
  // A database opened without its module list (NSS_INIT_NOMODDB, as the software store opens it) has no
  // pkcs11.txt yet: the certificate or key file alone makes it a database, which must never be created again.
  std::error_code error;
  return fs::is_regular_file(directory_ / "cert9.db", error) || fs::is_regular_file(directory_ / "key4.db", error);
}

void NssDatabase::create() const {
  std::error_code error;
  if (!fs::is_directory(directory_, error)) {
    fs::create_directories(directory_, error);
    if (error) throw std::runtime_error("cannot create " + directory_.string() + ": " + error.message());
    fs::permissions(directory_, fs::perms::owner_all, fs::perm_options::replace, error);
  }
  runOrThrow("certutil -N", "certutil", {"-N", "-d", spec(), "--empty-password"});
}

fs::path NssDatabase::firstMissingDirectory() const {
  std::error_code error;
  fs::path missing;
  for (fs::path at = directory_; !at.empty() && !fs::exists(at, error); at = at.parent_path()) {
    missing = at;
    if (at == at.parent_path()) break;
  }
  return missing;
}

void NssDatabase::removeCreated(const fs::path& createdFrom) const {
  std::error_code error;
  for (const char* file : kDatabaseFiles) fs::remove(directory_ / file, error);
  if (createdFrom.empty()) return;
  for (fs::path at = directory_; !at.empty(); at = at.parent_path()) {
    if (!fs::is_empty(at, error) || !fs::remove(at, error)) break;
    if (at == createdFrom || at == at.parent_path()) break;
  }
}

std::vector<NssModule> NssDatabase::modules() const {
  std::error_code error;
  if (!fs::exists(directory_ / kModuleListFile, error)) return {};  // no module added yet (see exists())
  std::ifstream in(directory_ / kModuleListFile, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + (directory_ / kModuleListFile).string());
  std::ostringstream text;
  text << in.rdbuf();
  return parseModuleList(text.str());
}

void NssDatabase::addModule(const std::string& name, const std::string& library) const {
  // -force: no "are you sure" question (stdin is /dev/null). modutil loads the module to check it.
  runOrThrow("modutil -add", "modutil", {"-dbdir", spec(), "-add", name, "-libfile", library, "-force"});
}

void NssDatabase::deleteModule(const std::string& name) const {
  runOrThrow("modutil -delete", "modutil", {"-dbdir", spec(), "-delete", name, "-force"});
}

}  // namespace certbridge::host::os_store
