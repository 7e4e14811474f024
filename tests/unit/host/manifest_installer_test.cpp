// Native-messaging manifests, installed into a temporary HOME (the Linux locations: XDG_CONFIG_HOME, /etc).

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "certbridge/host/manifest_installer.hpp"
#include "certbridge/protocol.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

namespace fs = std::filesystem;

nlohmann::json readJson(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

class ManifestInstallerTest : public ::testing::Test {
 protected:
  test::TempDir home_;
  test::ScopedEnv homeEnv_{"HOME", home_.path().string()};
  test::ScopedEnv xdgEnv_{"XDG_CONFIG_HOME", std::nullopt};
  // The host's logs go to the temporary HOME, which `uninstall --user` cleans.
  test::ScopedEnv logDirEnv_{"CERTBRIDGE_LOG_DIR", std::nullopt};
  test::ScopedEnv stateEnv_{"XDG_STATE_HOME", std::nullopt};

  fs::path chrome() const {
    return home_.path() / ".config/google-chrome/NativeMessagingHosts/com.certbridge.host.json";
  }
  fs::path chromium() const { return home_.path() / ".config/chromium/NativeMessagingHosts/com.certbridge.host.json"; }
  fs::path edge() const {
    return home_.path() / ".config/microsoft-edge/NativeMessagingHosts/com.certbridge.host.json";
  }
  fs::path firefox() const { return home_.path() / ".mozilla/native-messaging-hosts/com.certbridge.host.json"; }

  int run(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
    std::ostringstream o, e;
    const std::string sub = args.front();
    args.erase(args.begin());
    const int code = runManifestCommand(sub, args, o, e);
    if (out != nullptr) *out = o.str();
    if (err != nullptr) *err = e.str();
    return code;
  }
};

TEST_F(ManifestInstallerTest, InstallsForEveryBrowserWithOurIds) {
  std::string out;
  ASSERT_EQ(run({"install", "--host-path", "/opt/certbridge/certbridge-host"}, &out), 0);
  for (const auto& file : {chrome(), chromium(), edge()}) {
    ASSERT_TRUE(fs::exists(file)) << file;
    const auto manifest = readJson(file);
    EXPECT_EQ(manifest["name"], "com.certbridge.host");
    EXPECT_EQ(manifest["type"], "stdio");
    EXPECT_EQ(manifest["path"], "/opt/certbridge/certbridge-host");
    EXPECT_FALSE(manifest["description"].get<std::string>().empty());
    ASSERT_EQ(manifest["allowed_origins"].size(), protocol::kChromiumExtensionIds.size());
    EXPECT_EQ(manifest["allowed_origins"][0],
              "chrome-extension://" + std::string(protocol::kChromiumExtensionIds[0]) + "/");
    EXPECT_FALSE(manifest.contains("allowed_extensions"));
    EXPECT_NE(out.find(file.string()), std::string::npos);
  }
  const auto manifest = readJson(firefox());
  EXPECT_EQ(manifest["allowed_extensions"], nlohmann::json::array({std::string(protocol::kFirefoxExtensionId)}));
  EXPECT_FALSE(manifest.contains("allowed_origins"));
  EXPECT_EQ((fs::status(firefox()).permissions() & fs::perms::others_read), fs::perms::others_read);
}

TEST_F(ManifestInstallerTest, DefaultHostPathIsThisExecutable) {
  ASSERT_EQ(run({"install", "--browser", "chromium"}), 0);
  const fs::path path = readJson(chromium())["path"].get<std::string>();
  EXPECT_TRUE(path.is_absolute());
  EXPECT_EQ(path, currentExecutablePath());
}

TEST_F(ManifestInstallerTest, ExtraExtensionIdsAreAdded) {
  const std::string extra(32, 'a');
  ASSERT_EQ(run({"install", "--host-path=/x/host", "--chrome-extension-id", extra, "--firefox-extension-id",
                 "other@example.org"}),
            0);
  const auto origins = readJson(chrome())["allowed_origins"];
  ASSERT_EQ(origins.size(), protocol::kChromiumExtensionIds.size() + 1);
  EXPECT_EQ(origins.back(), "chrome-extension://" + extra + "/");
  EXPECT_EQ(readJson(firefox())["allowed_extensions"].back(), "other@example.org");
}

TEST_F(ManifestInstallerTest, RejectsBadIdsAndRelativePaths) {
  std::string err;
  EXPECT_EQ(run({"install", "--host-path", "/x/host", "--chrome-extension-id", "not-an-id"}, nullptr, &err), 1);
  EXPECT_NE(err.find("not-an-id"), std::string::npos);
  EXPECT_EQ(run({"install", "--host-path", "/x/host", "--firefox-extension-id", "no at sign"}), 1);
  EXPECT_EQ(run({"install", "--host-path", "relative/host"}), 1);
  EXPECT_FALSE(fs::exists(chrome()));
  EXPECT_EQ(run({"install", "--browser", "safari"}), 2);
  EXPECT_EQ(run({"install", "--bogus"}), 2);
  EXPECT_EQ(run({"install", "--host-path"}), 2);
  EXPECT_EQ(run({"uninstall", "--host-path", "/x"}), 2);
}

TEST_F(ManifestInstallerTest, HonoursXdgConfigHome) {
  test::TempDir config;
  test::ScopedEnv xdg("XDG_CONFIG_HOME", config.path().string());
  ASSERT_EQ(run({"install", "--browser", "chrome", "--browser", "firefox", "--host-path", "/x/host"}), 0);
  EXPECT_TRUE(fs::exists(config.path() / "google-chrome/NativeMessagingHosts/com.certbridge.host.json"));
  EXPECT_TRUE(fs::exists(firefox()));  // Firefox does not use XDG_CONFIG_HOME
  EXPECT_FALSE(fs::exists(chrome()));
  EXPECT_FALSE(fs::exists(config.path() / "chromium"));
}

TEST_F(ManifestInstallerTest, UninstallRemovesExactlyOursAndIsIdempotent) {
  ASSERT_EQ(run({"install", "--host-path", "/x/host"}), 0);
  const fs::path neighbour = chrome().parent_path() / "com.other.host.json";
  std::ofstream(neighbour) << "{}";
  std::string out;
  ASSERT_EQ(run({"uninstall"}, &out), 0);
  for (const auto& file : {chrome(), chromium(), edge(), firefox()}) {
    EXPECT_FALSE(fs::exists(file)) << file;
    EXPECT_TRUE(fs::exists(file.parent_path())) << "directories stay";
    EXPECT_NE(out.find("removed"), std::string::npos);
  }
  EXPECT_TRUE(fs::exists(neighbour));
  ASSERT_EQ(run({"uninstall"}, &out), 0);
  EXPECT_NE(out.find("not installed"), std::string::npos);
  EXPECT_TRUE(fs::exists(neighbour));
}

TEST_F(ManifestInstallerTest, UninstallForTheUserAlsoRemovesTheHostsLogsButNothingElse) {
  const fs::path logs = home_.path() / ".local/state/certbridge";
  fs::create_directories(logs);
  for (const char* name : {"certbridge-host.log", "certbridge-host.1.log", "certbridge-host.12.log"}) {
    std::ofstream(logs / name) << "log line\n";
  }
  ASSERT_EQ(run({"install", "--host-path", "/x/host"}), 0);
  std::string out;
  std::string err;
  ASSERT_EQ(run({"uninstall", "--user"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("logs: removed 3 file(s)"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(logs)) << "the host's own log folder goes when empty";
  EXPECT_FALSE(fs::exists(chrome()));
  // No NSS database in this home: nothing to remove there, and none is created.
  EXPECT_FALSE(fs::exists(home_.path() / ".pki"));

  // Anything else in the folder is not the host's: it stays, and so does the folder.
  fs::create_directories(logs);
  std::ofstream(logs / "certbridge-host.log") << "log line\n";
  std::ofstream(logs / "notes.txt") << "mine\n";
  std::ofstream(logs / "certbridge-host.x.log") << "mine\n";
  ASSERT_EQ(run({"uninstall", "--user"}, &out, &err), 0) << err;
  EXPECT_FALSE(fs::exists(logs / "certbridge-host.log"));
  EXPECT_TRUE(fs::exists(logs / "notes.txt"));
  EXPECT_TRUE(fs::exists(logs / "certbridge-host.x.log"));

  // One browser's manifest only: the logs are not touched.
  std::ofstream(logs / "certbridge-host.log") << "log line\n";
  ASSERT_EQ(run({"uninstall", "--browser", "chrome"}, &out, &err), 0) << err;
  EXPECT_TRUE(fs::exists(logs / "certbridge-host.log"));
}

TEST_F(ManifestInstallerTest, UninstallOneBrowserLeavesTheOthers) {
  ASSERT_EQ(run({"install", "--host-path", "/x/host"}), 0);
  ASSERT_EQ(run({"uninstall", "--browser", "edge"}), 0);
  EXPECT_FALSE(fs::exists(edge()));
  EXPECT_TRUE(fs::exists(chrome()));
  EXPECT_TRUE(fs::exists(firefox()));
}

TEST_F(ManifestInstallerTest, ReinstallReplacesAtomically) {
  ASSERT_EQ(run({"install", "--browser", "chrome", "--host-path", "/old/host"}), 0);
  ASSERT_EQ(run({"install", "--browser", "chrome", "--host-path", "/new/host"}), 0);
  EXPECT_EQ(readJson(chrome())["path"], "/new/host");
  for (const auto& entry : fs::directory_iterator(chrome().parent_path())) {
    EXPECT_EQ(entry.path().filename(), "com.certbridge.host.json") << "no temporary files left";
  }
}

TEST_F(ManifestInstallerTest, SystemScopeIntoAStagingTree) {
  test::TempDir stage;
  ASSERT_EQ(run({"install", "--system", "--destdir", stage.path().string(), "--host-path",
                 "/usr/libexec/certbridge/certbridge-host"}),
            0);
  for (const char* dir : {"etc/opt/chrome/native-messaging-hosts", "etc/chromium/native-messaging-hosts",
                          "etc/opt/edge/native-messaging-hosts", "usr/lib/mozilla/native-messaging-hosts"}) {
    EXPECT_TRUE(fs::exists(stage.path() / dir / "com.certbridge.host.json")) << dir;
  }
  EXPECT_FALSE(fs::exists(chrome()));
  ASSERT_EQ(run({"uninstall", "--system", "--destdir", stage.path().string()}), 0);
  EXPECT_FALSE(fs::exists(stage.path() / "etc/opt/chrome/native-messaging-hosts/com.certbridge.host.json"));
}

TEST_F(ManifestInstallerTest, MacosLayoutIntoAPackageTree) {
  // The macOS pkg's payload is made on Linux: the browsers' system-wide directories on a Mac.
  test::TempDir stage;
  const std::string host = "/Library/Application Support/CertBridge/CertBridgeHost.app/Contents/MacOS/certbridge-host";
  ASSERT_EQ(run({"install", "--system", "--layout", "macos", "--destdir", stage.path().string(), "--host-path", host}),
            0);
  for (const char* dir :
       {"Library/Google/Chrome/NativeMessagingHosts", "Library/Application Support/Chromium/NativeMessagingHosts",
        "Library/Microsoft/Edge/NativeMessagingHosts", "Library/Application Support/Mozilla/NativeMessagingHosts"}) {
    const fs::path file = stage.path() / dir / "com.certbridge.host.json";
    ASSERT_TRUE(fs::exists(file)) << dir;
    EXPECT_EQ(readJson(file)["path"], host);
  }
  EXPECT_FALSE(fs::exists(stage.path() / "etc")) << "no Linux directories in a macOS tree";
  ASSERT_EQ(run({"uninstall", "--system", "--layout", "macos", "--destdir", stage.path().string()}), 0);
  EXPECT_FALSE(fs::exists(stage.path() / "Library/Google/Chrome/NativeMessagingHosts/com.certbridge.host.json"));
}

TEST_F(ManifestInstallerTest, MacosLayoutPerUserUnderLibrary) {
  test::TempDir stage;
  ASSERT_EQ(run({"install", "--layout=macos", "--destdir", stage.path().string(), "--host-path", "/x/host"}), 0);
  const fs::path library = stage.path() / home_.path().relative_path() / "Library/Application Support";
  EXPECT_TRUE(fs::exists(library / "Google/Chrome/NativeMessagingHosts/com.certbridge.host.json"));
  EXPECT_TRUE(fs::exists(library / "Microsoft Edge/NativeMessagingHosts/com.certbridge.host.json"));
  EXPECT_TRUE(fs::exists(library / "Mozilla/NativeMessagingHosts/com.certbridge.host.json"));
}

TEST_F(ManifestInstallerTest, ForeignLayoutOnlyIntoAPackageTree) {
  std::string err;
  EXPECT_EQ(run({"install", "--layout", "macos", "--host-path", "/x/host"}, nullptr, &err), 1);
  EXPECT_NE(err.find("--destdir"), std::string::npos) << err;
  EXPECT_EQ(run({"uninstall", "--layout", "macos"}), 1);
  EXPECT_EQ(run({"install", "--layout", "windows", "--destdir", "/tmp/x"}, nullptr, &err), 2);
  EXPECT_NE(err.find("unknown layout"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(home_.path() / "Library"));
  // The layout of the system the host runs on needs no package tree.
  EXPECT_EQ(run({"install", "--layout", "linux", "--browser", "chromium", "--host-path", "/x/host"}), 0);
  EXPECT_TRUE(fs::exists(chromium()));
}

TEST_F(ManifestInstallerTest, SystemScopeNeedsRoot) {
  // Run the command as an unprivileged user (in a child process when the tests run as root).
  const auto attempt = [] {
    std::ostringstream out, err;
    const std::vector<std::string> args{"--system", "--host-path", "/x/host"};
    const int code = runManifestCommand("install", args, out, err);
    return code == 1 && err.str().find("root") != std::string::npos ? 0 : 1;
  };
  if (geteuid() != 0) {
    EXPECT_EQ(attempt(), 0);
    return;
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    _exit(attempt());
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: could not drop privileges; 1: --system was not refused";
}

}  // namespace
}  // namespace certbridge::host
