#pragma once
// What both benchmarks measure with: medians with their spread, CPU time of a finished child, and callgrind's
// instruction count of a whole process (the figure that repeats on a machine others are loading).

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace certbridge::benchmark {

/// Median and spread of repeated samples.
struct Spread {
  double median = 0, q1 = 0, q3 = 0, min = 0, max = 0;
};

inline double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(at);
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - static_cast<double>(below));
}

inline Spread spreadOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  if (values.empty()) return {};
  return {quantile(values, 0.5), quantile(values, 0.25), quantile(values, 0.75), values.front(), values.back()};
}

/// "1.23 [IQR 1.10-1.40, 0.98-2.10]" with the given number of decimals.
inline std::string describe(const Spread& s, int decimals = 2) {
  char text[160];
  std::snprintf(text, sizeof text, "%.*f [IQR %.*f-%.*f, range %.*f-%.*f]", decimals, s.median, decimals, s.q1,
                decimals, s.q3, decimals, s.min, decimals, s.max);
  return text;
}

/// user + system CPU time of a reaped child, in milliseconds.
inline double cpuMs(const rusage& usage) {
  const auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1000 + static_cast<double>(t.tv_usec) / 1000;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

/// VmHWM (peak resident set) in KiB of a running process, -1 when it cannot be read.
inline long peakRssKib(long pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

/// The instructions callgrind counted for a whole process ("summary:" of its output file).
inline std::optional<std::uint64_t> callgrindInstructions(const std::string& outputFile) {
  std::ifstream file(outputFile);
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("summary:", 0) == 0 || line.rfind("totals:", 0) == 0) {
      return std::strtoull(line.c_str() + line.find(':') + 1, nullptr, 10);
    }
  }
  return std::nullopt;
}

/// Whether valgrind runs here (it is installed by tests/install-dependencies.sh).
inline bool valgrindAvailable() {
  return std::system("valgrind --version >/dev/null 2>&1") == 0;
}

/// Runs argv under callgrind with stdin from inputFile and stdout/stderr discarded; the process's instruction
/// count. Throws when valgrind fails.
inline std::uint64_t countInstructions(const std::vector<std::string>& argv, const std::string& inputFile,
                                       const std::string& outputFile, char** environment) {
  std::vector<std::string> all{"valgrind", "--tool=callgrind", "--callgrind-out-file=" + outputFile, "-q"};
  all.insert(all.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (auto& arg : all) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, inputFile.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "valgrind", &actions, nullptr, args.data(), environment);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start valgrind: ") + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  const auto count = callgrindInstructions(outputFile);
  if (!count) throw std::runtime_error("callgrind wrote no count for " + argv.front());
  return *count;
}

/// The machine and its load, printed with every set of figures: load changes wall and CPU time, not counts.
inline std::string machineLine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  std::string model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::ifstream loadavg("/proc/loadavg");
  double one = 0, five = 0;
  loadavg >> one >> five;
  char text[320];
  std::snprintf(text, sizeof text, "%s, %ld cores; load average %.2f (1 min) %.2f (5 min)", model.c_str(),
                sysconf(_SC_NPROCESSORS_ONLN), one, five);
  return text;
}

/// When the figures were measured, printed with them.
inline std::string today() {
  char text[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return text;
}

/// A target's word in the figures: whether it held.
inline const char* verdict(bool held) {
  return held ? "held" : "MISSED";
}

}  // namespace certbridge::benchmark
