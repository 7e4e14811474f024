// main() of the openCryptoki integration tests. openCryptoki's token is only reachable inside the test bed's
// private mount and IPC namespace, so this binary runs twice: first outside, where it starts a test bed
// with --opencryptoki, runs itself again through `testbed.sh exec` (nsenter into the namespace), and stops
// the test bed; then inside, where the tests run. It reports itself skipped ("test bed unavailable") where
// the test bed cannot run.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "token_test_support.hpp"

namespace {

// Set for the inner run, so it knows it is inside the namespace.
constexpr const char* kInnerMarker = "CERTBRIDGE_OCK_TESTS_INNER";

int runInside(const std::string& dir, const std::vector<std::string>& arguments) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> command{CERTBRIDGE_TESTBED_SCRIPT, "exec", dir, "--", self};
  command.insert(command.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& part : command) argv.push_back(part.data());
  argv.push_back(nullptr);

  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    setenv(kInnerMarker, "1", 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int runOutside(const std::vector<std::string>& arguments) {
  using certbridge::card::testing::runCommand;
  using certbridge::card::testing::shellQuote;
  if (geteuid() != 0) {
    std::printf("test bed unavailable: it needs root (openCryptoki runs in private namespaces)\n");
    return 0;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "certbridge-card-ock-XXXXXX").string();
  if (!mkdtemp(dir.data())) return 1;
  const auto start = runCommand(shellQuote(CERTBRIDGE_TESTBED_SCRIPT) + " start " + shellQuote(dir) +
                                " --no-card --opencryptoki --owner " + std::to_string(getpid()));
  if (start.status != 0) {
    std::filesystem::remove_all(dir);
    if (start.output.find("missing:") != std::string::npos ||
        start.output.find("must run as root") != std::string::npos) {
      std::printf("test bed unavailable: %s\n", start.output.c_str());
      return 0;
    }
    std::printf("testbed.sh start --opencryptoki failed (%d):\n%s\n", start.status, start.output.c_str());
    return 1;
  }
  std::printf("[ testbed  ] openCryptoki test bed in %s\n", dir.c_str());
  const int status = runInside(dir, arguments);
  const auto stop = runCommand(shellQuote(CERTBRIDGE_TESTBED_SCRIPT) + " stop " + shellQuote(dir));
  if (stop.status != 0) {
    std::printf("testbed.sh stop failed:\n%s\n", stop.output.c_str());
    return status == 0 ? 1 : status;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  if (std::getenv(kInnerMarker) == nullptr) return runOutside(arguments);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
