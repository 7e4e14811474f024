#pragma once
// The fixture of the fault tests: a host whose token (the token double of tests/token_double) holds one
// card-changing PKCS#11 call at an exact point - before the token sees it, or after the token did it and
// before the host hears back - so that a test can kill the host, stop the PC/SC service or pull the card
// there and know what the card must hold afterwards.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "card_test_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {

class CardFaults : public CardCommands {
 protected:
  void SetUp() override;

  /// A host whose token holds the first call of `stop` ("stop-before=C_SetPIN", "stop-after=C_CreateObject",
  /// ... of tests/token_double/README.md). Held until release() when releasable, else until killed.
  std::unique_ptr<HostProcess> startHeldHost(const std::string& stop, bool releasable = false);
  /// Waits until the host is held at its stop (after it was sent request id); fails the test when the host
  /// answers id first or does not get there in time.
  void awaitHeld(HostProcess& host, const std::string& id);
  /// Lets the held call go on.
  void release() const;
  /// SIGKILL, as when the browser dies; waits until the process is gone (its card lock with it).
  static void kill(HostProcess& host);
  /// Sends `message` to a host held at `stop` and kills the host there: the browser dying at that call.
  void killHostAt(const std::string& stop, const json& message);

  /// Certificates issued for n new signing keys on the card (made by an ordinary host), not written yet.
  std::vector<std::string> issueForNewKeys(TestCa& ca, int n);
  /// Every private key on the card has its public key: no key pair was left half made.
  void expectWholeKeyPairs() const;
  /// A login with pin (a one-key generateKeyPair: SoftHSM2 never locks, so wrong PINs cost nothing).
  Answer loginWith(HostProcess& host, const std::string& pin);
  /// The card takes `works` and refuses `refused` with PIN_INCORRECT: exactly one PIN, and the user's is known.
  void expectOnlyPin(HostProcess& host, const std::string& works, const std::string& refused);
  /// writeCertificates of issued by host must succeed and leave each on the card beside its key, once.
  void expectNextWriteMakesWhole(HostProcess& host, const std::vector<std::string>& issued);

  /// One line for the test log: what the fault left behind (the figures of the hardening notes).
  static void report(const std::string& outcome);

 private:
  std::filesystem::path heldFile() const { return bed().scratch() / "token-double-held"; }
  std::filesystem::path releaseFile() const { return bed().scratch() / "token-double-release"; }
};

}  // namespace certbridge::host::integration
