// registerCertificates / unregisterCertificates on Linux through the real host, against real NSS databases:
// what Chrome / Chromium (~/.pki/nssdb) and Firefox (each profile) would load, checked with modutil and
// certutil as a help desk would: the card's module listed, the card's certificates listed through it, and
// after unregister nothing of CertBridge's left, while what the user registered stays.

#include <signal.h>
#include <sys/stat.h>

#include <thread>

#include "os_store_fixture.hpp"

namespace certbridge::host::integration {
namespace {

const json* storeNamed(const json& result, const std::string& name) {
  if (!result.contains("stores")) return nullptr;
  for (const auto& store : result["stores"]) {
    if (store["name"] == name) return &store;
  }
  return nullptr;
}

std::string outcomeIn(const json& result, const std::string& name) {
  const json* store = storeNamed(result, name);
  return store == nullptr ? "(no such store)" : store->at("outcome").get<std::string>();
}

TEST_F(OsStore, RegisterMakesTheCardsCertificatesVisibleInChromesDatabaseAndUnregisterTakesThemAway) {
  auto host = startHost();
  const json written = issueCertificatesToCard(*host, "王小明");
  ASSERT_EQ(written.size(), 2u);
  ASSERT_FALSE(std::filesystem::exists(sharedDatabase())) << "a fresh home has no NSS database yet";

  std::vector<json> progress;
  const json answer = call(*host, "r1", "registerCertificates", json::object(), &progress);
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump(2);
  const json& result = answer["result"];
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0]["stage"], "registering");
  EXPECT_EQ(result["reader"], "Virtual PCD 00 00");
  EXPECT_EQ(result["provider"]["module"], cardModule());
  // Firefox is not installed in this home: Chrome's shared database is the one store.
  ASSERT_EQ(result["stores"].size(), 1u) << result.dump(2);
  const json& store = result["stores"][0];
  EXPECT_EQ(store["kind"], "nss-shared");
  EXPECT_EQ(store["location"], sharedDatabase().string());
  EXPECT_EQ(store["outcome"], "added");
  EXPECT_EQ(store["created"], true);
  EXPECT_EQ(store["registeredAs"], kRegisteredModuleName);
  // The two holder certificates and the CA certificate, reported by subject.
  ASSERT_EQ(result["certificates"].size(), 3u) << result.dump(2);

  // The database Chrome would have made: private to the user.
  struct stat info {};
  ASSERT_EQ(::stat(sharedDatabase().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  // modutil lists the card's module, certutil the card's token and its certificates (through the module:
  // nothing was copied into the database).
  const std::string modules = modutilList(sharedDatabase());
  EXPECT_NE(modules.find(kRegisteredModuleName), std::string::npos) << modules;
  EXPECT_NE(modules.find("library name: " + cardModule()), std::string::npos) << modules;
  EXPECT_NE(certutilTokens(sharedDatabase()).find("CertBridge Card"), std::string::npos);
  const std::string certificates = certutilListAll(sharedDatabase());
  for (const auto& certificate : written) {
    EXPECT_NE(certificates.find("CertBridge Card:" + certificate["label"].get<std::string>()), std::string::npos)
        << certificates;
  }

  // Again: nothing added twice.
  const json again = ok(*host, "r2", "registerCertificates");
  EXPECT_EQ(outcomeIn(again, "Chrome / Chromium"), "alreadyPresent");
  EXPECT_EQ(again["stores"][0]["created"], false);
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 1);

  const json removed = ok(*host, "u1", "unregisterCertificates");
  EXPECT_EQ(outcomeIn(removed, "Chrome / Chromium"), "removed");
  EXPECT_EQ(removed["stores"][0]["registeredAs"], kRegisteredModuleName);
  EXPECT_EQ(modutilList(sharedDatabase()).find(kRegisteredModuleName), std::string::npos);
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 0);
  const std::string after = certutilListAll(sharedDatabase());
  for (const auto& certificate : written) {
    EXPECT_EQ(after.find(certificate["label"].get<std::string>()), std::string::npos) << after;
  }
  // The user's database itself stays (Chrome keeps its own certificates and settings there).
  EXPECT_TRUE(std::filesystem::exists(sharedDatabase() / "cert9.db"));

  const json removedAgain = ok(*host, "u2", "unregisterCertificates");
  EXPECT_EQ(outcomeIn(removedAgain, "Chrome / Chromium"), "notPresent");
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 0);
}

/// The environment report's word on the card's registration in one store (the environment check's row).
const json* registrationIn(const json& environment, const std::string& storeName) {
  if (!environment.contains("registration") || environment["registration"]["cards"].size() != 1) return nullptr;
  for (const auto& store : environment["registration"]["cards"][0]["stores"]) {
    if (store["name"] == storeName) return &store;
  }
  return nullptr;
}

TEST_F(OsStore, TheEnvironmentReportSaysWhetherTheCardIsRegisteredAndChangesNothing) {
  auto host = startHost();
  issueCertificatesToCard(*host, "Alice");

  const json before = ok(*host, "e1", "environment");
  EXPECT_EQ(before["registration"]["supported"], true) << before["registration"].dump(2);
  ASSERT_EQ(before["registration"]["cards"].size(), 1u) << before["registration"].dump(2);
  const json& card = before["registration"]["cards"][0];
  EXPECT_EQ(card["reader"], "Virtual PCD 00 00");
  EXPECT_EQ(card["token"], "CertBridge Card");
  EXPECT_EQ(card["profile"], "certbridge-virtual");
  EXPECT_TRUE(card["error"].is_null());
  const json* shared = registrationIn(before, "Chrome / Chromium");
  ASSERT_NE(shared, nullptr) << before["registration"].dump(2);
  EXPECT_EQ((*shared)["registered"], false);
  EXPECT_EQ((*shared)["location"], sharedDatabase().string());
  EXPECT_FALSE(std::filesystem::exists(sharedDatabase())) << "asking must not create the database";

  ok(*host, "r1", "registerCertificates");
  const json registered = ok(*host, "e2", "environment");
  ASSERT_NE(registrationIn(registered, "Chrome / Chromium"), nullptr);
  EXPECT_EQ((*registrationIn(registered, "Chrome / Chromium"))["registered"], true);
  EXPECT_EQ((*registrationIn(registered, "Chrome / Chromium"))["registeredAs"], kRegisteredModuleName);

  ok(*host, "u1", "unregisterCertificates");
  const json after = ok(*host, "e3", "environment");
  ASSERT_NE(registrationIn(after, "Chrome / Chromium"), nullptr);
  EXPECT_EQ((*registrationIn(after, "Chrome / Chromium"))["registered"], false);
}

TEST_F(OsStore, AModuleTheUserRegisteredIsNeitherDuplicatedNorRemoved) {
  createDatabase(sharedDatabase());
  addModule(sharedDatabase(), "My smart card", cardModule());
  auto host = startHost();
  issueCertificatesToCard(*host, "Alice");

  const json registered = ok(*host, "r1", "registerCertificates");
  EXPECT_EQ(outcomeIn(registered, "Chrome / Chromium"), "alreadyPresent");
  EXPECT_EQ(registered["stores"][0]["registeredAs"], "My smart card");
  EXPECT_EQ(registered["stores"][0]["created"], false);
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 1) << "the module must not be loaded twice";
  EXPECT_EQ(modutilList(sharedDatabase()).find(kRegisteredModuleName), std::string::npos);

  const json unregistered = ok(*host, "u1", "unregisterCertificates");
  EXPECT_EQ(outcomeIn(unregistered, "Chrome / Chromium"), "leftAlone");
  EXPECT_EQ(unregistered["stores"][0]["registeredAs"], "My smart card");
  const std::string modules = modutilList(sharedDatabase());
  EXPECT_NE(modules.find("My smart card"), std::string::npos) << modules;
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 1);
}

TEST_F(OsStore, ADatabaseWithoutAModuleListYetIsUsedAsItIs) {
  // The software store opens the user's database without its module list (no pkcs11.txt): registering must
  // add the module to that database, not try to create it again (certutil -N would wait for a password).
  createDatabase(sharedDatabase());
  std::filesystem::remove(sharedDatabase() / "pkcs11.txt");
  auto host = startHost();
  issueCertificatesToCard(*host, "Alice");

  const json registered = ok(*host, "r1", "registerCertificates");
  EXPECT_EQ(outcomeIn(registered, "Chrome / Chromium"), "added");
  EXPECT_EQ(registered["stores"][0]["created"], false);
  EXPECT_NE(modutilList(sharedDatabase()).find(kRegisteredModuleName), std::string::npos);
  EXPECT_EQ(outcomeIn(ok(*host, "u1", "unregisterCertificates"), "Chrome / Chromium"), "removed");
  EXPECT_TRUE(std::filesystem::exists(sharedDatabase() / "cert9.db")) << "the user's database was deleted";
}

TEST_F(OsStore, EveryFirefoxProfileGetsTheModuleAndLosesItAgain) {
  // One profile Firefox has started (its database exists), one it has not (no database yet: the host makes
  // one as Firefox would), one with an absolute path, and one deleted by hand (still in profiles.ini).
  const auto firefox = home() / ".mozilla" / "firefox";
  createDatabase(firefox / "abcd1234.default-esr");
  std::filesystem::create_directories(firefox / "efgh5678.work");
  const auto elsewhere = home() / "profiles" / "travel";
  createDatabase(elsewhere);
  writeProfilesIni({"Name=default-esr\nIsRelative=1\nPath=abcd1234.default-esr\nDefault=1",
                    "Name=work\nIsRelative=1\nPath=efgh5678.work",
                    "Name=travel\nIsRelative=0\nPath=" + elsewhere.string(),
                    "Name=gone\nIsRelative=1\nPath=zzzz0000.gone"});
  auto host = startHost();
  const json written = issueCertificatesToCard(*host, "Bob");

  const json registered = ok(*host, "r1", "registerCertificates");
  ASSERT_EQ(registered["stores"].size(), 4u) << registered.dump(2);
  EXPECT_EQ(outcomeIn(registered, "Chrome / Chromium"), "added");
  EXPECT_EQ(outcomeIn(registered, "Firefox profile default-esr"), "added");
  EXPECT_EQ(outcomeIn(registered, "Firefox profile work"), "added");
  EXPECT_EQ(outcomeIn(registered, "Firefox profile travel"), "added");
  EXPECT_EQ(storeNamed(registered, "Firefox profile work")->at("created"), true);
  EXPECT_EQ(storeNamed(registered, "Firefox profile default-esr")->at("created"), false);
  EXPECT_FALSE(std::filesystem::exists(firefox / "zzzz0000.gone")) << "a deleted profile is not brought back";

  for (const auto& profile : {firefox / "abcd1234.default-esr", firefox / "efgh5678.work", elsewhere}) {
    EXPECT_NE(modutilList(profile).find(kRegisteredModuleName), std::string::npos) << profile;
    const std::string certificates = certutilListAll(profile);
    EXPECT_NE(certificates.find("CertBridge Card:" + written[0]["label"].get<std::string>()), std::string::npos)
        << profile << ": " << certificates;
  }

  const json again = ok(*host, "r2", "registerCertificates");
  for (const auto& store : again["stores"]) EXPECT_EQ(store["outcome"], "alreadyPresent") << store.dump();

  const json unregistered = ok(*host, "u1", "unregisterCertificates");
  for (const auto& store : unregistered["stores"]) EXPECT_EQ(store["outcome"], "removed") << store.dump();
  for (const auto& profile : {firefox / "abcd1234.default-esr", firefox / "efgh5678.work", elsewhere}) {
    EXPECT_EQ(entriesFor(profile, cardModule()), 0) << profile;
  }
}

TEST_F(OsStore, AFailureHalfWayLeavesEveryDatabaseAsItWas) {
  // Chrome's database exists with a module of the user's; a Firefox profile's database is damaged, so the
  // registration fails there, after Chrome's database had been changed: that change must be undone.
  createDatabase(sharedDatabase());
  // Another vendor's module: a copy of SoftHSM2's under another path is another library to NSS (and, unlike
  // OpenSC's, loads without probing the test bed's reader for seconds in every NSS tool run).
  const auto otherModule = home() / "other-vendor-pkcs11.so";
  std::filesystem::copy_file(cardModule(), otherModule);
  addModule(sharedDatabase(), "Other token", otherModule.string());
  const auto before = moduleEntries(sharedDatabase());
  const auto firefox = home() / ".mozilla" / "firefox";
  const auto broken = firefox / "brok0000.broken";
  createDatabase(broken);
  writeFile(broken / "cert9.db", std::string(8192, 'x'));  // not an SQLite database any more
  writeProfilesIni({"Name=broken\nIsRelative=1\nPath=brok0000.broken"});
  auto host = startHost();
  issueCertificatesToCard(*host, "Carol");

  const json answer = call(*host, "r1", "registerCertificates");
  ASSERT_FALSE(answer.value("ok", true)) << answer.dump(2);
  EXPECT_EQ(answer["error"]["code"], "STORE_ERROR");
  EXPECT_EQ(answer["error"]["store"], "Firefox profile broken");
  EXPECT_EQ(answer["error"]["location"], broken.string());
  EXPECT_NE(answer["error"]["reason"].get<std::string>().find("modutil"), std::string::npos) << answer.dump(2);
  EXPECT_EQ(moduleEntries(sharedDatabase()), before) << "Chrome's database must be as it was";

  // With no database at first, the one the failed call made is gone again too.
  std::filesystem::remove_all(home() / ".pki");
  const json second = call(*host, "r2", "registerCertificates");
  EXPECT_EQ(second["error"]["code"], "STORE_ERROR") << second.dump(2);
  EXPECT_FALSE(std::filesystem::exists(sharedDatabase() / "pkcs11.txt"));
  EXPECT_FALSE(std::filesystem::exists(home() / ".pki")) << "nor the directories made for it";
}

// Another process with a database's SQLite files (cert9.db, key4.db) open, as a running browser has them:
// connections open between short transactions; or, with lockReading, in the middle of a read transaction
// that does not end (a database truly locked against writers). Killed when it goes out of scope.
class OpenDatabase {
 public:
  OpenDatabase(const std::filesystem::path& database, bool lockReading) : pidFile_(database / "holder.pid") {
    const std::string script =
        "import sqlite3, sys, time\n"
        "connections = [sqlite3.connect(sys.argv[1] + name, isolation_level=None) for name in ('/cert9.db', "
        "'/key4.db')]\n"
        "for c in connections:\n"
        "    if sys.argv[3] == 'lock': c.execute('BEGIN')\n"
        "    c.execute('SELECT count(*) FROM sqlite_master').fetchall()\n"
        "open(sys.argv[2], 'w').write('ready')\n"
        "time.sleep(120)\n";
    std::string output;
    runCommand("python3 -c " + shellQuote(script) + " " + shellQuote(database.string()) + " " +
                   shellQuote((database / "holder.ready").string()) + (lockReading ? " lock" : " open") +
                   " >/dev/null 2>&1 & echo $! > " + shellQuote(pidFile_.string()),
               output);
    for (int i = 0; i < 100 && !std::filesystem::exists(database / "holder.ready"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ready_ = std::filesystem::exists(database / "holder.ready");
  }
  ~OpenDatabase() { release(); }
  OpenDatabase(const OpenDatabase&) = delete;
  OpenDatabase& operator=(const OpenDatabase&) = delete;
  bool ready() const { return ready_; }
  void release() {
    const std::string pid = readFile(pidFile_);
    if (pid.empty()) return;
    const pid_t process = std::stoi(pid);
    ::kill(process, SIGKILL);
    // Not our child (the shell started it): wait until it is gone, so its locks are.
    for (int i = 0; i < 100 && ::kill(process, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::filesystem::remove(pidFile_);
  }

 private:
  std::filesystem::path pidFile_;
  bool ready_ = false;
};

TEST_F(OsStore, ABrowserWithTheDatabaseOpenDoesNotBlockRegistration) {
  createDatabase(sharedDatabase());
  const OpenDatabase browser(sharedDatabase(), false);
  ASSERT_TRUE(browser.ready()) << "python3 could not open the database";
  auto host = startHost();
  issueCertificatesToCard(*host, "Dave");

  const json registered = ok(*host, "r1", "registerCertificates");
  EXPECT_EQ(outcomeIn(registered, "Chrome / Chromium"), "added");
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 1);
  const json unregistered = ok(*host, "u1", "unregisterCertificates");
  EXPECT_EQ(outcomeIn(unregistered, "Chrome / Chromium"), "removed");
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 0);
}

TEST_F(OsStore, ALockedDatabaseIsAStoreErrorThatChangesNothingAndRegisteringWorksOnceItIsFree) {
  createDatabase(sharedDatabase());
  const auto before = moduleEntries(sharedDatabase());
  OpenDatabase locker(sharedDatabase(), true);
  ASSERT_TRUE(locker.ready()) << "python3 could not open the database";
  auto host = startHost();
  issueCertificatesToCard(*host, "Erin");

  const json answer = call(*host, "r1", "registerCertificates");
  ASSERT_EQ(answer["error"]["code"], "STORE_ERROR") << answer.dump(2);
  EXPECT_EQ(answer["error"]["store"], "Chrome / Chromium");
  EXPECT_EQ(moduleEntries(sharedDatabase()), before);

  locker.release();
  const json registered = ok(*host, "r2", "registerCertificates");
  EXPECT_EQ(outcomeIn(registered, "Chrome / Chromium"), "added");
  EXPECT_EQ(entriesFor(sharedDatabase(), cardModule()), 1);
}

TEST_F(OsStore, ACardWithoutCertificatesIsRefusedAndNothingIsCreated) {
  auto host = startHost();
  const json answer = call(*host, "r1", "registerCertificates");
  EXPECT_EQ(answer["error"]["code"], "NO_CERTIFICATES_ON_CARD") << answer.dump(2);
  EXPECT_EQ(answer["error"]["reader"], "Virtual PCD 00 00");
  EXPECT_FALSE(std::filesystem::exists(sharedDatabase()));
  // Unregistering needs no certificate: it only takes CertBridge's registration away (here: none).
  const json unregistered = ok(*host, "u1", "unregisterCertificates");
  EXPECT_EQ(outcomeIn(unregistered, "Chrome / Chromium"), "notPresent");
  EXPECT_FALSE(std::filesystem::exists(sharedDatabase())) << "unregister never creates a database";
}

TEST_F(OsStore, NoCardInTheReaderIsNoCardAndNothingIsCreated) {
  auto host = startHost();
  Restore reinsert{"insert"};
  std::string output;
  ASSERT_TRUE(bed().run("remove", &output)) << output;
  const json answer = call(*host, "r1", "registerCertificates");
  EXPECT_EQ(answer["error"]["code"], "NO_CARD") << answer.dump(2);
  EXPECT_FALSE(std::filesystem::exists(sharedDatabase()));
}

TEST_F(OsStore, ParametersAreCheckedBeforeAnything) {
  auto host = startHost();
  const json extra = call(*host, "r1", "registerCertificates", {{"store", "everything"}});
  EXPECT_EQ(extra["error"]["code"], "BAD_REQUEST") << extra.dump(2);
  EXPECT_EQ(extra["error"]["field"], "params.store");
  const json reader = call(*host, "r2", "unregisterCertificates", {{"reader", 7}});
  EXPECT_EQ(reader["error"]["code"], "BAD_REQUEST") << reader.dump(2);
  const json unknownReader = call(*host, "r3", "registerCertificates", {{"reader", "No such reader"}});
  EXPECT_EQ(unknownReader["error"]["code"], "NO_READER") << unknownReader.dump(2);
  EXPECT_FALSE(std::filesystem::exists(sharedDatabase()));
}

// What a user runs before the package is removed: `certbridge-host uninstall --user` takes away what
// registerCertificates added, in Chrome's database and every Firefox profile, and the host's log; the user's
// own module and the databases stay.
TEST_F(OsStore, UninstallForTheUserRemovesEveryRegistrationAndTheLogsButNothingOfTheUsers) {
  createDatabase(sharedDatabase());
  const auto otherModule = home() / "other-vendor-pkcs11.so";  // see AFailureHalfWayLeavesEveryDatabaseAsItWas
  std::filesystem::copy_file(cardModule(), otherModule);
  addModule(sharedDatabase(), "Other token", otherModule.string());
  const auto profile = home() / ".mozilla" / "firefox" / "abcd1234.default-esr";
  createDatabase(profile);
  writeProfilesIni({"Name=default-esr\nIsRelative=1\nPath=abcd1234.default-esr\nDefault=1"});
  {
    auto host = startHost();
    issueCertificatesToCard(*host, "Dave");
    const json registered = ok(*host, "r1", "registerCertificates");
    EXPECT_EQ(outcomeIn(registered, "Chrome / Chromium"), "added");
    EXPECT_EQ(outcomeIn(registered, "Firefox profile default-esr"), "added");
  }
  // The host's log in the user's own state folder (the test bed's host logs elsewhere).
  const auto logs = home() / ".local" / "state" / "certbridge";
  writeFile(logs / "certbridge-host.log", "a log line\n");

  std::string output;
  const int code =
      runCommand("env -u CERTBRIDGE_LOG_DIR -u XDG_STATE_HOME -u XDG_CONFIG_HOME HOME=" + shellQuote(home().string()) +
                     " SOFTHSM2_CONF=" + shellQuote(bed().get("SOFTHSM2_CONF")) + " " +
                     shellQuote(CERTBRIDGE_HOST_BINARY) + " uninstall --user </dev/null",
                 output);
  ASSERT_EQ(code, 0) << output;
  EXPECT_NE(output.find("removed " + std::string(kRegisteredModuleName)), std::string::npos) << output;
  for (const auto& database : {sharedDatabase(), profile}) {
    EXPECT_EQ(modutilList(database).find(kRegisteredModuleName), std::string::npos) << database;
    EXPECT_TRUE(std::filesystem::exists(database / "cert9.db")) << database;
  }
  EXPECT_EQ(entriesFor(sharedDatabase(), otherModule.string()), 1) << "the user's own module stays";
  EXPECT_FALSE(std::filesystem::exists(logs));

  // Again: nothing left to remove, and still no error.
  ASSERT_EQ(runCommand("env -u CERTBRIDGE_LOG_DIR -u XDG_STATE_HOME HOME=" + shellQuote(home().string()) + " " +
                           shellQuote(CERTBRIDGE_HOST_BINARY) + " uninstall --user </dev/null",
                       output),
            0)
      << output;
}

}  // namespace
}  // namespace certbridge::host::integration
