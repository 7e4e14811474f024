// No PIN stays in the host's memory once a command is done, and the host makes no core file: the PIN is
// searched for in every readable mapping of the running host (/proc/<pid>/mem: all a core would hold).

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "card_test_fixture.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

// A PIN no library, table or test data holds by chance.
constexpr const char* kDistinctPin = "Qz7-pin-81946xw";

struct MemoryScan {
  std::size_t hits = 0;
  std::size_t bytesRead = 0;
  std::vector<std::string> where;  // the mappings with hits
};

// Every occurrence of needle in the readable mappings of process pid ([vvar] and the like, which cannot be
// read, are skipped). The test runs as root, so the host's non-dumpable flag does not stop it.
MemoryScan scanMemory(pid_t pid, const std::string& needle) {
  MemoryScan scan;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::ifstream memory("/proc/" + std::to_string(pid) + "/mem", std::ios::binary);
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, permissions;
    fields >> range >> permissions;
    if (permissions.empty() || permissions[0] != 'r') continue;
    const auto dash = range.find('-');
    const std::uint64_t start = std::stoull(range.substr(0, dash), nullptr, 16);
    const std::uint64_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    std::string bytes(end - start, '\0');
    memory.clear();
    memory.seekg(static_cast<std::streamoff>(start));
    memory.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(memory.gcount(), 0)));
    scan.bytesRead += bytes.size();
    for (auto at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) {
      ++scan.hits;
      scan.where.push_back(line);
    }
  }
  return scan;
}

std::string coreLimits(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max core file size", 0) == 0) return line;
  }
  return {};
}

TEST_F(CardCommands, NoPinIsLeftInTheHostsMemoryAfterItsCommandAndNoCoreCanBeMade) {
  if (::geteuid() != 0) GTEST_SKIP() << "reading another process's memory needs root";
#if defined(CERTBRIDGE_SANITIZED_BUILD)
  GTEST_SKIP() << "a sanitizer build keeps freed memory unwiped in its quarantine, and its own operator new";
#endif
  TestCa ca("CertBridge Test CA");
  {
    auto setup = startHost();
    const std::string issued = ca.issue(generate(*setup, "Memory", {"signing"})["requests"][0]["request"], 365);
    ok(*setup, request("w", "writeCertificates", {{"certificates", json::array({issued})}, {"pins", pins()}}));
    ok(*setup, request("p", "changePin", {{"pin", userPin()}, {"newPin", kDistinctPin}}));
  }

  // As the extension sends it: 4 KB of data first, the PIN last (request_service.js puts secrets last).
  auto host = startHost();
  const std::vector<std::uint8_t> data(4096, 0x41);
  const Answer signedAnswer =
      call(*host, request("s", "signRenewal", {{"data", base64Encode(data)}, {"pins", json::array({kDistinctPin})}}));
  ASSERT_TRUE(signedAnswer.ok()) << signedAnswer.message.dump().substr(0, 400);
  // A malformed request whose PIN is refused on the reading thread, before any card work.
  const Answer refused = call(
      *host,
      request("r", "signRenewal",
              {{"data", base64Encode(data)}, {"certificate", "not an id"}, {"pins", json::array({kDistinctPin})}}));
  EXPECT_EQ(refused.code(), "BAD_REQUEST");
  // The worker runs one command at a time: this answer means the signing command has ended.
  ok(*host, request("l", "listReaders"));

  const MemoryScan pin = scanMemory(host->pid(), kDistinctPin);
  // The scan reads the heap: the configured origin is there.
  const MemoryScan control = scanMemory(host->pid(), kOrigin);
  std::printf("memory scan of the host: %zu bytes read, PIN hits %zu, control hits %zu\n", pin.bytesRead, pin.hits,
              control.hits);
  EXPECT_GT(pin.bytesRead, 1000000u);
  EXPECT_GT(control.hits, 0u) << "the scan found nothing it should have";
  EXPECT_EQ(pin.hits, 0u) << "the PIN is still in memory, in: " << (pin.where.empty() ? "" : pin.where.front());

  // No core file: the size limit is 0, so not even a forced crash writes the PIN to disk.
  const std::string limit = coreLimits(host->pid());
  std::istringstream fields(limit.substr(std::string("Max core file size").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0") << limit;
  EXPECT_EQ(hard, "0") << limit;
}

}  // namespace
}  // namespace certbridge::host::integration
