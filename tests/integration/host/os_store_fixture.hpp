#pragma once
// The fixture of the OS store tests (registerCertificates / unregisterCertificates on Linux): the test bed
// (SoftHSM2 token behind the virtual card) once for the binary, a fresh home directory per test (so
// ~/.pki/nssdb and ~/.mozilla/firefox are the test's own), the real certbridge-host over pipes, and the NSS
// tools (certutil, modutil) to look at the databases independently of the host.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "host_process.hpp"
#include "test_files.hpp"
#include "testbed.hpp"

namespace certbridge::host::integration {

using nlohmann::json;

/// The name CertBridge registers the test bed's card module under ("CertBridge: " + the profile's name).
inline constexpr const char* kRegisteredModuleName = "CertBridge: CertBridge virtual test card";

class OsStore : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  static Testbed& bed();
  /// The test's home directory (empty at the start of each test).
  const std::filesystem::path& home() const { return home_; }
  std::filesystem::path sharedDatabase() const { return home_ / ".pki" / "nssdb"; }
  /// The card module of the test bed's card profile.
  std::string cardModule() const;

  /// A host as a browser starts it, with HOME set to home().
  std::unique_ptr<HostProcess> startHost();
  /// Sends a request and waits for its answer (progress messages are collected into progress).
  json call(HostProcess& host, const std::string& id, const std::string& command, json params = json::object(),
            std::vector<json>* progress = nullptr);
  /// call() that must succeed; returns the result.
  json ok(HostProcess& host, const std::string& id, const std::string& command, json params = json::object());

  /// Puts two certificates with their keys on the card the way the portal does (generateKeyPair, the test CA
  /// issues, writeCertificates, with the CA certificate); returns writeCertificates' "certificates" (subject,
  /// label ... of each holder certificate).
  json issueCertificatesToCard(HostProcess& host, const std::string& commonName);

  /// The NSS tools on a database directory, with the test bed's environment (SOFTHSM2_CONF: the token
  /// behind the module). Each returns the tool's output and expects the exit code given.
  std::string modutilList(const std::filesystem::path& database, int expectedExit = 0) const;
  std::string certutilListAll(const std::filesystem::path& database) const;
  std::string certutilTokens(const std::filesystem::path& database) const;
  /// Creates an empty sql: database (certutil -N) / adds a module under a name of the test's choosing.
  void createDatabase(const std::filesystem::path& database) const;
  void addModule(const std::filesystem::path& database, const std::string& name, const std::string& library) const;

  /// The module entries "name -> library" of a database's pkcs11.txt, as NSS itself keeps them.
  std::vector<std::pair<std::string, std::string>> moduleEntries(const std::filesystem::path& database) const;
  /// How many entries of the database load library.
  int entriesFor(const std::filesystem::path& database, const std::string& library) const;

  /// Writes ~/.mozilla/firefox/profiles.ini with these [ProfileN] bodies (each "Name=...\nIsRelative=...").
  void writeProfilesIni(const std::vector<std::string>& profileBodies) const;

  /// Restores the test bed state when it goes out of scope, even when an assertion fails.
  struct Restore {
    std::string command;
    ~Restore();
  };

 private:
  std::string nssTool(const std::string& arguments, int expectedExit) const;

  std::filesystem::path home_;
};

}  // namespace certbridge::host::integration
