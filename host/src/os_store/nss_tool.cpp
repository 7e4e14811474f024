#include "nss_tool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace certbridge::host::os_store {
namespace {

// Enough of a tool's output to say why it failed; a module that prints without end cannot fill memory.
constexpr std::size_t kMaxOutput = 8 * 1024;

std::optional<std::string> findOnPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string_view rest = (path != nullptr && path[0] != '\0') ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string_view directory = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (directory.empty()) continue;
    const std::string candidate = std::string(directory) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  ~Pipe() {
    closeRead();
    closeWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read() const noexcept { return fds_[0]; }
  int write() const noexcept { return fds_[1]; }
  void closeRead() noexcept { closeOne(fds_[0]); }
  void closeWrite() noexcept { closeOne(fds_[1]); }

 private:
  static void closeOne(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

}  // namespace

bool toolAvailable(const std::string& program) {
  return findOnPath(program).has_value();
}

ToolResult runTool(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout) {
  const auto path = findOnPath(program);
  if (!path) throw std::runtime_error(program + " was not found on PATH");

  std::vector<std::string> argvStorage;
  argvStorage.push_back(program);
  argvStorage.insert(argvStorage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argvStorage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  Pipe output;
  SpawnActions actions;
  // The host's stdin and stdout are the browser's native-messaging port: the tool must see neither.
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), output.write(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), output.write(), STDERR_FILENO);

  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, path->c_str(), actions.get(), nullptr, argv.data(), environ);
  if (spawned != 0) throw std::runtime_error(program + " could not be started: " + std::strerror(spawned));
  output.closeWrite();

  ToolResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timedOut = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd descriptor{output.read(), POLLIN, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t got = ::read(output.read(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of output: the tool is done (or closed its outputs)
    if (result.output.size() < kMaxOutput) {
      result.output.append(buffer, std::min(static_cast<std::size_t>(got), kMaxOutput - result.output.size()));
    }
  }
  if (timedOut) ::kill(pid, SIGKILL);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!timedOut && WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  if (timedOut) result.output += "\n(timed out)";
  return result;
}

}  // namespace certbridge::host::os_store
