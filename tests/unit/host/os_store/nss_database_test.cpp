// Reading an NSS module database (pkcs11.txt) and telling CertBridge's entries from others'.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "os_store/certificate_registry.hpp"
#include "os_store/nss_certificate_registry.hpp"
#include "os_store/nss_database.hpp"
#include "os_store/nss_tool.hpp"

namespace certbridge::host::os_store {
namespace {

namespace fs = std::filesystem;

// pkcs11.txt as NSS 3.87 writes it: the internal module, the user's OpenSC, and CertBridge's entry.
constexpr const char* kModuleList = R"(library=
name=NSS Internal PKCS #11 Module
parameters=configdir='sql:/home/u/.pki/nssdb' certPrefix='' keyPrefix='' secmod='secmod.db' flags= updatedir=''
NSS=Flags=internal,critical trustOrder=75 cipherOrder=100 slotParams=(1={slotFlags=[RSA,SHA1] askpw=any timeout=30})

library=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
name=OpenSC smartcard framework (0.23)

library=/usr/lib/softhsm/libsofthsm2.so
name=CertBridge: CertBridge virtual test card
NSS=slotParams={0x00000000=[slotFlags=PublicCerts ] }

)";

TEST(NssModuleList, ReadsEveryEntryWithItsNameAndLibrary) {
  const auto modules = parseModuleList(kModuleList);
  ASSERT_EQ(modules.size(), 3u);
  EXPECT_EQ(modules[0].name, "NSS Internal PKCS #11 Module");
  EXPECT_EQ(modules[0].library, "");
  EXPECT_EQ(modules[1].name, "OpenSC smartcard framework (0.23)");
  EXPECT_EQ(modules[1].library, "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so");
  EXPECT_EQ(modules[2].name, "CertBridge: CertBridge virtual test card");
  EXPECT_EQ(modules[2].library, "/usr/lib/softhsm/libsofthsm2.so");
}

TEST(NssModuleList, CopesWithCarriageReturnsMissingBlankLinesAndEmptyText) {
  const auto modules = parseModuleList("library=/a.so\r\nname=A\r\nlibrary=/b.so\nname=B\n");
  ASSERT_EQ(modules.size(), 2u);
  EXPECT_EQ(modules[0].library, "/a.so");
  EXPECT_EQ(modules[1].name, "B");
  EXPECT_EQ(modules[1].library, "/b.so");
  EXPECT_TRUE(parseModuleList("").empty());
  EXPECT_TRUE(parseModuleList("library=/nameless.so\n\n").empty());
}

TEST(NssModuleList, SameLibraryFollowsLinks) {
  const fs::path dir = fs::temp_directory_path() / ("certbridge-same-library-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path real = dir / "module.so";
  { std::ofstream(real) << "x"; }
  fs::create_symlink(real, dir / "link.so");
  EXPECT_TRUE(sameLibrary(real.string(), (dir / "link.so").string()));
  EXPECT_TRUE(sameLibrary("/not/there.so", "/not/there.so"));
  EXPECT_FALSE(sameLibrary(real.string(), "/not/there.so"));
  EXPECT_FALSE(sameLibrary("", ""));
  fs::remove_all(dir);
}

TEST(NssRegistry, NamesItsModuleAfterTheCardProfile) {
  EXPECT_EQ(moduleNameFor({"certbridge-virtual", "CertBridge virtual test card", "/m.so"}),
            "CertBridge: CertBridge virtual test card");
  EXPECT_EQ(moduleNameFor({"ra-card", "", "/m.so"}), "CertBridge: ra-card");
}

TEST(NssRegistry, WithoutAHomeDirectoryItSaysSoInsteadOfGuessing) {
  NssCertificateRegistry registry(NssLocations{});
  EXPECT_THROW(registry.inspect({"p", "P", "/m.so"}), StoreError);
}

TEST(NssRegistry, InspectChangesNothingAndSeesWhoRegisteredTheModule) {
  const fs::path home = fs::temp_directory_path() / ("certbridge-inspect-" + std::to_string(::getpid()));
  fs::remove_all(home);
  fs::create_directories(home / ".pki" / "nssdb");
  NssCertificateRegistry registry(NssLocations{home, {}});
  // No database yet: reported, not created.
  auto report = registry.inspect({"p", "P", "/usr/lib/softhsm/libsofthsm2.so"});
  ASSERT_EQ(report.stores.size(), 1u);
  EXPECT_EQ(report.stores[0].outcome, StoreOutcome::NotPresent);
  EXPECT_FALSE(fs::exists(home / ".pki" / "nssdb" / "cert9.db"));

  { std::ofstream(home / ".pki" / "nssdb" / "cert9.db") << ""; }
  { std::ofstream(home / ".pki" / "nssdb" / "pkcs11.txt") << kModuleList; }
  report = registry.inspect({"p", "P", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"});
  EXPECT_EQ(report.stores[0].outcome, StoreOutcome::AlreadyPresent);
  EXPECT_EQ(report.stores[0].registeredAs, "OpenSC smartcard framework (0.23)");
  EXPECT_EQ(report.stores[0].name, "Chrome / Chromium");
  fs::remove_all(home);
}

// What `certbridge-host uninstall --user` does to the user's databases, with the real NSS tools: every
// "CertBridge: ..." module goes, whatever card profile added it; the user's own module and the database stay.
TEST(NssRegistry, UnregisterEverythingRemovesOnlyCertBridgesModules) {
  const char* ours = "/usr/lib/softhsm/libsofthsm2.so";
  const char* theirs = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";
  if (!toolAvailable("modutil") || !toolAvailable("certutil") || !fs::exists(ours) || !fs::exists(theirs)) {
    GTEST_SKIP() << "needs modutil, certutil (libnss3-tools), SoftHSM2 and OpenSC";
  }
  const fs::path home = fs::temp_directory_path() / ("certbridge-unregister-all-" + std::to_string(::getpid()));
  fs::remove_all(home);
  // SoftHSM reads its configuration when modutil loads it: a private one, so no root is needed.
  fs::create_directories(home / "tokens");
  { std::ofstream(home / "softhsm2.conf") << "directories.tokendir = " << (home / "tokens").string() << "\n"; }
  setenv("SOFTHSM2_CONF", (home / "softhsm2.conf").c_str(), 1);
  const NssDatabase database(home / ".pki" / "nssdb");
  database.create();
  database.addModule("CertBridge: Old card profile", ours);
  database.addModule("Site middleware", theirs);

  NssCertificateRegistry registry(NssLocations{home, {}});
  auto report = registry.unregisterEverything();
  ASSERT_EQ(report.stores.size(), 1u);
  EXPECT_EQ(report.stores[0].outcome, StoreOutcome::Removed);
  EXPECT_EQ(report.stores[0].registeredAs, "CertBridge: Old card profile");
  std::vector<std::string> names;
  for (const auto& module : database.modules()) names.push_back(module.name);
  EXPECT_EQ(std::count(names.begin(), names.end(), "CertBridge: Old card profile"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "Site middleware"), 1);
  EXPECT_TRUE(database.exists());

  report = registry.unregisterEverything();  // again: nothing of ours, nothing changed
  EXPECT_EQ(report.stores[0].outcome, StoreOutcome::NotPresent);
  unsetenv("SOFTHSM2_CONF");
  fs::remove_all(home);
}

TEST(StoreOutcome, HasTheProtocolsWords) {
  EXPECT_STREQ(toString(StoreOutcome::Added), "added");
  EXPECT_STREQ(toString(StoreOutcome::AlreadyPresent), "alreadyPresent");
  EXPECT_STREQ(toString(StoreOutcome::Removed), "removed");
  EXPECT_STREQ(toString(StoreOutcome::NotPresent), "notPresent");
  EXPECT_STREQ(toString(StoreOutcome::LeftAlone), "leftAlone");
}

}  // namespace
}  // namespace certbridge::host::os_store
