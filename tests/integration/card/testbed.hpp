#pragma once
// The virtual test bed (tests/testbed/testbed.sh) for the card integration tests: one private pcscd with
// two virtual readers, a virtual card in reader 0, and SoftHSM2 tokens, started once per test binary.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace certbridge::card::testing {

/// Starts the test bed before the first test and stops it after the last, even when tests fail (and,
/// through testbed.sh --owner, even when this process crashes). Skips every test, with the reason, when
/// the test bed cannot run here (not root, packages missing).
class TestBed : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  /// The running test bed. Only valid while tests run.
  static TestBed& get();

  /// Runs `testbed.sh COMMAND DIR` (insert, remove, stop-pcscd, start-pcscd); fails the test if it fails.
  void run(const std::string& command);

  /// A value from DIR/env, e.g. "CERTBRIDGE_TESTBED_READER".
  std::string env(const std::string& name) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool started_ = false;
};

/// The reader holding the virtual card, and the empty one.
inline constexpr const char* kCardReader = "Virtual PCD 00 00";
inline constexpr const char* kEmptyReader = "Virtual PCD 00 01";
inline constexpr const char* kCardAtr = "3B 95 13 81 01 80 73 FF 01 00 0B";
inline constexpr const char* kTokenLabel = "CertBridge Card";
inline constexpr const char* kSecondTokenLabel = "CertBridge Card 2";

/// Puts the card back into reader 0 when it goes out of scope, whatever happened (inserting is idempotent).
class CardBackInGuard {
 public:
  CardBackInGuard() = default;
  ~CardBackInGuard() { TestBed::get().run("insert"); }
  CardBackInGuard(const CardBackInGuard&) = delete;
  CardBackInGuard& operator=(const CardBackInGuard&) = delete;
};

/// Takes the card out for the lifetime of the guard and puts it back afterwards, whatever happens.
class CardOutGuard : public CardBackInGuard {
 public:
  CardOutGuard() { TestBed::get().run("remove"); }
};

/// Stops pcscd for the lifetime of the guard and starts it again (card back in reader 0) afterwards.
class PcscdStoppedGuard {
 public:
  PcscdStoppedGuard() { TestBed::get().run("stop-pcscd"); }
  ~PcscdStoppedGuard() { TestBed::get().run("start-pcscd"); }
  PcscdStoppedGuard(const PcscdStoppedGuard&) = delete;
  PcscdStoppedGuard& operator=(const PcscdStoppedGuard&) = delete;
};

/// Milliseconds since `start`, for timing assertions and the log.
inline long long millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace certbridge::card::testing
