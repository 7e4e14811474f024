#include "os_store_fixture.hpp"

#include <fstream>
#include <sstream>

#include "test_ca.hpp"
#include "testbed_environment.hpp"

namespace certbridge::host::integration {
namespace {

using namespace std::chrono_literals;

constexpr const char* kOrigin = "http://127.0.0.1:8080";  // allowed by the test bed's configuration

// The test bed, started once for the whole binary (SoftHSM2 only: these tests need no PIN lock).
TestbedEnvironment* const environment = TestbedEnvironment::add(false);

}  // namespace

Testbed& OsStore::bed() {
  return *environment->testbed;
}

void OsStore::SetUp() {
  CERTBRIDGE_REQUIRE_TESTBED(environment);
  std::string output;
  ASSERT_TRUE(bed().run("reset-tokens", &output)) << output;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  home_ = bed().scratch() / "homes" / test->name();
  std::filesystem::remove_all(home_);
  std::filesystem::create_directories(home_);
}

void OsStore::TearDown() {
  if (!home_.empty()) {
    std::error_code error;
    std::filesystem::remove_all(home_, error);
  }
}

OsStore::Restore::~Restore() {
  std::string output;
  if (!bed().run(command, &output)) ADD_FAILURE() << "could not restore the test bed (" << command << "): " << output;
}

std::string OsStore::cardModule() const {
  const json config = json::parse(readFile(bed().get("CERTBRIDGE_CONFIG")));
  return config["cardProfiles"][0]["module"].get<std::string>();
}

std::unique_ptr<HostProcess> OsStore::startHost() {
  auto env = bed().environment();
  env["HOME"] = home_.string();
  env["XDG_CONFIG_HOME"] = "";
  auto host = std::make_unique<HostProcess>(
      CERTBRIDGE_HOST_BINARY, std::vector<std::string>{"chrome-extension://jchbopihgjendkbmjddpblohdhfkllcn/"}, env,
      bed().scratch() / "host-stderr.log");
  const json hello = host->receive(5s);
  EXPECT_EQ(hello["hello"]["name"], "certbridge-host");
  return host;
}

json OsStore::call(HostProcess& host, const std::string& id, const std::string& command, json params,
                   std::vector<json>* progress) {
  host.send({{"id", id}, {"command", command}, {"origin", kOrigin}, {"params", std::move(params)}});
  for (;;) {
    json message = host.receiveFor(id, 120s);
    if (!message.contains("progress")) return message;
    if (progress != nullptr) progress->push_back(message["progress"]);
  }
}

json OsStore::ok(HostProcess& host, const std::string& id, const std::string& command, json params) {
  const json answer = call(host, id, command, std::move(params));
  EXPECT_EQ(answer.value("ok", false), true) << command << ": " << answer.dump(2);
  return answer.value("ok", false) ? answer["result"] : json::object();
}

json OsStore::issueCertificatesToCard(HostProcess& host, const std::string& commonName) {
  const json pins = json::array({bed().get("CERTBRIDGE_TESTBED_USER_PIN")});
  const json subject = json::array({{{"type", "C"}, {"value", "TW"}},
                                    {{"type", "O"}, {"value", "Finance"}},
                                    {{"type", "CN"}, {"value", commonName}}});
  const json generated = ok(host, "issue-gen", "generateKeyPair",
                            {{"subject", subject},
                             {"keys", json::array({{{"usage", "signing"}}, {{"usage", "encryption"}}})},
                             {"pins", pins}});
  TestCa ca("CertBridge Test CA");
  json certificates = json::array();
  for (const auto& entry : generated.value("requests", json::array())) {
    certificates.push_back(ca.issue(entry["request"].get<std::string>(), 365));
  }
  const json written =
      ok(host, "issue-write", "writeCertificates",
         {{"certificates", certificates}, {"caCertificates", json::array({ca.pem()})}, {"pins", pins}});
  return written.value("certificates", json::array());
}

std::string OsStore::nssTool(const std::string& arguments, int expectedExit) const {
  std::string output;
  const int code =
      runCommand("SOFTHSM2_CONF=" + shellQuote(bed().get("SOFTHSM2_CONF")) + " " + arguments + " </dev/null", output);
  EXPECT_EQ(code, expectedExit) << arguments << ": " << output;
  return output;
}

std::string OsStore::modutilList(const std::filesystem::path& database, int expectedExit) const {
  return nssTool("modutil -list -dbdir " + shellQuote("sql:" + database.string()), expectedExit);
}

std::string OsStore::certutilListAll(const std::filesystem::path& database) const {
  return nssTool("certutil -L -h all -d " + shellQuote("sql:" + database.string()), 0);
}

std::string OsStore::certutilTokens(const std::filesystem::path& database) const {
  return nssTool("certutil -U -d " + shellQuote("sql:" + database.string()), 0);
}

void OsStore::createDatabase(const std::filesystem::path& database) const {
  std::filesystem::create_directories(database);
  nssTool("certutil -N --empty-password -d " + shellQuote("sql:" + database.string()), 0);
}

void OsStore::addModule(const std::filesystem::path& database, const std::string& name,
                        const std::string& library) const {
  nssTool("modutil -force -dbdir " + shellQuote("sql:" + database.string()) + " -add " + shellQuote(name) +
              " -libfile " + shellQuote(library),
          0);
}

std::vector<std::pair<std::string, std::string>> OsStore::moduleEntries(const std::filesystem::path& database) const {
  std::vector<std::pair<std::string, std::string>> entries;
  std::istringstream lines(readFile(database / "pkcs11.txt"));
  std::string library;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("library=", 0) == 0) library = line.substr(8);
    if (line.rfind("name=", 0) == 0) entries.emplace_back(line.substr(5), library);
    if (line.empty()) library.clear();
  }
  return entries;
}

int OsStore::entriesFor(const std::filesystem::path& database, const std::string& library) const {
  int count = 0;
  for (const auto& entry : moduleEntries(database)) count += entry.second == library ? 1 : 0;
  return count;
}

void OsStore::writeProfilesIni(const std::vector<std::string>& profileBodies) const {
  std::string text = "[General]\nStartWithLastProfile=1\nVersion=2\n\n";
  for (std::size_t i = 0; i < profileBodies.size(); ++i) {
    text += "[Profile" + std::to_string(i) + "]\n" + profileBodies[i] + "\n\n";
  }
  text += "[Install4F96D1932A9F858E]\nDefault=unused.default\nLocked=1\n";
  writeFile(home_ / ".mozilla" / "firefox" / "profiles.ini", text);
}

}  // namespace certbridge::host::integration
