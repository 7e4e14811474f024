#include "host_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace certbridge::host::integration {
namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(rc));
}

void writeAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("write to host: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

HostProcess::HostProcess(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& environment,
                         const std::filesystem::path& stderrFile) {
  std::signal(SIGPIPE, SIG_IGN);
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");

  std::map<std::string, std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [name, value] : environment) env[name] = value;
  std::vector<std::string> envStrings;
  for (const auto& [name, value] : env) envStrings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& text : envStrings) envp.push_back(text.data());
  envp.push_back(nullptr);

  std::vector<std::string> argStrings{binary};
  argStrings.insert(argStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& text : argStrings) argv.push_back(text.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderrFile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  check(rc, "posix_spawn");
}

HostProcess::~HostProcess() {
  if (stdin_ >= 0) ::close(stdin_);
  if (pid_ > 0 && !exitCode_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (stdout_ >= 0) ::close(stdout_);
}

void HostProcess::sendPayload(const std::string& payload) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  std::string frame(4, '\0');
  std::memcpy(frame.data(), &length, 4);
  writeAll(stdin_, frame + payload);
}

void HostProcess::send(const nlohmann::json& message) {
  sendPayload(message.dump());
}

void HostProcess::sendRaw(const std::string& bytes) {
  writeAll(stdin_, bytes);
}

bool HostProcess::fill(std::chrono::steady_clock::time_point deadline) {
  if (eof_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd fd{stdout_, POLLIN, 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
  if (ready <= 0) return false;
  char chunk[65536];
  const ssize_t n = ::read(stdout_, chunk, sizeof chunk);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> HostProcess::takeFrame() {
  if (buffer_.size() < 4) return std::nullopt;
  std::uint32_t length = 0;
  std::memcpy(&length, buffer_.data(), 4);
  if (buffer_.size() - 4 < length) return std::nullopt;
  std::string payload = buffer_.substr(4, length);
  buffer_.erase(0, 4 + static_cast<std::size_t>(length));
  return payload;
}

nlohmann::json HostProcess::receive(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) {
    auto message = std::move(pending_.front());
    pending_.erase(pending_.begin());
    return message;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto payload = takeFrame()) return nlohmann::json::parse(*payload);  // throws on invalid JSON
    if (!fill(deadline)) {
      throw std::runtime_error(eof_ ? "the host closed stdout" : "no message from the host in time");
    }
  }
}

nlohmann::json HostProcess::receiveFor(const std::string& id, std::chrono::milliseconds timeout) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->contains("id") && (*it)["id"] == id) {
      auto message = std::move(*it);
      pending_.erase(it);
      return message;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::optional<std::string> payload;
    while (!(payload = takeFrame())) {
      if (!fill(deadline)) throw std::runtime_error("no answer to " + id + " in time");
    }
    auto message = nlohmann::json::parse(*payload);
    if (message.contains("id") && message["id"] == id) return message;
    pending_.push_back(std::move(message));
  }
}

void HostProcess::closeStdin() {
  if (stdin_ >= 0) ::close(stdin_);
  stdin_ = -1;
}

std::optional<int> HostProcess::wait(std::chrono::milliseconds timeout) {
  if (exitCode_) return exitCode_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::wait4(pid_, &status, WNOHANG, &usage_);
    if (done == pid_) {
      exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exitCode_;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      exitCode_ = -1;
      return std::nullopt;
    }
    // Keep draining stdout so the host never blocks on a full pipe while we wait.
    fill(std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
  }
}

std::vector<nlohmann::json> HostProcess::remainingFrames() {
  while (fill(std::chrono::steady_clock::now() + std::chrono::seconds(5))) {
  }
  std::vector<nlohmann::json> frames = std::move(pending_);
  pending_.clear();
  while (auto payload = takeFrame()) frames.push_back(nlohmann::json::parse(*payload));
  if (!buffer_.empty()) throw std::runtime_error(std::to_string(buffer_.size()) + " stray bytes on stdout");
  return frames;
}

Answer awaitAnswer(HostProcess& host, const std::string& id, std::chrono::milliseconds timeout) {
  Answer answer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    nlohmann::json message = host.receiveFor(id, std::max(left, std::chrono::milliseconds(1)));
    if (message.contains("progress")) {
      answer.progress.push_back(message["progress"]);
      continue;
    }
    answer.message = std::move(message);
    return answer;
  }
}

}  // namespace certbridge::host::integration
