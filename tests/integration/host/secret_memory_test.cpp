// No PIN stays in the host's memory once a command is done, and the host makes no core file: the PIN is
// searched for in every readable mapping of the running host (/proc/<pid>/mem: all a core would hold).

#include <sstream>
#include <string>
#include <vector>

#include "card_test_fixture.hpp"
#include "memory_scan.hpp"
#include "test_ca.hpp"

namespace certbridge::host::integration {
namespace {

// Not in sanitizer builds: they keep freed memory unwiped in their quarantine, and use their own operator new.
#if !defined(CERTBRIDGE_SANITIZED_BUILD)

// A PIN no library, table or test data holds by chance.
constexpr const char* kDistinctPin = "Qz7-pin-81946xw";

TEST_F(CardCommands, NoPinIsLeftInTheHostsMemoryAfterItsCommandAndNoCoreCanBeMade) {
  if (::geteuid() != 0) GTEST_SKIP() << "reading another process's memory needs root";
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
#endif  // !CERTBRIDGE_SANITIZED_BUILD

}  // namespace
}  // namespace certbridge::host::integration
