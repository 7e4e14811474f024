// Starting and stopping the virtual test bed around the card integration tests.

#include "testbed.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "token_test_support.hpp"

namespace certbridge::card::testing {

namespace {

TestBed* current = nullptr;
std::map<std::string, std::string> testBedEnv;

std::string script() {
  return CERTBRIDGE_TESTBED_SCRIPT;
}

// DIR/env holds lines like: export NAME='value'
std::map<std::string, std::string> readEnvFile(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    const std::string prefix = "export ";
    const auto equals = line.find('=');
    if (line.rfind(prefix, 0) != 0 || equals == std::string::npos) continue;
    std::string value = line.substr(equals + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    values[line.substr(prefix.size(), equals - prefix.size())] = value;
  }
  return values;
}

}  // namespace

void TestBed::SetUp() {
  current = this;
  if (geteuid() != 0) GTEST_SKIP() << "test bed unavailable: it needs root (pcscd runs in a private mount namespace)";
  std::string pattern = (std::filesystem::temp_directory_path() / "certbridge-card-it-XXXXXX").string();
  if (!mkdtemp(pattern.data())) FAIL() << "mkdtemp failed";
  dir_ = pattern;

  const auto start = std::chrono::steady_clock::now();
  const auto result =
      runCommand(shellQuote(script()) + " start " + shellQuote(dir_) + " --owner " + std::to_string(getpid()));
  if (result.status != 0) {
    std::filesystem::remove_all(dir_);
    // Missing packages or privileges are an environment limit, anything else is a failure to look into.
    if (result.output.find("missing:") != std::string::npos ||
        result.output.find("must run as root") != std::string::npos)
      GTEST_SKIP() << "test bed unavailable: " << result.output;
    FAIL() << "testbed.sh start failed (" << result.status << "):\n" << result.output;
  }
  started_ = true;
  std::printf("[ testbed  ] started in %s in %lld ms\n", dir_.c_str(), millisecondsSince(start));

  // Before any PC/SC call: libpcsclite reads PCSCLITE_CSOCK_NAME once and keeps it.
  testBedEnv = readEnvFile(dir_ + "/env");
  for (const auto& [name, value] : testBedEnv) setenv(name.c_str(), value.c_str(), 1);
  if (testBedEnv.count("PCSCLITE_CSOCK_NAME") == 0) FAIL() << "no PCSCLITE_CSOCK_NAME in " << dir_ << "/env";
}

void TestBed::TearDown() {
  if (started_) {
    const auto result = runCommand(shellQuote(script()) + " stop " + shellQuote(dir_));
    if (result.status != 0) ADD_FAILURE() << "testbed.sh stop failed:\n" << result.output;
    started_ = false;
  }
  current = nullptr;
}

TestBed& TestBed::get() {
  if (!current) throw std::logic_error("the test bed is not running");
  return *current;
}

void TestBed::run(const std::string& command) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = runCommand(shellQuote(script()) + " " + command + " " + shellQuote(dir_));
  if (result.status != 0) {
    ADD_FAILURE() << "testbed.sh " << command << " failed (" << result.status << "):\n" << result.output;
    return;
  }
  std::printf("[ testbed  ] %s took %lld ms\n", command.c_str(), millisecondsSince(start));
}

std::string TestBed::env(const std::string& name) const {
  const auto found = testBedEnv.find(name);
  return found == testBedEnv.end() ? std::string() : found->second;
}

}  // namespace certbridge::card::testing

// gtest owns registered environments and deletes them at exit.
static ::testing::Environment* const testBedEnvironment =
    ::testing::AddGlobalTestEnvironment(new certbridge::card::testing::TestBed);
