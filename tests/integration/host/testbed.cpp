#include "testbed.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <fstream>

namespace certbridge::host::integration {
namespace {

// Parses lines of the form: export NAME='value'
std::map<std::string, std::string> parseEnvFile(const std::filesystem::path& file) {
  std::map<std::string, std::string> env;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) != 0) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    env[line.substr(7, eq - 7)] = value;
  }
  return env;
}

}  // namespace

// Runs a shell command line, returning its exit code and combined output.
int runCommand(const std::string& commandLine, std::string& output) {
  output.clear();
  FILE* pipe = ::popen((commandLine + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe) != nullptr) output += chunk.data();
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string shellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::unique_ptr<Testbed> Testbed::start(std::string& skipReason, std::string& failure, bool withOpenCryptoki) {
  if (::geteuid() != 0) {
    skipReason = "the test bed needs root (pcscd runs in a private mount namespace); run the integration tests as root";
    return nullptr;
  }
  char pattern[] = "/tmp/certbridge-host-it-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    failure = "mkdtemp failed";
    return nullptr;
  }
  std::unique_ptr<Testbed> bed(new Testbed);
  bed->root_ = pattern;
  bed->dir_ = bed->root_ / "bed";
  bed->scratch_ = bed->root_ / "scratch";
  std::filesystem::create_directories(bed->scratch_);

  std::string output;
  const int code =
      runCommand(shellQuote(CERTBRIDGE_TESTBED_SCRIPT) + " start " + shellQuote(bed->dir_.string()) + " --owner " +
                     std::to_string(::getpid()) + (withOpenCryptoki ? " --opencryptoki" : ""),
                 output);
  if (code != 0) {
    if (output.find("missing:") != std::string::npos || output.find("must run as root") != std::string::npos) {
      skipReason = "the test bed cannot start here: " + output;
    } else {
      failure = "testbed.sh start failed (" + std::to_string(code) + "): " + output;
    }
    return nullptr;  // the destructor removes what was made
  }
  bed->environment_ = parseEnvFile(bed->dir_ / "env");
  for (const char* name : {"PCSCLITE_CSOCK_NAME", "SOFTHSM2_CONF", "CERTBRIDGE_CONFIG", "CERTBRIDGE_LOG_DIR"}) {
    if (bed->environment_.count(name) == 0) {
      failure = std::string("the test bed's env file lacks ") + name;
      return nullptr;
    }
  }
  return bed;
}

Testbed::~Testbed() {
  std::string output;
  if (std::filesystem::exists(dir_))
    runCommand(shellQuote(CERTBRIDGE_TESTBED_SCRIPT) + " stop " + shellQuote(dir_.string()), output);
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

bool Testbed::run(const std::string& command, std::string* output) const {
  std::string text;
  const int code =
      runCommand(shellQuote(CERTBRIDGE_TESTBED_SCRIPT) + " " + command + " " + shellQuote(dir_.string()), text);
  if (output != nullptr) *output = text;
  return code == 0;
}

std::string Testbed::get(const std::string& name) const {
  const auto it = environment_.find(name);
  return it == environment_.end() ? std::string() : it->second;
}

}  // namespace certbridge::host::integration
