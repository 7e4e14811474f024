#include "firefox_profiles.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace certbridge::host::os_store {
namespace fs = std::filesystem;
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::vector<FirefoxProfile> parseProfilesIni(std::string_view text, const fs::path& iniDirectory) {
  struct Section {
    bool isProfile = false;
    std::string name;
    std::string path;
    bool relative = true;  // Firefox treats a missing IsRelative as relative
  };
  std::vector<FirefoxProfile> profiles;
  Section section;
  const auto finish = [&] {
    if (section.isProfile && !section.path.empty()) {
      fs::path directory = section.relative ? iniDirectory / section.path : fs::path(section.path);
      profiles.push_back({section.name.empty() ? section.path : section.name, directory.lexically_normal()});
    }
    section = Section{};
  };
  if (startsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte-order mark some editors add
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    if (line.front() == '[') {
      finish();
      const std::string_view header =
          line.substr(1, line.find(']') == std::string_view::npos ? line.size() - 1 : line.find(']') - 1);
      section.isProfile = startsWith(header, "Profile");
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, equals));
    const std::string_view value = trim(line.substr(equals + 1));
    if (key == "Name") section.name = std::string(value);
    if (key == "Path") section.path = std::string(value);
    if (key == "IsRelative") section.relative = value != "0";
  }
  finish();
  return profiles;
}

std::vector<fs::path> firefoxProfileRoots(const fs::path& home, const fs::path& xdgConfigHome) {
  std::vector<fs::path> roots;
  if (!home.empty()) roots.push_back(home / ".mozilla" / "firefox");
  const fs::path config = !xdgConfigHome.empty() ? xdgConfigHome : (home.empty() ? fs::path{} : home / ".config");
  if (!config.empty()) roots.push_back(config / "mozilla" / "firefox");
  if (!home.empty()) roots.push_back(home / "snap" / "firefox" / "common" / ".mozilla" / "firefox");
  return roots;
}

std::vector<FirefoxProfile> findFirefoxProfiles(const fs::path& home, const fs::path& xdgConfigHome) {
  std::vector<FirefoxProfile> found;
  for (const fs::path& root : firefoxProfileRoots(home, xdgConfigHome)) {
    std::ifstream in(root / "profiles.ini", std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    for (auto& profile : parseProfilesIni(text.str(), root)) {
      std::error_code error;
      // A profile deleted by hand stays in profiles.ini: nothing to register there.
      if (!fs::is_directory(profile.directory, error)) continue;
      const fs::path canonical = fs::weakly_canonical(profile.directory, error);
      bool seen = false;
      for (const auto& earlier : found) seen = seen || fs::weakly_canonical(earlier.directory, error) == canonical;
      if (!seen) found.push_back(std::move(profile));
    }
  }
  return found;
}

}  // namespace certbridge::host::os_store
