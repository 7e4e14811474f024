// Every card command refuses malformed parameters with BAD_REQUEST naming the field, before touching the
// card, and never echoes a PIN.

#include <set>

#include "card_test_fixture.hpp"

namespace certbridge::host::integration {
namespace {

struct Malformed {
  const char* command;
  json params;
  const char* field;
};

const json kOneKey = json::array({{{"usage", "signing"}}});
const json kPins = json::array({"123456"});

std::vector<Malformed> malformedCases() {
  const json subject = raSubject("A");
  const json authorization = {{"version", 1},          {"requestId", std::string(32, 'a')},
                              {"raPublicKey", "AAAA"}, {"iv", "AAAAAAAAAAAAAAAA"},
                              {"ciphertext", "AAAA"},  {"tag", std::string(24, 'A')}};
  auto with = [](json base, const std::string& key, json value) {
    base[key] = std::move(value);
    return base;
  };
  auto authorizationWith = [&](const std::string& key, json value) {
    return json{{"authorization", with(authorization, key, std::move(value))}, {"newPin", "abcdef"}};
  };
  return {
      {"listCertificates", {{"extra", 1}}, "params.extra"},
      {"listCertificates", {{"reader", 7}}, "params.reader"},
      {"listCertificates", {{"reader", ""}}, "params.reader"},
      {"generateKeyPair", {{"keys", kOneKey}, {"pins", kPins}}, "params.subject"},
      {"generateKeyPair", {{"subject", json::array()}, {"keys", kOneKey}}, "params.subject"},
      {"generateKeyPair",
       {{"subject", json::array({{{"type", "XX"}, {"value", "a"}}})}, {"keys", kOneKey}},
       "params.subject[0].type"},
      {"generateKeyPair",
       {{"subject", json::array({{{"type", "C"}, {"value", "Taiwan"}}})}, {"keys", kOneKey}},
       "params.subject[0].value"},
      {"generateKeyPair",
       {{"subject", json::array({{{"type", "CN"}, {"value", "a\nb"}}})}, {"keys", kOneKey}},
       "params.subject[0].value"},
      {"generateKeyPair",
       {{"subject", json::array({{{"type", "CN"}, {"value", "a"}, {"x", 1}}})}, {"keys", kOneKey}},
       "params.subject[0].x"},
      {"generateKeyPair", {{"subject", subject}}, "params.keys"},
      {"generateKeyPair",
       {{"subject", subject}, {"keys", json::array({kOneKey[0], kOneKey[0], kOneKey[0]})}},
       "params.keys"},
      {"generateKeyPair",
       {{"subject", subject}, {"keys", json::array({{{"usage", "signature"}}})}},
       "params.keys[0].usage"},
      {"generateKeyPair",
       {{"subject", subject}, {"keys", json::array({{{"usage", "signing"}, {"keySize", "2048"}}})}},
       "params.keys[0].keySize"},
      {"generateKeyPair",
       {{"subject", subject}, {"keys", json::array({{{"usage", "signing"}, {"pinGroup", 9}}})}},
       "params.keys[0].pinGroup"},
      {"generateKeyPair", {{"subject", subject}, {"keys", kOneKey}, {"pins", "123456"}}, "params.pins"},
      {"generateKeyPair", {{"subject", subject}, {"keys", kOneKey}, {"pins", json::array({123456})}}, "params.pins[0]"},
      {"generateKeyPair",
       {{"subject", subject}, {"keys", kOneKey}, {"pins", json::array({std::string(65, '1')})}},
       "params.pins[0]"},
      {"writeCertificates", {{"pins", kPins}}, "params.certificates"},
      {"writeCertificates",
       {{"certificates", json::array({"not a certificate"})}, {"pins", kPins}},
       "params.certificates[0]"},
      {"writeCertificates",
       {{"certificates", json::array({"AAAA"})}, {"caCertificates", json::array({1})}},
       "params.certificates[0]"},
      {"writeCertificates", {{"certificates", json::array()}}, "params.certificates"},
      {"writeCertificates",
       {{"certificates", "x"}, {"removeCertificates", json::array({"zz"})}},
       "params.certificates"},
      {"signRenewal", {{"pins", kPins}}, "params.data"},
      {"signRenewal", {{"data", "***"}}, "params.data"},
      {"signRenewal", {{"data", "AAAA"}, {"certificate", "abc"}}, "params.certificate"},
      {"signRenewal", {{"data", "AAAA"}, {"detached", "yes"}}, "params.detached"},
      {"authenticate", json::object(), "params.challenge"},
      {"authenticate", {{"challenge", "AAAA"}}, "params.challenge"},
      {"authenticate", {{"challenge", std::string(2000, 'A')}}, "params.challenge"},
      {"authenticate", {{"challenge", "AAAAAAAAAAAAAAAAAAAAAAAA"}, {"origin", "https://x.example"}}, "params.origin"},
      {"changePin", {{"pin", "abcdef"}}, "params.newPin"},
      {"changePin", {{"newPin", "abcdef"}}, "params.pin"},
      {"changePin", {{"pin", json::array({"abcdef"})}, {"newPin", "abcdefg"}}, "params.pin"},
      {"changePin", {{"pin", "abcdef"}, {"newPin", "abcdefg"}, {"pinGroup", -1}}, "params.pinGroup"},
      {"unblockRequest", {{"pinGroup", "0"}}, "params.pinGroup"},
      {"unblockRequest", {{"soPin", "87654321"}}, "params.soPin"},
      {"unblockPin", {{"newPin", "abcdef"}}, "params.authorization"},
      {"unblockPin", {{"authorization", authorization}}, "params.newPin"},
      {"unblockPin", authorizationWith("version", 2), "params.authorization.version"},
      {"unblockPin", authorizationWith("requestId", "abc"), "params.authorization.requestId"},
      {"unblockPin", authorizationWith("iv", "AAAA"), "params.authorization.iv"},
      {"unblockPin", authorizationWith("tag", 5), "params.authorization.tag"},
      {"unblockPin", authorizationWith("soPin", "87654321"), "params.authorization.soPin"},
      {"cancel", json::object(), "params.target"},
      {"cancel", {{"target", "bad id!"}}, "params.target"},
  };
}

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
