#include "software_store_fixture.hpp"

#include <openssl/evp.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "testbed.hpp"

namespace certbridge::host::integration {

using namespace std::chrono_literals;

json softwareRequest(const std::string& id, const std::string& command, json params) {
  return {{"id", id}, {"command", command}, {"origin", kSoftwareOrigin}, {"params", std::move(params)}};
}

void SoftwareStoreTest::SetUp() {
  std::string output;
  for (const char* tool : {"certutil", "openssl"}) {
    if (runCommand(std::string("command -v ") + tool, output) != 0) {
      const std::string reason =
          std::string(tool) + " is missing (Debian: libnss3-tools, openssl; tests/install-dependencies.sh)";
      if (std::getenv("CI") != nullptr) FAIL() << reason;  // NOLINT(concurrency-mt-unsafe)
      GTEST_SKIP() << reason;
    }
  }
  char pattern[] = "/tmp/certbridge-software-it-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  root_ = pattern;
  std::filesystem::create_directories(root_ / "logs");
  config_ = writeFile(root_ / "config.json", R"({"allowedOrigins": ["http://127.0.0.1:*"]})");
}

void SoftwareStoreTest::TearDown() {
  std::error_code ignored;
  if (!root_.empty()) std::filesystem::remove_all(root_, ignored);
}

std::filesystem::path SoftwareStoreTest::home(const std::string& name) {
  const auto path = root_ / ("home-" + name);
  std::filesystem::create_directories(path);
  return path;
}

std::unique_ptr<HostProcess> SoftwareStoreTest::startHost(const std::string& homeName) {
  const std::map<std::string, std::string> environment = {{"HOME", home(homeName).string()},
                                                          {"CERTBRIDGE_CONFIG", config_.string()},
                                                          {"CERTBRIDGE_LOG_DIR", (root_ / "logs").string()}};
  auto host = std::make_unique<HostProcess>(
      CERTBRIDGE_HOST_BINARY, std::vector<std::string>{"chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/"},
      environment, root_ / "host-stderr.log");
  const json hello = host->receive(5s);
  EXPECT_EQ(hello["hello"]["name"], "certbridge-host");
  return host;
}

Answer SoftwareStoreTest::call(HostProcess& host, const json& message, std::chrono::milliseconds timeout) {
  host.send(message);
  const std::string id = message["id"].get<std::string>();
  Answer answer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    json received = host.receiveFor(id, std::max(left, std::chrono::milliseconds(1)));
    if (received.contains("progress")) {
      answer.progress.push_back(received["progress"]);
      continue;
    }
    answer.message = std::move(received);
    return answer;
  }
}

json SoftwareStoreTest::ok(HostProcess& host, const json& message) {
  const Answer answer = call(host, message);
  EXPECT_TRUE(answer.ok()) << message["command"] << ": " << answer.message.dump(2);
  return answer.ok() ? answer.result() : json::object();
}

int SoftwareStoreTest::certutil(const std::string& homeName, const std::string& args, std::string& output) {
  return runCommand("certutil " + args + " -d " + shellQuote("sql:" + database(homeName).string()), output);
}

std::string SoftwareStoreTest::storeListing(const std::string& homeName) {
  std::string certificates;
  std::string keys;
  certutil(homeName, "-L", certificates);
  certutil(homeName, "-K", keys);
  return "certificates:\n" + certificates + "keys:\n" + keys;
}

std::string SoftwareStoreTest::hostLog() const {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(root_ / "logs")) all += readFile(entry.path());
  return all;
}

}  // namespace certbridge::host::integration
