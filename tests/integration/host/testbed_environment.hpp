#pragma once
// One test bed for a whole GoogleTest binary (starting one takes seconds), and the check each test makes
// first: fail when it could not start, skip with the reason when it cannot run here (not root, packages).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "testbed.hpp"

namespace certbridge::host::integration {

class TestbedEnvironment : public ::testing::Environment {
 public:
  explicit TestbedEnvironment(bool withOpenCryptoki) : withOpenCryptoki_(withOpenCryptoki) {}
  void SetUp() override { testbed = Testbed::start(skipReason, failure, withOpenCryptoki_); }
  void TearDown() override { testbed.reset(); }

  /// Registers the binary's test bed (call once, at namespace scope: `... environment = TestbedEnvironment::add(..)`).
  static TestbedEnvironment* add(bool withOpenCryptoki) {
    return static_cast<TestbedEnvironment*>(
        ::testing::AddGlobalTestEnvironment(new TestbedEnvironment(withOpenCryptoki)));
  }

  std::unique_ptr<Testbed> testbed;
  std::string skipReason;
  std::string failure;

 private:
  bool withOpenCryptoki_;
};

/// In a fixture's SetUp: FAIL when the test bed did not start, GTEST_SKIP with the reason when it cannot run.
#define CERTBRIDGE_REQUIRE_TESTBED(environment)                             \
  do {                                                                      \
    if (!(environment)->failure.empty()) FAIL() << (environment)->failure;  \
    if (!(environment)->testbed) GTEST_SKIP() << (environment)->skipReason; \
  } while (false)

}  // namespace certbridge::host::integration
