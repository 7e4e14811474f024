// Every card command refuses malformed parameters with BAD_REQUEST naming the field, before touching the
// card, and never echoes a PIN.

#include <set>

#include "card_test_fixture.hpp"
#include "requests.hpp"

namespace certbridge::host::integration {
namespace {

TEST_F(CardCommands, MalformedParametersOfEveryCommandAreBadRequestsNamingTheField) {
  auto host = startHost();
  int index = 0;
  for (const auto& malformed : malformedCases()) {
    const std::string id = "m" + std::to_string(index++);
    const Answer answer = call(*host, request(id, malformed.command, malformed.params));
    EXPECT_EQ(answer.code(), "BAD_REQUEST")
        << malformed.command << " " << malformed.params.dump() << " -> " << answer.message.dump();
    EXPECT_EQ(answer.message["error"].value("field", ""), malformed.field)
        << malformed.command << " " << malformed.params.dump() << " -> " << answer.message.dump();
    EXPECT_TRUE(answer.progress.empty()) << "refused before any card work";
    const std::string text = answer.message.dump();
    EXPECT_EQ(text.find("123456"), std::string::npos) << "a PIN was echoed: " << text;
    EXPECT_EQ(text.find("87654321"), std::string::npos) << "a PIN was echoed: " << text;
  }
  // Every command of the protocol has malformed cases here.
  std::set<std::string> covered;
  for (const auto& malformed : malformedCases()) covered.insert(malformed.command);
  for (const char* command : {"listCertificates", "generateKeyPair", "writeCertificates", "signRenewal", "authenticate",
                              "changePin", "unblockRequest", "unblockPin", "cancel"}) {
    EXPECT_TRUE(covered.count(command)) << command;
  }
}

TEST_F(CardCommands, UnlistedOriginsCannotUseCardCommands) {
  auto host = startHost();
  for (const char* command : {"listCertificates", "generateKeyPair", "writeCertificates", "signRenewal", "authenticate",
                              "changePin", "unblockRequest", "unblockPin"}) {
    const Answer answer =
        call(*host, request(std::string("o-") + command, command, json::object(), "https://evil.example"));
    EXPECT_EQ(answer.code(), "ORIGIN_NOT_ALLOWED") << command;
  }
}

}  // namespace
}  // namespace certbridge::host::integration
