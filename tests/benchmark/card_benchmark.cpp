// Card benchmark: the host's card commands next to pkcs11-tool (OpenSC) on the same SoftHSM2 token of the virtual
// test bed, measured in the same run so the ratios compare across machines. Host and pkcs11-tool runs alternate so
// machine noise hits both alike. Prints medians over repeated runs; asserts nothing.
//
//   certbridge-card-benchmark HOST_BINARY [--runs N] [--keygen-runs N]
//
// Keygen gets more runs than the rest: an RSA key's prime search takes a random time (0.2 s to 2 s on SoftHSM2), so
// its median needs many samples before the host/pkcs11-tool ratio says more about CertBridge than about chance.
//
// Needs root (the test bed runs pcscd in a private mount namespace); without it prints "skipped: ..." and exits 0.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "host_process.hpp"
#include "test_ca.hpp"
#include "test_files.hpp"
#include "testbed.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using certbridge::host::integration::base64Encode;
using certbridge::host::integration::HostProcess;
using certbridge::host::integration::readFile;
using certbridge::host::integration::Testbed;
using certbridge::host::integration::TestCa;
using certbridge::host::integration::writeFile;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kExtensionArgument = "chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/";
constexpr const char* kOrigin = "http://127.0.0.1:8080";  // allowed by the test bed's configuration
constexpr const char* kTokenLabel = "CertBridge Card";
constexpr std::chrono::milliseconds kCardTimeout = 120s;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double elapsedMs(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double mebibytes(long kib) {
  return static_cast<double>(kib) / 1024;
}

/// VmHWM (peak resident set) in KiB of a running process, -1 when it cannot be read.
long peakRssKib(const std::string& pid) {
  std::ifstream status("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    if (!directory.empty() && ::access((fs::path(directory) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

/// One finished child process: wall time from spawn until reaped, and its peak RSS as wait4 reports it.
struct ProcessRun {
  double wallMs = 0;
  long peakRssKib = 0;
  /// Our own VmHWM when we spawned it. Linux counts the memory a process had before exec (here: ours, shared
  /// through posix_spawn's vfork) in its ru_maxrss, so a ru_maxrss at or below this says only "at most this".
  long spawnerPeakRssKib = 0;
};

/// pkcs11-tool on one token of the test bed, with the environment the host gets.
class Pkcs11Tool {
 public:
  Pkcs11Tool(const Testbed& bed, std::string module, std::string pin)
      : module_(std::move(module)), pin_(std::move(pin)), output_(bed.scratch() / "pkcs11-tool.out") {
    std::map<std::string, std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      const auto eq = text.find('=');
      if (eq != std::string::npos) environment[text.substr(0, eq)] = text.substr(eq + 1);
    }
    for (const auto& [name, value] : bed.environment()) environment[name] = value;
    for (const auto& [name, value] : environment) environmentStrings_.push_back(name + "=" + value);
  }

  /// Selects the slot whose token label is exactly label: --token-label matches prefixes, and "CertBridge Card 2"
  /// exists beside "CertBridge Card". Call again after reset-tokens, which gives the tokens new slot ids.
  void selectToken(const std::string& label) {
    run({"--list-token-slots"});
    const std::regex slotLine(R"(^Slot \d+ \((0x[0-9a-f]+)\):)");
    std::istringstream lines(readFile(output_));
    std::string line;
    std::string slot;
    slot_.clear();
    while (std::getline(lines, line)) {
      std::smatch match;
      if (std::regex_search(line, match, slotLine)) slot = match[1];
      if (line == "  token label        : " + label) slot_ = slot;
    }
    if (slot_.empty()) throw std::runtime_error("pkcs11-tool lists no token labelled " + label);
  }

  /// `pkcs11-tool --help`: the process starting and exiting (it prints its usage and exits 2; no module loaded).
  ProcessRun runProcessStartOnly() { return run({"--help"}, 2); }

  /// `pkcs11-tool --module M --slot S args...` (no login) as one whole process.
  ProcessRun runOnSlot(const std::vector<std::string>& args) {
    std::vector<std::string> all{"--slot", slot_};
    all.insert(all.end(), args.begin(), args.end());
    return run(all);
  }

  /// `pkcs11-tool --module M --slot S --login --pin PIN args...` as one whole process.
  ProcessRun runLoggedIn(const std::vector<std::string>& args) {
    std::vector<std::string> all{"--slot", slot_, "--login", "--pin", pin_};
    all.insert(all.end(), args.begin(), args.end());
    return run(all);
  }

 private:
  /// `pkcs11-tool --module M args...`, output into output_; throws with the output when it fails.
  ProcessRun run(const std::vector<std::string>& args, int expectedExit = 0) {
    std::vector<std::string> argStrings{"pkcs11-tool", "--module", module_};
    argStrings.insert(argStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& text : argStrings) argv.push_back(text.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& text : environmentStrings_) envp.push_back(text.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    ProcessRun result;
    result.spawnerPeakRssKib = peakRssKib("self");
    pid_t pid = -1;
    const auto start = Clock::now();
    const int rc = posix_spawnp(&pid, "pkcs11-tool", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(std::string("cannot start pkcs11-tool: ") + std::strerror(rc));
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0) {
      if (errno != EINTR) throw std::runtime_error(std::string("wait4: ") + std::strerror(errno));
    }
    result.wallMs = elapsedMs(start);
    result.peakRssKib = usage.ru_maxrss;  // KiB on Linux
    if (!WIFEXITED(status) || WEXITSTATUS(status) != expectedExit) {
      std::string commandLine;
      for (const auto& arg : argStrings) commandLine += (arg == pin_ ? "***" : arg) + " ";
      throw std::runtime_error(commandLine + "failed: " + readFile(output_));
    }
    return result;
  }

  std::string module_;
  std::string pin_;
  fs::path output_;
  std::string slot_;
  std::vector<std::string> environmentStrings_;
};

/// A host as Chrome starts it, with the test bed's environment, past its hello.
std::unique_ptr<HostProcess> startHost(const std::string& binary, const Testbed& bed) {
  auto host = std::make_unique<HostProcess>(binary, std::vector<std::string>{kExtensionArgument}, bed.environment(),
                                            bed.scratch() / "host-stderr.log");
  const json hello = host->receive(10s);
  if (!hello.contains("hello")) throw std::runtime_error("the host did not say hello: " + hello.dump());
  return host;
}

/// Lets the host exit as when the browser closes the port, so no session is open on the token afterwards.
void stopHost(std::unique_ptr<HostProcess>& host) {
  host->closeStdin();
  host->wait(10s);
  host.reset();
}

/// Sends a request and waits for its answer, skipping progress; throws when the answer is not ok.
json callHost(HostProcess& host, const std::string& command, const json& params) {
  static int nextRequest = 0;
  const std::string id = command + "-" + std::to_string(++nextRequest);
  host.send({{"id", id}, {"command", command}, {"origin", kOrigin}, {"params", params}});
  for (;;) {
    json message = host.receiveFor(id, kCardTimeout);
    if (message.contains("progress")) continue;
    if (!message.value("ok", false)) throw std::runtime_error(command + " failed: " + message.dump());
    return message["result"];
  }
}

/// callHost timed from the request leaving us to its answer arriving.
double timedHostCallMs(HostProcess& host, const std::string& command, const json& params) {
  const auto start = Clock::now();
  callHost(host, command, params);
  return elapsedMs(start);
}

json generateParams(const std::vector<std::string>& usages, const json& pins) {
  json keys = json::array();
  for (const auto& usage : usages) keys.push_back({{"usage", usage}, {"keySize", 2048}});
  return {{"subject", json::array({{{"type", "CN"}, {"value", "Benchmark"}}})}, {"keys", keys}, {"pins", pins}};
}

std::string softhsmModule(const Testbed& bed) {
  const json config = json::parse(readFile(bed.get("CERTBRIDGE_CONFIG")));
  return config["cardProfiles"][0]["module"].get<std::string>();
}

void resetTokens(const Testbed& bed, Pkcs11Tool& tool) {
  std::string output;
  if (!bed.run("reset-tokens", &output)) throw std::runtime_error("testbed.sh reset-tokens failed: " + output);
  tool.selectToken(kTokenLabel);
}

struct KeygenFigures {
  std::vector<double> hostMs;
  std::vector<double> toolMs;
  std::vector<ProcessRun> toolRuns;
};

// Keygen: one RSA-2048 key. The host answers a generateKeyPair request on a process that is already running (as
// the extension keeps it); pkcs11-tool is timed as the whole process, which is how it is used.
KeygenFigures benchmarkKeygen(HostProcess& host, Pkcs11Tool& tool, const json& pins, int runs) {
  const json params = generateParams({"signing"}, pins);
  int nextToolKey = 0;
  const auto toolKeygen = [&] {
    char id[16];
    std::snprintf(id, sizeof id, "be7c%04x", ++nextToolKey);  // unique CKA_ID; the token keeps every key
    return tool.runLoggedIn({"--keypairgen", "--key-type", "rsa:2048", "--id", id, "--label", "bench"});
  };
  callHost(host, "generateKeyPair", params);  // warm-up: module loaded, caches and page cache filled
  toolKeygen();
  KeygenFigures figures;
  for (int i = 0; i < runs; ++i) {
    figures.hostMs.push_back(timedHostCallMs(host, "generateKeyPair", params));
    figures.toolRuns.push_back(toolKeygen());
    figures.toolMs.push_back(figures.toolRuns.back().wallMs);
  }
  return figures;
}

struct SignFigures {
  std::vector<double> hostMs;
  std::vector<double> hostListCertificatesMs;
  std::vector<double> toolSignMs;
  std::vector<double> toolStartMs;         ///< --show-info: process start, module load, slot list; no token read
  std::vector<double> toolListSlotsMs;     ///< --list-slots: that, plus every token's information read and printed
  std::vector<double> toolProcessStartMs;  ///< --help: the process start alone
  std::vector<double> hostFreshMs;         ///< authenticate as the first request of a fresh host (after its hello)
  json authenticateParams;                 ///< the request both sign measurements use
};

// Sign: the host's authenticate with an explicit certificate against pkcs11-tool signing with the same key. A
// pkcs11-tool run pays process start and module load (C_Initialize, slot listing), then login, key search and the
// signature; a running host has started and loaded the module already and pays, per request, login, key search and
// signature plus its own checks (card in the reader, certificate, lock). So pkcs11-tool's cost without process start
// is the median of a --sign run minus the median of a --show-info run, which makes exactly the calls the --sign run
// makes before it touches the token (C_Initialize, the slot list; C_Finalize at the end) and prints a few lines:
// what is left is reading the token, login, key search and signature, the work both do.
//
// Sessions 3 and 4 subtracted a --list-slots run instead. That run also reads and prints every slot's and token's
// information (three of each on this token directory), which the --sign run does not do, so it took about
// 0.05-0.1 ms too much off pkcs11-tool's figure. The ratio against that stricter baseline is still printed.
SignFigures benchmarkSign(HostProcess& host, Pkcs11Tool& tool, TestCa& ca, const json& pins, const fs::path& scratch,
                          int runs) {
  const json generated = callHost(host, "generateKeyPair", generateParams({"signing"}, pins));
  const std::string certificatePem = ca.issue(generated["requests"][0]["request"], 365);
  const json written =
      callHost(host, "writeCertificates", {{"certificates", json::array({certificatePem})}, {"pins", pins}});
  const std::string certificateId = written["certificates"][0]["id"];
  const std::string keyId = written["certificates"][0]["keyId"];

  std::vector<std::uint8_t> challenge(32);
  for (std::size_t i = 0; i < challenge.size(); ++i) challenge[i] = static_cast<std::uint8_t>(i * 7 + 3);
  const json authenticateParams = {
      {"challenge", base64Encode(challenge)}, {"certificate", certificateId}, {"pins", pins}};
  // 64 bytes: as long as what authenticate signs, SHA-256(origin) || SHA-256(challenge), hashed again by the mechanism.
  const fs::path input = scratch / "sign-input.bin";
  writeFile(input, std::vector<std::uint8_t>(64, 0x5a));
  const std::string output = (scratch / "sign-output.bin").string();
  const std::vector<std::string> signArgs{"--sign",       "--mechanism",  "SHA256-RSA-PKCS", "--id", keyId,
                                          "--input-file", input.string(), "--output-file",   output};
  const std::vector<std::string> startArgs{"--show-info"};  // process start, module load, slot list
  const std::vector<std::string> listSlotsArgs{"--list-slots"};

  callHost(host, "authenticate", authenticateParams);  // warm-up
  callHost(host, "listCertificates", json::object());
  tool.runLoggedIn(signArgs);
  tool.runOnSlot(startArgs);
  tool.runOnSlot(listSlotsArgs);
  SignFigures figures;
  figures.authenticateParams = authenticateParams;
  for (int i = 0; i < runs; ++i) {
    figures.hostMs.push_back(timedHostCallMs(host, "authenticate", authenticateParams));
    figures.toolSignMs.push_back(tool.runLoggedIn(signArgs).wallMs);
    figures.toolStartMs.push_back(tool.runOnSlot(startArgs).wallMs);
    figures.toolListSlotsMs.push_back(tool.runOnSlot(listSlotsArgs).wallMs);
    figures.hostListCertificatesMs.push_back(timedHostCallMs(host, "listCertificates", json::object()));
  }
  return figures;
}

// Sign as the browser uses the host: a fresh host process per operation. Its process start is the time to its
// hello; the first authenticate then pays the module load, the card checks, login, key search and signature,
// which is what pkcs11-tool's --sign pays beyond its own process start (--help).
void benchmarkFreshSign(const std::string& hostBinary, const Testbed& bed, Pkcs11Tool& tool, const json& params,
                        int runs, SignFigures& figures) {
  for (int i = 0; i < runs; ++i) {
    auto host = startHost(hostBinary, bed);
    figures.hostFreshMs.push_back(timedHostCallMs(*host, "authenticate", params));
    stopHost(host);
    figures.toolProcessStartMs.push_back(tool.runProcessStartOnly().wallMs);
  }
}

// Peak memory: one host process through a card's whole life (apply, renew, remove the old generation), the
// figure that matters for a process the browser keeps open.
long hostPeakRssAfterFullCycleKib(HostProcess& host, TestCa& ca, const json& pins) {
  const auto issueAll = [&](const json& generated) {
    json certificates = json::array();
    for (const auto& entry : generated["requests"]) certificates.push_back(ca.issue(entry["request"], 365));
    return certificates;
  };
  const json oldCertificates =
      issueAll(callHost(host, "generateKeyPair", generateParams({"signing", "encryption"}, pins)));
  const json oldWritten =
      callHost(host, "writeCertificates",
               {{"certificates", oldCertificates}, {"caCertificates", json::array({ca.pem()})}, {"pins", pins}});
  callHost(host, "signRenewal", {{"data", base64Encode({'r', 'e', 'n', 'e', 'w', 'a', 'l'})}, {"pins", pins}});
  const json newCertificates =
      issueAll(callHost(host, "generateKeyPair", generateParams({"signing", "encryption"}, pins)));
  callHost(host, "writeCertificates", {{"certificates", newCertificates}, {"pins", pins}});
  callHost(host, "authenticate", {{"challenge", base64Encode(std::vector<std::uint8_t>(32, 0x42))}, {"pins", pins}});
  json oldIds = json::array();
  for (const auto& entry : oldWritten["certificates"]) oldIds.push_back(entry["id"]);
  const json removal = callHost(host, "writeCertificates",
                                {{"certificates", newCertificates}, {"removeCertificates", oldIds}, {"pins", pins}});
  if (removal["removed"].size() != 2) throw std::runtime_error("the old certificates were not removed");
  return peakRssKib(std::to_string(host.pid()));
}

void printTable(int runs, int keygenRuns, const KeygenFigures& keygen, const SignFigures& sign, long hostPeakKib) {
  const double hostKeygenMs = median(keygen.hostMs);
  const double toolKeygenMs = median(keygen.toolMs);
  const double hostSignMs = median(sign.hostMs);
  const double toolSignProcessMs = median(sign.toolSignMs);
  const double toolStartMs = median(sign.toolStartMs);
  const double toolSignMs = toolSignProcessMs - toolStartMs;
  std::vector<double> toolPeaks;
  long spawnerPeakKib = 0;
  for (const auto& run : keygen.toolRuns) {
    toolPeaks.push_back(static_cast<double>(run.peakRssKib));
    spawnerPeakKib = std::max(spawnerPeakKib, run.spawnerPeakRssKib);
  }
  const long toolPeakKib = static_cast<long>(median(toolPeaks));

  std::printf(
      "CertBridge card benchmark: certbridge-host vs pkcs11-tool, SoftHSM2 token \"%s\", %d runs each (keygen %d), "
      "interleaved, medians\n",
      kTokenLabel, runs, keygenRuns);
  std::printf("%-36s %12s %12s %8s %10s\n", "measure", "host", "pkcs11-tool", "ratio", "target");
  std::printf("%-36s %10.2fms %10.2fms %7.2fx %10s\n", "keygen RSA-2048", hostKeygenMs, toolKeygenMs,
              hostKeygenMs / toolKeygenMs, "<= 1.05x");
  std::printf("%-36s %10.2fms %10.2fms %7.2fx %10s\n", "sign SHA256-RSA-PKCS (see legend)", hostSignMs, toolSignMs,
              hostSignMs / toolSignMs, "<= 1.10x");
  const double hostFreshMs = median(sign.hostFreshMs);
  const double toolFreshMs = toolSignProcessMs - median(sign.toolProcessStartMs);
  std::printf("%-36s %10.2fms %10.2fms %7.2fx %10s\n", "sign, fresh process (see legend)", hostFreshMs, toolFreshMs,
              hostFreshMs / toolFreshMs, "<= 1.10x");
  std::printf("%-36s %10.1fMB %10.1fMB %7.2fx %10s\n", "peak RSS (host: full cycle)", mebibytes(hostPeakKib),
              mebibytes(toolPeakKib), static_cast<double>(hostPeakKib) / static_cast<double>(toolPeakKib), "< 20 MB");
  std::printf("reference figures (medians):\n");
  std::printf("  %-62s %8.2fms\n", "pkcs11-tool --sign, whole process", toolSignProcessMs);
  std::printf("  %-62s %8.2fms\n", "pkcs11-tool --show-info (start, module load, slot list)", toolStartMs);
  const double toolListSlotsMs = median(sign.toolListSlotsMs);
  std::printf("  %-62s %8.2fms\n", "pkcs11-tool --list-slots (that, and every token's info read)", toolListSlotsMs);
  std::printf("  %-62s %7.2fx\n", "sign ratio with --list-slots as the baseline (stricter)",
              hostSignMs / (toolSignProcessMs - toolListSlotsMs));
  std::printf("  %-62s %8.2fms\n", "host listCertificates (no login; fixed cost of a card request)",
              median(sign.hostListCertificatesMs));
  std::printf("  %-62s %8.2fms\n", "pkcs11-tool --help (process start only)", median(sign.toolProcessStartMs));
  std::printf("legend:\n");
  std::printf(
      "  keygen: host = generateKeyPair request to answer on a running host (login, one key, its PKCS#10\n"
      "          request); pkcs11-tool = --keypairgen as a whole process (start, module load, login, keygen).\n");
  std::printf(
      "  sign:   host = authenticate request to answer on a running host (login, certificate by id, one\n"
      "          signature over 64 bytes); pkcs11-tool = median of --sign --mechanism SHA256-RSA-PKCS over\n"
      "          64 bytes (logged in) MINUS median of --show-info (process start, module load, slot list; no\n"
      "          token read), i.e. the sign run's token read + login + key search + signature.\n"
      "  sign, fresh process: as the browser uses it, one host process per operation. host = the first\n"
      "          authenticate on a fresh host, timed from after its hello (so without its process start):\n"
      "          module load, card checks, login, key search, signature; pkcs11-tool = --sign whole process\n"
      "          MINUS --help (its process start alone).\n");
  std::printf(
      "  RSS:    host = VmHWM of one host process after generate 2 -> write (with CA) -> signRenewal ->\n"
      "          generate 2 -> write -> authenticate -> write removing the old two; pkcs11-tool = ru_maxrss\n"
      "          (wait4) of a keygen run, a reference.\n");
  if (toolPeakKib <= spawnerPeakKib) {
    std::printf(
        "  note:   pkcs11-tool's ru_maxrss (%.1f MB) is not above this benchmark's own peak (%.1f MB), which\n"
        "          Linux counts in a spawned child's ru_maxrss: its real peak is at most that.\n",
        mebibytes(toolPeakKib), mebibytes(spawnerPeakKib));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s HOST_BINARY [--runs N] [--keygen-runs N]\n", argv[0]);
    return 2;
  }
  const std::string hostBinary = argv[1];
  // Sign runs are cheap (about 30 ms per round of every measure) and pkcs11-tool's figure is a difference of two
  // process medians, which needs many samples to settle.
  int runs = 101;
  int keygenRuns = 41;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--keygen-runs") == 0) keygenRuns = std::atoi(argv[i + 1]);
  }
  if (runs < 1 || keygenRuns < 1) {
    std::fprintf(stderr, "--runs and --keygen-runs must be at least 1\n");
    return 2;
  }
  if (::geteuid() != 0) {
    std::printf(
        "skipped: the card benchmark needs root: its test bed runs pcscd in a private mount namespace "
        "(tests/testbed/testbed.sh). Run it as root, e.g. "
        "sudo cmake --build --preset ci --target card-benchmark\n");
    return 0;
  }
  if (!onPath("pkcs11-tool")) {
    std::printf("skipped: pkcs11-tool (OpenSC) is not installed; tests/install-dependencies.sh installs it\n");
    return 0;
  }

  std::string skipReason;
  std::string failure;
  const std::unique_ptr<Testbed> bed = Testbed::start(skipReason, failure);
  if (!bed) {
    if (!failure.empty()) {
      std::fprintf(stderr, "benchmark failed: %s\n", failure.c_str());
      return 1;
    }
    std::printf("skipped: %s\n", skipReason.c_str());
    return 0;
  }
  try {
    const std::string pin = bed->get("CERTBRIDGE_TESTBED_USER_PIN");
    const json pins = json::array({pin});
    Pkcs11Tool tool(*bed, softhsmModule(*bed), pin);
    tool.selectToken(kTokenLabel);
    TestCa ca("CertBridge Benchmark CA");

    auto host = startHost(hostBinary, *bed);
    const KeygenFigures keygen = benchmarkKeygen(*host, tool, pins, keygenRuns);
    stopHost(host);

    // A blank token again, so the sign phase's listing and the full cycle do not see the keygen phase's keys.
    resetTokens(*bed, tool);
    host = startHost(hostBinary, *bed);
    SignFigures sign = benchmarkSign(*host, tool, ca, pins, bed->scratch(), runs);
    stopHost(host);
    benchmarkFreshSign(hostBinary, *bed, tool, sign.authenticateParams, runs, sign);

    resetTokens(*bed, tool);
    host = startHost(hostBinary, *bed);
    const long hostPeakKib = hostPeakRssAfterFullCycleKib(*host, ca, pins);
    stopHost(host);

    printTable(runs, keygenRuns, keygen, sign, hostPeakKib);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
