#include "requests.hpp"

namespace certbridge::host::integration {
namespace {

const json kOneKey = json::array({{{"usage", "signing"}}});
const json kPins = json::array({"123456"});

}  // namespace

json request(const std::string& id, const std::string& command, json params, const std::string& origin) {
  return {{"id", id}, {"command", command}, {"origin", origin}, {"params", std::move(params)}};
}

json raSubject(const std::string& commonName) {
  return json::array({{{"type", "C"}, {"value", "TW"}},
                      {{"type", "O"}, {"value", "Finance"}},
                      {{"type", "OU"}, {"value", "70759028-RA-ForTest"}},
                      {{"type", "OU"}, {"value", "0A-TEST2"}},
                      {{"type", "CN"}, {"value", commonName}}});
}

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

}  // namespace certbridge::host::integration
