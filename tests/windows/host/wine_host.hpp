#pragma once
// The Windows host under wine, driven from Linux through the same client the Linux integration tests use
// (tests/integration/host/host_process.hpp): `wine certbridge-host.exe` over pipes, in a private wine prefix
// made once for the whole test binary.
//
// Wine has no PC/SC service (its winscard.dll is a stub) and no card middleware, so the card commands run
// against the project's two test doubles, built with the host by the `windows` preset: a mock PKCS#11 DLL
// whose token keeps its state in a file, and a mock winscard.dll showing one reader with that card. Wine
// loads the mock winscard.dll instead of its own when it sits beside the exe and WINEDLLOVERRIDES says
// "winscard=n". Hosts started without the doubles meet wine's own stub, as a Windows PC without a running
// Smart Card service would.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "host_process.hpp"
#include "requests.hpp"

namespace certbridge::host::integration {

using nlohmann::json;

inline constexpr const char* kChromeCaller = "chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/";

/// How a Windows program under wine names a Linux path: Z:\ is the whole Linux file system in every prefix.
std::string windowsPath(const std::filesystem::path& path);

/// The wine prefix and the Windows build, shared by every test of the binary. Skips (or, with CI set,
/// fails) every test when wine or the Windows build is missing.
class WineHost : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  enum class Card { MockReaderAndToken, NoPcscService };

  /// A host as Chrome starts it; waits for its hello.
  std::unique_ptr<HostProcess> startHost(Card card = Card::MockReaderAndToken);
  /// The copy of certbridge-host.exe a host of this kind runs (one folder holds the test doubles beside it).
  static std::filesystem::path hostExe(Card card = Card::NoPcscService);
  /// Runs `wine ARGUMENTS...` in the suite's prefix and waits for the wine server to write its registry;
  /// the exit status, with stdout and stderr in output.
  static int runWine(const std::vector<std::string>& arguments, std::string& output);

  /// Sends message and waits for its answer, collecting progress.
  Answer call(HostProcess& host, const json& message, std::chrono::milliseconds timeout = std::chrono::seconds(120));
  /// call() that must succeed; returns the result.
  json ok(HostProcess& host, const json& message);

  /// A fresh card: the mock token blank again (user PIN userPin(), SO PIN soPin(), no objects).
  void resetCard();
  /// Pulls the card out of the mock reader, or puts it back.
  void setCardPresent(bool present);

  static std::string userPin() { return "123456"; }
  static std::string soPin() { return "87654321"; }
  static const std::filesystem::path& scratch();
  /// The prefix's user registry as wine writes it to disk (user.reg), after its server has exited.
  static std::string userRegistry();
  /// The host's log file (%LOCALAPPDATA%\CertBridge\logs of the prefix's user).
  static std::string hostLog();
};

}  // namespace certbridge::host::integration
