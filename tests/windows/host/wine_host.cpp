#include "wine_host.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "test_files.hpp"
#include "testbed.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Suite {
  std::string skipReason;
  std::string wine;      ///< Absolute path of the wine loader (posix_spawn does not search PATH).
  fs::path scratch;      ///< Everything the suite makes, removed at the end.
  fs::path prefix;       ///< WINEPREFIX.
  fs::path withDoubles;  ///< certbridge-host.exe beside the mock winscard.dll.
  fs::path withoutDoubles;
  fs::path cardState;  ///< The mock token's state file.
  fs::path config;
};
Suite suite;

const fs::path kWindowsBuild = CERTBRIDGE_WINDOWS_BUILD_DIR;
const fs::path kHostExe = kWindowsBuild / "host" / "certbridge-host.exe";
const fs::path kPrograms = kWindowsBuild / "tests" / "windows" / "programs";
const fs::path kMockPkcs11 = kPrograms / CERTBRIDGE_MOCK_PKCS11_DLL;
const fs::path kMockWinscard = kPrograms / CERTBRIDGE_MOCK_WINSCARD_DLL;

std::string shell(const std::string& command) {
  std::string output;
  runCommand(command, output);
  return output;
}

std::map<std::string, std::string> wineEnvironment() {
  return {{"WINEPREFIX", suite.prefix.string()},
          {"WINEDEBUG", "-all"},
          // No display, no Mono or Gecko installers: console programs need neither.
          {"WINEDLLOVERRIDES", "mscoree,mshtml="},
          {"DISPLAY", ""},
          {"CERTBRIDGE_CONFIG", windowsPath(suite.config)},
          {"CERTBRIDGE_MOCK_CARD_STATE", windowsPath(suite.cardState)}};
}

json configuration() {
  return {
      {"allowedOrigins", json::array({kOrigin})},
      {"cardProfiles",
       json::array(
           {{{"id", "certbridge-mock"},
             {"displayName", "CertBridge mock card (wine tests)"},
             {"atr", CERTBRIDGE_MOCK_CARD_ATR},
             {"module", windowsPath(kMockPkcs11)},
             {"pins", json::array({{{"name", "PIN"}, {"minLength", 6}, {"maxLength", 16}, {"maxTries", 3}}})},
             {"keySizes", json::array({2048})},
             {"windows", {{"provider", "Microsoft Smart Card Key Storage Provider"}, {"container", "{keyId}"}}}}})}};
}

}  // namespace

std::string windowsPath(const fs::path& path) {
  std::string text = "Z:" + path.string();
  for (char& c : text) c = c == '/' ? '\\' : c;
  return text;
}

namespace {
void removeScratch() {
  if (suite.scratch.empty()) return;
  std::string ignored;
  runCommand("WINEPREFIX=" + shellQuote(suite.prefix.string()) + " wineserver -k", ignored);
  std::error_code error;
  fs::remove_all(suite.scratch, error);
}
}  // namespace

void WineHost::SetUpTestSuite() {
  if (!suite.scratch.empty() || !suite.skipReason.empty()) return;
  suite.wine = shell("command -v wine");
  while (!suite.wine.empty() && (suite.wine.back() == '\n' || suite.wine.back() == ' ')) suite.wine.pop_back();
  if (suite.wine.empty()) {
    suite.skipReason = "wine not found (Debian packages wine, wine64)";
    return;
  }
  for (const fs::path& needed : {kHostExe, kMockPkcs11, kMockWinscard}) {
    if (!fs::exists(needed)) {
      suite.skipReason = needed.string() + " was not built (build the certbridge_windows_build target)";
      return;
    }
  }
  char pattern[] = "/tmp/certbridge-wine-XXXXXX";
  suite.scratch = ::mkdtemp(pattern);
  // One prefix for every test suite of this program (about 1 GB): removed when the program ends, after its
  // wineserver, so repeated runs do not fill /tmp.
  std::atexit(removeScratch);
  suite.prefix = suite.scratch / "prefix";
  suite.withDoubles = suite.scratch / "with-doubles";
  suite.withoutDoubles = suite.scratch / "without-doubles";
  suite.cardState = suite.scratch / "mock-card.state";
  suite.config = suite.scratch / "config.json";
  fs::create_directories(suite.withDoubles);
  fs::create_directories(suite.withoutDoubles);
  // Copies, so the test double sits beside this exe only and the build's own exe never meets it.
  fs::copy_file(kHostExe, suite.withDoubles / "certbridge-host.exe");
  fs::copy_file(kMockWinscard, suite.withDoubles / "winscard.dll");
  fs::copy_file(kHostExe, suite.withoutDoubles / "certbridge-host.exe");
  writeFile(suite.config, configuration().dump(2));

  std::string environment;
  for (const auto& [name, value] : wineEnvironment()) environment += name + "=" + shellQuote(value) + " ";
  std::string output;
  if (runCommand(environment + shellQuote(suite.wine) + " wineboot --init && " + environment + "wineserver -w",
                 output) != 0) {
    suite.skipReason = "";
    ADD_FAILURE() << "wineboot failed: " << output;
  }
}

void WineHost::TearDownTestSuite() {}

void WineHost::SetUp() {
  if (!suite.skipReason.empty()) {
    if (std::getenv("CI") != nullptr) FAIL() << suite.skipReason << " (CI installs everything)";
    GTEST_SKIP() << suite.skipReason;
  }
}

const fs::path& WineHost::scratch() {
  return suite.scratch;
}

fs::path WineHost::hostExe(Card card) {
  return (card == Card::MockReaderAndToken ? suite.withDoubles : suite.withoutDoubles) / "certbridge-host.exe";
}

int WineHost::runWine(const std::vector<std::string>& arguments, std::string& output) {
  std::string command;
  for (const auto& [name, value] : wineEnvironment()) command += name + "=" + shellQuote(value) + " ";
  command += shellQuote(suite.wine);
  for (const auto& argument : arguments) command += " " + shellQuote(argument);
  const int status = runCommand(command, output);
  std::string ignored;
  runCommand("WINEPREFIX=" + shellQuote(suite.prefix.string()) + " wineserver -w", ignored);
  return status;
}

std::unique_ptr<HostProcess> WineHost::startHost(Card card) {
  auto environment = wineEnvironment();
  if (card == Card::MockReaderAndToken) environment["WINEDLLOVERRIDES"] = "mscoree,mshtml=;winscard=n";
  auto host = std::make_unique<HostProcess>(suite.wine, std::vector<std::string>{hostExe(card).string(), kChromeCaller},
                                            environment, suite.scratch / "host-stderr.log");
  const json hello = host->receive(30s);  // a wine process start takes a moment
  EXPECT_EQ(hello["hello"]["name"], "certbridge-host") << hello.dump();
  return host;
}

Answer WineHost::call(HostProcess& host, const json& message, std::chrono::milliseconds timeout) {
  host.send(message);
  return awaitAnswer(host, message["id"].get<std::string>(), timeout);
}

json WineHost::ok(HostProcess& host, const json& message) {
  const Answer answer = call(host, message);
  EXPECT_TRUE(answer.ok()) << message["command"] << ": " << answer.message.dump(2);
  return answer.ok() ? answer.result() : json();
}

void WineHost::resetCard() {
  writeFile(suite.cardState, std::string());  // an empty state file is a fresh card
}

void WineHost::setCardPresent(bool present) {
  // The state file's format is the doubles' (tests/windows/mock_card/README.md): "present 0|1", and an
  // insertion count that grows each time the card goes back in.
  std::string output;
  const std::string file = shellQuote(suite.cardState.string());
  const std::string command =
      present ? "sed -i -e 's/^present 0/present 1/' -e 's/^insertion \\([0-9]*\\)/insertion 1\\1/' "
              : "sed -i 's/^present 1/present 0/' ";
  ASSERT_EQ(runCommand(command + file, output), 0) << output;
}

std::string WineHost::userRegistry() {
  std::string output;
  runCommand("WINEPREFIX=" + shellQuote(suite.prefix.string()) + " wineserver -w", output);
  return readFile(suite.prefix / "user.reg");
}

std::string WineHost::hostLog() {
  std::string log;
  for (const auto& user : fs::directory_iterator(suite.prefix / "drive_c" / "users")) {
    log += readFile(user.path() / "AppData" / "Local" / "CertBridge" / "logs" / "certbridge-host.log");
  }
  return log;
}

}  // namespace certbridge::host::integration
