#pragma once
// The fixture of the card-command tests: one test bed (with openCryptoki) for the whole binary, SoftHSM2
// tokens blanked before each test, the real certbridge-host over pipes, and helpers to call commands and
// inspect the card independently of the host (pkcs11-tool).

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
#include "test_files.hpp"
#include "testbed.hpp"

namespace certbridge::host::integration {

using nlohmann::json;

inline constexpr const char* kOtherAllowedOrigin = "http://localhost:9000";
inline constexpr const char* kCardReader = "Virtual PCD 00 00";

/// The RA server's side of an unblock: seals the SO PIN to the host's one-time key of an unblockRequest
/// result (format of extension/shared/commands.md).
json authorizationFor(const json& unblockRequest, const std::string& soPin);

class CardCommands : public ::testing::Test {
 protected:
  void SetUp() override;

  static Testbed& bed();
  std::string userPin() const { return bed().get("CERTBRIDGE_TESTBED_USER_PIN"); }
  std::string soPin() const { return bed().get("CERTBRIDGE_TESTBED_SO_PIN"); }
  json pins() const { return json::array({userPin()}); }

  /// A host as Chrome starts it, with the test bed's environment plus overrides.
  std::unique_ptr<HostProcess> startHost(const std::map<std::string, std::string>& overrides = {});
  /// A host whose card profile loads the token double of tests/token_double (README.md there) behaving as
  /// `behaviour` (its CERTBRIDGE_TOKEN_DOUBLE), with the test bed's environment plus overrides.
  std::unique_ptr<HostProcess> startTokenDoubleHost(const std::string& behaviour,
                                                    std::map<std::string, std::string> overrides = {});
  /// A host inside the openCryptoki namespace, configured for the openCryptoki token.
  std::unique_ptr<HostProcess> startOpenCryptokiHost();
  /// Writes a copy of the test bed's configuration with changes merged into the top level, returns its path.
  std::string configWith(const std::string& name, const json& changes) const;

  /// Sends message and waits for its answer, collecting progress.
  Answer call(HostProcess& host, const json& message, std::chrono::milliseconds timeout = std::chrono::seconds(120));
  /// call() that must succeed; returns the result.
  json ok(HostProcess& host, const json& message);
  /// Waits for the answer to id (after a send()).
  Answer await(HostProcess& host, const std::string& id, std::chrono::milliseconds timeout = std::chrono::seconds(120));

  /// generateKeyPair for the subject with these usages (RSA-2048), must succeed.
  json generate(HostProcess& host, const std::string& commonName, const std::vector<std::string>& usages);

  /// Objects on a SoftHSM2 token as pkcs11-tool lists them (logged in), read without the host.
  std::string listObjectsWithPkcs11Tool(const std::string& tokenLabel = "CertBridge Card",
                                        const std::string& pin = {}) const;
  /// The slot (0x...) pkcs11-tool knows the SoftHSM2 token labelled exactly tokenLabel by.
  std::string pkcs11ToolSlot(const std::string& tokenLabel = "CertBridge Card") const;
  int countObjects(const std::string& kind, const std::string& tokenLabel = "CertBridge Card") const;
  std::string softhsmModule() const;

  /// The log the host wrote (CERTBRIDGE_LOG_DIR of the test bed).
  std::string hostLog() const;

  /// Restores the test bed state when it goes out of scope, even when an assertion fails.
  struct Restore {
    std::string command;
    ~Restore();
  };
};

/// runCommand of testbed.hpp, by a shorter name.
inline int run(const std::string& commandLine, std::string& output) {
  return runCommand(commandLine, output);
}

}  // namespace certbridge::host::integration
