#pragma once
// The virtual test bed (tests/testbed/testbed.sh): private pcscd + virtual reader and card + SoftHSM2 tokens.

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace certbridge::host::integration {

/// Runs a shell command line; returns its exit code (-1 if it did not exit normally) and combined output.
int runCommand(const std::string& commandLine, std::string& output);
/// text in single quotes, for a shell command line.
std::string shellQuote(const std::string& text);

class Testbed {
 public:
  /// Starts a test bed owned by this process (it is torn down even if the tests crash). On failure returns
  /// nullptr and sets skipReason (not root, packages missing) or failure (anything else).
  /// With withOpenCryptoki, the openCryptoki token runs too (see runInOpenCryptoki).
  static std::unique_ptr<Testbed> start(std::string& skipReason, std::string& failure, bool withOpenCryptoki = false);

  /// Stops everything and deletes the directory.
  ~Testbed();
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;

  /// Runs `testbed.sh COMMAND DIR` (insert, remove, stop-pcscd, start-pcscd); false (with output) on failure.
  bool run(const std::string& command, std::string* output = nullptr) const;

  /// PCSCLITE_CSOCK_NAME, SOFTHSM2_CONF, CERTBRIDGE_CONFIG, CERTBRIDGE_LOG_DIR, CERTBRIDGE_TESTBED_*.
  const std::map<std::string, std::string>& environment() const { return environment_; }
  std::string get(const std::string& name) const;

  /// A scratch directory beside the test bed, for per-test files.
  const std::filesystem::path& scratch() const { return scratch_; }

 private:
  Testbed() = default;
  std::filesystem::path root_;  ///< Ours: holds the test bed directory and scratch.
  std::filesystem::path dir_;   ///< The test bed's directory.
  std::filesystem::path scratch_;
  std::map<std::string, std::string> environment_;
};

}  // namespace certbridge::host::integration
