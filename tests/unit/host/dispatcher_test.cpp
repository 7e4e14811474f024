// The command table against protocol.json.

#include <gtest/gtest.h>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {
namespace {

TEST(CommandTable, ImplementsEveryCommandOfTheProtocol) {
  for (const auto& command : protocol::kCommands) {
    EXPECT_NE(findCommandEntry(command.name), nullptr) << command.name << " is in protocol.json but has no handler";
  }
  EXPECT_EQ(commandTable().size(), protocol::kCommands.size());
}

TEST(CommandTable, QuickCommandsRunOnTheReadingThread) {
  EXPECT_EQ(findCommandEntry("status")->placement, Placement::ReaderThread);
  EXPECT_EQ(findCommandEntry("cancel")->placement, Placement::ReaderThread);
  EXPECT_EQ(findCommandEntry("checkParams")->placement, Placement::ReaderThread);
  EXPECT_EQ(findCommandEntry("environment")->placement, Placement::Worker);
  EXPECT_EQ(findCommandEntry("listReaders")->placement, Placement::Worker);
  EXPECT_EQ(findCommandEntry("nope"), nullptr);
}

// What the extension asks before its consent window: the command's own rules, with the secrets stood in.
nlohmann::json checkOf(const std::string& command, nlohmann::json params) {
  nlohmann::json request = {{"command", command}, {"params", std::move(params)}};
  findCommandEntry("checkParams")->prepare(request);
  return request;
}

std::string refusedField(const std::string& command, nlohmann::json params) {
  try {
    checkOf(command, std::move(params));
  } catch (const ProtocolError& error) {
    EXPECT_EQ(error.code(), ErrorCode::BadRequest);
    return error.details().value("field", "");
  }
  return "accepted";
}

TEST(CheckParams, RefusesWhatTheCommandWouldRefuseBeforeAnyWindow) {
  const nlohmann::json subject = nlohmann::json::array({{{"type", "CN"}, {"value", "王小明"}}});
  EXPECT_EQ(refusedField("authenticate", {{"challenge", "AAECAwQ="}}), "params.challenge") << "5 bytes";
  EXPECT_EQ(refusedField("generateKeyPair",
                         {{"subject", {{{"type", "C"}, {"value", "Taiwan"}}}}, {"keys", {{{"usage", "signing"}}}}}),
            "params.subject[0].value");
  EXPECT_EQ(refusedField("writeCertificates", {{"certificates", {"not a certificate"}}}), "params.certificates[0]");
  EXPECT_EQ(refusedField("unblockPin", nlohmann::json::object()), "params.authorization")
      << "the new PIN is stood in for: the check reaches the authorization";
  EXPECT_EQ(refusedField("changePin", {{"pinGroup", 4}}), "params.pinGroup");
  EXPECT_EQ(refusedField("generateKeyPair", {{"subject", subject}, {"keys", {{{"usage", "signing"}}}}}), "accepted");
  EXPECT_EQ(refusedField("changePin", nlohmann::json::object()), "accepted") << "PIN and new PIN come later";
  EXPECT_EQ(refusedField("signRenewal", {{"data", "AAECAwQ="}}), "accepted")
      << "a card renewal gets no store password: none is stood in for";
}

TEST(CheckParams, NeverTakesASecretNorChecksItself) {
  EXPECT_EQ(refusedField("changePin", {{"newPin", "123456"}}), "params.newPin");
  EXPECT_EQ(refusedField("checkParams", {{"command", "status"}, {"params", nlohmann::json::object()}}),
            "params.command");
  EXPECT_EQ(refusedField("cancel", {{"target", "x"}}), "params.command");
  EXPECT_EQ(refusedField("formatCard", nlohmann::json::object()), "params.command");
}

TEST(CommandTable, OnlyStatusIsOpenToAnyOrigin) {
  for (const auto& command : protocol::kCommands) {
    EXPECT_EQ(command.anyOrigin, command.name == "status") << command.name;
  }
}

}  // namespace
}  // namespace certbridge::host
