#pragma once
// The fixture of the software-certificate tests: the real certbridge-host binary over pipes with HOME pointed
// at a throw-away directory, so its NSS database (~/.pki/nssdb) is a real one made for the test, and
// helpers that inspect that database independently of the host (certutil) and check files with openssl.
// No test bed: nothing here needs a reader, a card or root.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "host_process.hpp"
#include "test_files.hpp"

namespace certbridge::host::integration {

using nlohmann::json;

class SoftwareStoreTest : public ::testing::Test {
 protected:
  /// Skips (or fails, with CI set) when certutil or openssl is missing; makes the temporary directory.
  void SetUp() override;
  /// Removes the temporary directory, homes and databases included, even after a failed assertion.
  void TearDown() override;

  /// A home directory (made on first use) for one "computer": its NSS database is home/.pki/nssdb.
  std::filesystem::path home(const std::string& name);
  std::filesystem::path database(const std::string& homeName) { return home(homeName) / ".pki" / "nssdb"; }
  /// A scratch file path inside the temporary directory.
  std::filesystem::path file(const std::string& name) const { return root_ / name; }

  /// A host as Chrome starts it, with HOME = home(homeName) and a configuration allowing kSoftwareOrigin.
  std::unique_ptr<HostProcess> startHost(const std::string& homeName);

  Answer call(HostProcess& host, const json& message, std::chrono::milliseconds timeout = std::chrono::seconds(120));
  /// call() that must succeed; returns the result (an empty object after reporting the failure).
  json ok(HostProcess& host, const json& message);

  /// `certutil <args> -d sql:<database>`: exit code and output.
  int certutil(const std::string& homeName, const std::string& args, std::string& output);
  /// certutil -L (certificates with trust flags) and -K (keys) of the database, for before/after checks.
  std::string storeListing(const std::string& homeName);

  /// The host's log (all hosts of the test write it).
  std::string hostLog() const;

 private:
  std::filesystem::path root_;
  std::filesystem::path config_;
};

inline constexpr const char* kSoftwareOrigin = "http://127.0.0.1:8080";

/// {"id", "command", "origin", "params"}.
json softwareRequest(const std::string& id, const std::string& command, json params = json::object());

}  // namespace certbridge::host::integration
