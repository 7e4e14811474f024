// Card benchmark: the host's card commands next to pkcs11-tool (OpenSC) on the same SoftHSM2 token of the virtual
// test bed, measured in the same run so the ratios compare across machines. Host and pkcs11-tool runs alternate so
// machine noise hits both alike. Prints medians with their spread and the definitions of every figure (at the end
// of the output); asserts nothing.
//
//   certbridge-card-benchmark HOST_BINARY [--runs N] [--keygen-runs N]
//
// The headline is a signature as the browser gets it: a fresh host process per operation, timed end to end from its
// spawn to the signature reply, against the whole `pkcs11-tool --sign` process. Keygen gets more runs than the rest:
// an RSA key's prime search takes a random time (0.2 s to 2 s on SoftHSM2).
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
#include "measure.hpp"
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

using namespace certbridge::benchmark;

double elapsedMs(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double mebibytes(long kib) {
  return static_cast<double>(kib) / 1024;
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

/// One finished child process: wall time from spawn until reaped, its CPU time and peak RSS as wait4 reports them.
struct ProcessRun {
  double wallMs = 0;
  double cpuMs = 0;
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

  /// runLoggedIn under callgrind: the instructions of the whole pkcs11-tool process.
  std::uint64_t instructionsLoggedIn(const std::vector<std::string>& args, const fs::path& callgrindFile) {
    std::vector<std::string> all{"--slot", slot_, "--login", "--pin", pin_};
    all.insert(all.end(), args.begin(), args.end());
    run(all, 0, {"valgrind", "--tool=callgrind", "--callgrind-out-file=" + callgrindFile.string(), "-q"});
    const auto count = callgrindInstructions(callgrindFile.string());
    if (!count) throw std::runtime_error("callgrind counted nothing for pkcs11-tool");
    return *count;
  }

 private:
  /// `pkcs11-tool --module M args...`, output into output_; throws with the output when it fails.
  ProcessRun run(const std::vector<std::string>& args, int expectedExit = 0,
                 const std::vector<std::string>& wrapper = {}) {
    std::vector<std::string> argStrings = wrapper;
    for (const std::string part : {"pkcs11-tool", "--module"}) argStrings.push_back(part);
    argStrings.push_back(module_);
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
    result.spawnerPeakRssKib = peakRssKib(static_cast<long>(::getpid()));
    pid_t pid = -1;
    const auto start = Clock::now();
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argStrings[0] + ": " + std::strerror(rc));
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0) {
      if (errno != EINTR) throw std::runtime_error(std::string("wait4: ") + std::strerror(errno));
    }
    result.wallMs = elapsedMs(start);
    result.peakRssKib = usage.ru_maxrss;  // KiB on Linux
    result.cpuMs = cpuMs(usage);
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

/// The key and certificate the sign measurements use, and the requests and arguments that sign with them.
struct SignSetup {
  json authenticateParams;
  std::vector<std::string> toolSignArgs;
};

SignSetup prepareSign(HostProcess& host, TestCa& ca, const json& pins, const fs::path& scratch) {
  const json generated = callHost(host, "generateKeyPair", generateParams({"signing"}, pins));
  const std::string certificatePem = ca.issue(generated["requests"][0]["request"], 365);
  const json written =
      callHost(host, "writeCertificates", {{"certificates", json::array({certificatePem})}, {"pins", pins}});
  std::vector<std::uint8_t> challenge(32);
  for (std::size_t i = 0; i < challenge.size(); ++i) challenge[i] = static_cast<std::uint8_t>(i * 7 + 3);
  SignSetup setup;
  setup.authenticateParams = {
      {"challenge", base64Encode(challenge)}, {"certificate", written["certificates"][0]["id"]}, {"pins", pins}};
  // 64 bytes: as long as what authenticate signs, SHA-256(origin) || SHA-256(challenge), hashed again by the mechanism.
  const fs::path input = scratch / "sign-input.bin";
  writeFile(input, std::vector<std::uint8_t>(64, 0x5a));
  setup.toolSignArgs = {"--sign",
                        "--mechanism",
                        "SHA256-RSA-PKCS",
                        "--id",
                        written["certificates"][0]["keyId"],
                        "--input-file",
                        input.string(),
                        "--output-file",
                        (scratch / "sign-output.bin").string()};
  return setup;
}

/// Waits past the progress messages for the authenticate reply, which must be ok.
void awaitSignature(HostProcess& host) {
  for (;;) {
    const json message = host.receiveFor("sign", kCardTimeout);
    if (message.contains("progress")) continue;
    if (!message.value("ok", false)) throw std::runtime_error("authenticate failed: " + message.dump());
    return;
  }
}

/// A fresh host answering one authenticate, end to end: spawn to the signature reply, then its exit.
ProcessRun freshHostSign(const std::string& hostBinary, const Testbed& bed, const json& params) {
  ProcessRun run;
  const auto start = Clock::now();
  HostProcess host(hostBinary, {kExtensionArgument}, bed.environment(), bed.scratch() / "host-stderr.log");
  host.send({{"id", "sign"}, {"command", "authenticate"}, {"origin", kOrigin}, {"params", params}});
  awaitSignature(host);
  run.wallMs = elapsedMs(start);
  run.peakRssKib = peakRssKib(static_cast<long>(host.pid()));
  host.closeStdin();
  if (host.wait(10s) != 0) throw std::runtime_error("the host did not exit cleanly after authenticate");
  run.cpuMs = cpuMs(host.resourceUsage());
  return run;
}

/// The same under callgrind: the instructions of the whole host process.
std::uint64_t freshHostSignInstructions(const std::string& hostBinary, const Testbed& bed, const json& params,
                                        const fs::path& callgrindFile) {
  {
    HostProcess host(
        "/usr/bin/valgrind",
        {"--tool=callgrind", "--callgrind-out-file=" + callgrindFile.string(), "-q", hostBinary, kExtensionArgument},
        bed.environment(), bed.scratch() / "host-callgrind-stderr.log");
    host.send({{"id", "sign"}, {"command", "authenticate"}, {"origin", kOrigin}, {"params", params}});
    awaitSignature(host);
    host.closeStdin();
    if (host.wait(120s) != 0) throw std::runtime_error("the host under callgrind did not exit cleanly");
  }
  const auto count = callgrindInstructions(callgrindFile.string());
  if (!count) throw std::runtime_error("callgrind counted nothing for the host");
  return *count;
}

struct FreshSignFigures {
  std::vector<double> hostWallMs, toolWallMs, hostCpuMs, toolCpuMs, wallRatios, cpuRatios;
  long hostPeakKib = 0;
  std::optional<std::uint64_t> hostInstructions, toolInstructions;
};

FreshSignFigures benchmarkFreshSign(const std::string& hostBinary, const Testbed& bed, Pkcs11Tool& tool,
                                    const SignSetup& setup, int runs) {
  FreshSignFigures figures;
  freshHostSign(hostBinary, bed, setup.authenticateParams);  // warm-up: page cache, pcscd, token files
  tool.runLoggedIn(setup.toolSignArgs);
  for (int i = 0; i < runs; ++i) {
    const ProcessRun host = freshHostSign(hostBinary, bed, setup.authenticateParams);
    const ProcessRun toolRun = tool.runLoggedIn(setup.toolSignArgs);
    figures.hostWallMs.push_back(host.wallMs);
    figures.hostCpuMs.push_back(host.cpuMs);
    figures.toolWallMs.push_back(toolRun.wallMs);
    figures.toolCpuMs.push_back(toolRun.cpuMs);
    figures.wallRatios.push_back(host.wallMs / toolRun.wallMs);
    figures.cpuRatios.push_back(host.cpuMs / std::max(toolRun.cpuMs, 0.001));
    figures.hostPeakKib = std::max(figures.hostPeakKib, host.peakRssKib);
  }
  if (valgrindAvailable()) {
    figures.hostInstructions =
        freshHostSignInstructions(hostBinary, bed, setup.authenticateParams, bed.scratch() / "host.callgrind");
    figures.toolInstructions = tool.instructionsLoggedIn(setup.toolSignArgs, bed.scratch() / "tool.callgrind");
  }
  return figures;
}

/// Running-host figures: a request answered by a host that is already up (as while the extension keeps its port).
struct RunningHostFigures {
  std::vector<double> signMs, listMs;
};

RunningHostFigures benchmarkRunningHost(HostProcess& host, const SignSetup& setup, int runs) {
  RunningHostFigures figures;
  callHost(host, "authenticate", setup.authenticateParams);  // warm-up
  callHost(host, "listCertificates", json::object());
  for (int i = 0; i < runs; ++i) {
    figures.signMs.push_back(timedHostCallMs(host, "authenticate", setup.authenticateParams));
    figures.listMs.push_back(timedHostCallMs(host, "listCertificates", json::object()));
  }
  return figures;
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
  return peakRssKib(static_cast<long>(host.pid()));
}

void printFigures(int runs, int keygenRuns, const FreshSignFigures& fresh, const KeygenFigures& keygen,
                  const RunningHostFigures& running, long hostCyclePeakKib) {
  std::printf("CertBridge card benchmark, %s\nmachine: %s\n", today().c_str(), machineLine().c_str());
  std::printf(
      "SoftHSM2 token \"%s\" of the virtual test bed; %d runs each (keygen %d), host and pkcs11-tool "
      "interleaved\n\n",
      kTokenLabel, runs, keygenRuns);
  const Spread hostWall = spreadOf(fresh.hostWallMs), toolWall = spreadOf(fresh.toolWallMs);
  const Spread hostCpu = spreadOf(fresh.hostCpuMs), toolCpu = spreadOf(fresh.toolCpuMs);
  std::printf("sign, fresh process, end to end (median [IQR q1-q3, range min-max])\n");
  std::printf("  %-20s %-46s %-46s\n", "", "certbridge-host authenticate", "pkcs11-tool --sign");
  std::printf("  %-20s %-46s %-46s\n", "wall ms", describe(hostWall).c_str(), describe(toolWall).c_str());
  std::printf("  %-20s %-46s %-46s\n", "CPU ms (user+sys)", describe(hostCpu).c_str(), describe(toolCpu).c_str());
  if (fresh.hostInstructions && fresh.toolInstructions) {
    std::printf("  %-20s %-46.2f %-46.2f\n", "instructions M", static_cast<double>(*fresh.hostInstructions) / 1e6,
                static_cast<double>(*fresh.toolInstructions) / 1e6);
  } else {
    std::printf("  %-20s not counted: valgrind is not installed\n", "instructions");
  }
  std::printf("\ntargets (ratios within this run)\n");
  std::printf("  %-44s %6.2fx (per-pair ratios %s)  <= 1.0x  %s\n", "sign wall, host / pkcs11-tool (medians)",
              hostWall.median / toolWall.median, describe(spreadOf(fresh.wallRatios)).c_str(),
              verdict(hostWall.median <= toolWall.median));
  std::printf("  %-44s %6.2fx (per-pair ratios %s)  <= 1.0x  %s\n", "sign CPU, host / pkcs11-tool (medians)",
              hostCpu.median / toolCpu.median, describe(spreadOf(fresh.cpuRatios)).c_str(),
              verdict(hostCpu.median <= toolCpu.median));
  if (fresh.hostInstructions && fresh.toolInstructions) {
    const double ratio = static_cast<double>(*fresh.hostInstructions) / static_cast<double>(*fresh.toolInstructions);
    std::printf("  %-44s %6.2fx  <= 1.0x  %s\n", "sign instructions, host / pkcs11-tool", ratio, verdict(ratio <= 1.0));
  }

  std::printf("\nrunning host (a request to a host that is already up; NOT end to end, for reference)\n");
  std::printf("  %-44s %s ms\n", "authenticate (login, key, signature)", describe(spreadOf(running.signMs)).c_str());
  std::printf("  %-44s %s ms\n", "listCertificates (no login)", describe(spreadOf(running.listMs)).c_str());
  std::printf("  %-44s %s ms\n", "generateKeyPair RSA-2048 (host, running)", describe(spreadOf(keygen.hostMs)).c_str());
  std::printf("  %-44s %s ms\n", "pkcs11-tool --keypairgen (whole process)", describe(spreadOf(keygen.toolMs)).c_str());
  std::printf("\nmemory\n");
  std::printf("  %-44s %.1f MB\n", "host peak RSS, fresh authenticate (max)", mebibytes(fresh.hostPeakKib));
  std::printf("  %-44s %.1f MB\n", "host peak RSS after a card's whole cycle", mebibytes(hostCyclePeakKib));

  std::printf(
      "\ndefinitions\n"
      "  end to end: host = posix_spawn of certbridge-host, the authenticate request written at once, until its\n"
      "    reply is read (the hello comes first): process start, module load, card and reader checks, login, key\n"
      "    search, signature. pkcs11-tool = the whole `pkcs11-tool --login --sign --mechanism SHA256-RSA-PKCS\n"
      "    --id ID` process over 64 bytes, spawn to reaped. Neither figure subtracts anything.\n"
      "  wall: steady clock here. CPU: user+sys of the child from wait4 after it exited (the host exits when we\n"
      "    close its stdin after the reply), so both include their exit. pcscd's own CPU (the host checks the\n"
      "    reader, pkcs11-tool on SoftHSM2 does not) is in neither.\n"
      "  instructions: callgrind's count of the whole process, same request; repeatable on a loaded machine.\n"
      "  ratios: of the medians of interleaved runs (host, pkcs11-tool, host, ...), and the spread of per-pair\n"
      "    ratios. Running-host figures start the clock at the request, on a host that answered before.\n"
      "  earlier figures (before 2026-12) started the host's clock after its hello and subtracted pkcs11-tool\n"
      "    --help or --show-info runs from pkcs11-tool: they flattered the host and are no longer printed.\n"
      "  PKCS#11 calls per operation: `ctest --preset ci -R host_card_commands` (CallCounts test) prints them,\n"
      "    host against pkcs11-tool, through tests/pkcs11_counter.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s HOST_BINARY [--runs N] [--keygen-runs N]\n", argv[0]);
    return 2;
  }
  const std::string hostBinary = argv[1];
  // A round (fresh host sign, pkcs11-tool sign, running-host sign and list) takes about 40 ms.
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
    const SignSetup sign = prepareSign(*host, ca, pins, bed->scratch());
    const RunningHostFigures running = benchmarkRunningHost(*host, sign, runs);
    stopHost(host);
    const FreshSignFigures fresh = benchmarkFreshSign(hostBinary, *bed, tool, sign, runs);

    resetTokens(*bed, tool);
    host = startHost(hostBinary, *bed);
    const long hostCyclePeakKib = hostPeakRssAfterFullCycleKib(*host, ca, pins);
    stopHost(host);

    printFigures(runs, keygenRuns, fresh, keygen, running, hostCyclePeakKib);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
