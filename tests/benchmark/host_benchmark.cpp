// Host benchmark: cold start to first reply, `status` round trip on an open connection, and peak memory,
// each next to a baseline measured in the same run (`cat` echoing the same frames through the same pipes),
// so the figures can be compared across machines. Prints medians over repeated runs; asserts nothing.
//
//   certbridge-benchmark HOST_BINARY [--cold-runs N] [--round-trips N]

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

/// A child process with its stdin/stdout connected to us through pipes.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int toChild[2];
    int fromChild[2];
    if (pipe(toChild) != 0 || pipe(fromChild) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, toChild[1]);
    posix_spawn_file_actions_addclose(&actions, fromChild[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + argv[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(toChild[0]);
    close(fromChild[1]);
    in_ = toChild[1];
    out_ = fromChild[0];
  }
  ~Child() {
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
    if (pid_ > 0) {
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void writeFrame(const std::string& json) {
    std::string frame(4, '\0');
    const auto length = static_cast<std::uint32_t>(json.size());
    std::memcpy(frame.data(), &length, 4);  // native byte order, as browsers send it
    frame += json;
    writeAll(frame.data(), frame.size());
  }

  std::string readFrame() {
    std::uint32_t length = 0;
    readAll(&length, 4);
    std::string body(length, '\0');
    readAll(body.data(), length);
    return body;
  }

  /// Peak resident set size (VmHWM) in KiB, read while the process is alive.
  long peakRssKib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
  }

  void closeInput() {
    close(in_);
    in_ = -1;
  }

 private:
  void writeAll(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = write(in_, p, size);
      if (n <= 0) throw std::runtime_error("write to child failed");
      p += n;
      size -= static_cast<std::size_t>(n);
    }
  }
  void readAll(void* data, std::size_t size) {
    char* p = static_cast<char*>(data);
    while (size > 0) {
      const ssize_t n = read(out_, p, size);
      if (n <= 0) throw std::runtime_error("child closed its output");
      p += n;
      size -= static_cast<std::size_t>(n);
    }
  }

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

const std::string kStatusRequest =
    R"({"id":"bench","command":"status","origin":"https://ra.certbridge.example","params":{}})";

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double elapsedUs(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

/// Start to the status reply. The host sends its hello first; the baseline (cat) echoes the request.
double coldStartUs(const std::vector<std::string>& argv, bool expectsHello) {
  const auto start = Clock::now();
  Child child(argv);
  child.writeFrame(kStatusRequest);
  if (expectsHello) child.readFrame();
  const std::string reply = child.readFrame();
  const double us = elapsedUs(start);
  if (expectsHello && reply.find("\"ok\":true") == std::string::npos) {
    throw std::runtime_error("unexpected status reply: " + reply);
  }
  child.closeInput();
  return us;
}

struct RoundTrips {
  std::vector<double> us;
  long peakRssKib;
};

RoundTrips roundTrips(const std::vector<std::string>& argv, bool expectsHello, int count) {
  Child child(argv);
  if (expectsHello) child.readFrame();
  for (int i = 0; i < 200; ++i) {  // warm up caches and allocators
    child.writeFrame(kStatusRequest);
    child.readFrame();
  }
  RoundTrips result{{}, 0};
  result.us.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    child.writeFrame(kStatusRequest);
    child.readFrame();
    result.us.push_back(elapsedUs(start));
  }
  result.peakRssKib = child.peakRssKib();
  child.closeInput();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s HOST_BINARY [--cold-runs N] [--round-trips N]\n", argv[0]);
    return 2;
  }
  const std::string host = argv[1];
  int coldRuns = 31;
  int trips = 5000;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--cold-runs") == 0) coldRuns = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--round-trips") == 0) trips = std::atoi(argv[i + 1]);
  }
  // Chrome starts the host with the calling extension's origin as its argument.
  const std::vector<std::string> hostArgv{host, "chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/"};
  const std::vector<std::string> baselineArgv{"/bin/cat"};

  try {
    std::vector<double> hostCold, baseCold;
    for (int i = 0; i < coldRuns; ++i) {  // interleaved so machine noise hits both alike
      hostCold.push_back(coldStartUs(hostArgv, true));
      baseCold.push_back(coldStartUs(baselineArgv, false));
    }
    const RoundTrips hostTrips = roundTrips(hostArgv, true, trips);
    const RoundTrips baseTrips = roundTrips(baselineArgv, false, trips);

    const double hostColdMs = median(hostCold) / 1000;
    const double baseColdMs = median(baseCold) / 1000;
    std::printf("CertBridge host benchmark (%d cold starts, %d round trips; baseline: /bin/cat echo)\n", coldRuns,
                trips);
    std::printf("%-34s %12s %12s %8s %10s\n", "measure", "host", "baseline", "ratio", "target");
    std::printf("%-34s %10.2fms %10.2fms %7.1fx %10s\n", "cold start to status reply (median)", hostColdMs, baseColdMs,
                hostColdMs / baseColdMs, "< 15 ms");
    std::printf("%-34s %10.1fus %10.1fus %7.1fx %10s\n", "status round trip (median)", median(hostTrips.us),
                median(baseTrips.us), median(hostTrips.us) / median(baseTrips.us), "< 100 us");
    std::printf("%-34s %10.1fus %10.1fus %7.1fx %10s\n", "status round trip (p99)", percentile(hostTrips.us, 0.99),
                percentile(baseTrips.us, 0.99), percentile(hostTrips.us, 0.99) / percentile(baseTrips.us, 0.99), "");
    std::printf("%-34s %10.1fMB %10.1fMB %7.1fx %10s\n", "peak RSS, no PKCS#11 module loaded",
                static_cast<double>(hostTrips.peakRssKib) / 1024, static_cast<double>(baseTrips.peakRssKib) / 1024,
                static_cast<double>(hostTrips.peakRssKib) / static_cast<double>(baseTrips.peakRssKib), "< 10 MB");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
