// certbridge-host: the native-messaging host, started by the browser, and its installer commands.
//   certbridge-host chrome-extension://<id>/ [--parent-window=N]   started by Chrome, Chromium, Edge
//   certbridge-host <manifest path> <add-on id>                     started by Firefox
//   certbridge-host --version | --help
//   certbridge-host install|uninstall [options]                     see manifest_cli.cpp

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "certbridge/build_info.hpp"
#include "certbridge/host/config.hpp"
#include "certbridge/host/host_policy.hpp"
#include "certbridge/host/logging.hpp"
#include "certbridge/host/manifest_installer.hpp"
#include "certbridge/host/native_messaging.hpp"
#include "certbridge/host/session.hpp"
#include "platform/environment.hpp"
#include "platform/standard_streams.hpp"
#include "process_hardening.hpp"
#include "secret_memory.hpp"

namespace {

using namespace certbridge;

constexpr const char* kHelp =
    "certbridge-host: CertBridge native-messaging host.\n"
    "Browsers start it; by hand:\n"
    "  certbridge-host --version\n"
    "  certbridge-host install [--user|--system] [--browser NAME]... [--host-path PATH]\n"
    "                          [--chrome-extension-id ID]... [--firefox-extension-id ID]... [--destdir DIR]\n"
    "  certbridge-host uninstall [--user|--system] [--browser NAME]... [--destdir DIR]\n"
    "    (--user for every browser also removes this user's host logs and the card modules that\n"
    "     registerCertificates added to the user's NSS databases)\n"
    "Browsers: chrome, chromium, edge, firefox, all (default).\n";

// Who started us, for the log: Chrome's extension origin or Firefox's add-on ID.
std::string caller(const std::vector<std::string>& args) {
  if (args.empty()) return "-";
  if (args[0].rfind("chrome-extension://", 0) == 0) return args[0];
  if (args.size() >= 2) return args[1];
  return "-";
}

int runHost(const std::vector<std::string>& args) {
  const int framesFd = host::platform::takeStandardStreams();

  host::HostState state = host::loadHostState();
  std::string sources;
  for (const auto& source : state.config.policy.sources) {
    sources += (sources.empty() ? "" : ", ") + source.name + (source.location.empty() ? "" : " " + source.location);
  }
  spdlog::info("certbridge-host {} started for {} (configuration: {}; log level {} from {})", build::kVersion,
               caller(args), sources, state.config.logLevel, state.config.policy.logLevelFrom.front());

  host::FdSource in(0);
  host::FdSink out(framesFd);
  const int code = host::runSession(in, out, state, host::SessionEnd::ProcessExits);
  spdlog::info("certbridge-host exiting with {}", code);
  spdlog::shutdown();
  // The last reply is out and the log flushed: nothing left is worth the exit handlers' time (OpenSSL's and
  // libp11's cleanup, destructors of objects the process drops anyway).
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: OpenSSL's allocator can only be set before its first allocation, and no PIN may
  // reach memory that a core file or crash report could take.
  if (!host::wipeOpenSslMemoryOnFree()) std::cerr << "certbridge-host: cannot make OpenSSL wipe freed memory\n";
  host::hardenProcess();
  const std::vector<std::string> args = host::platform::commandLineArguments(argc, argv);
  if (!args.empty()) {
    const std::string& first = args[0];
    if (first == "--version") {
      std::cout << "certbridge-host " << build::kVersion << "\n";
      return 0;
    }
    if (first == "--help" || first == "-h") {
      std::cout << kHelp;
      return 0;
    }
    if (first == "install" || first == "uninstall") {
      return host::runManifestCommand(first, std::span<const std::string>(args).subspan(1), std::cout, std::cerr);
    }
    // Chrome passes chrome-extension://<id>/ (and on Windows --parent-window=N), Firefox a manifest path
    // and an add-on ID; any other option is a mistake made by hand.
    if (first.rfind("-", 0) == 0 && first.rfind("--parent-window=", 0) != 0) {
      std::cerr << "certbridge-host: unknown option " << first << "\n" << kHelp;
      return 2;
    }
  }
  try {
    return runHost(args);
  } catch (const std::exception& e) {
    spdlog::critical("certbridge-host: fatal: {}", e.what());
    return 1;
  }
}
