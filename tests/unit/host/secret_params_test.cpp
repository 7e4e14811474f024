// PINs taken out of a request's params: the JSON keeps no copy, malformed ones are refused without echo.

#include <gtest/gtest.h>

#include "certbridge/host/protocol_error.hpp"
#include "secret_params.hpp"

namespace certbridge::host {
namespace {

using nlohmann::json;

std::string view(const card::SecretString* secret) {
  return secret == nullptr ? "<none>" : std::string(secret->data(), secret->size());
}

TEST(SecretParams, PinsAreMovedOutOfTheParams) {
  json params = {{"pins", json::array({"123456", nullptr, "abcdef"})}, {"reader", "R"}};
  const SharedPins pins = takePins(params);
  EXPECT_FALSE(params.contains("pins"));
  EXPECT_EQ(params["reader"], "R");
  EXPECT_EQ(view(pins->find(0)), "123456");
  EXPECT_EQ(pins->find(1), nullptr);
  EXPECT_EQ(view(pins->find(2)), "abcdef");
  EXPECT_EQ(pins->find(3), nullptr);
  EXPECT_EQ(params.dump().find("123456"), std::string::npos);
}

TEST(SecretParams, AbsentPinsGiveAnEmptyList) {
  json params = {{"reader", "R"}};
  EXPECT_TRUE(takePins(params)->pins.empty());
  json notObject = json::array();
  EXPECT_TRUE(takePins(notObject)->pins.empty());
}

TEST(SecretParams, MalformedPinsAreBadRequestsWithoutTheValue) {
  const std::vector<std::pair<json, std::string>> cases = {
      {"123456", "params.pins"},
      {json::array(), "params.pins"},
      {json::array({"1", "2", "3", "4", "5"}), "params.pins"},
      {json::array({"123456", 123456}), "params.pins[1]"},
      {json::array({""}), "params.pins[0]"},
      {json::array({std::string(65, '7')}), "params.pins[0]"},
  };
  for (const auto& [value, field] : cases) {
    json params = {{"pins", value}};
    try {
      takePins(params);
      ADD_FAILURE() << "accepted " << value.dump();
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.code(), ErrorCode::BadRequest);
      EXPECT_EQ(e.details()["field"], field) << value.dump();
      EXPECT_EQ(e.details().dump().find("123456"), std::string::npos);
    }
    EXPECT_FALSE(params.contains("pins")) << "taken out even when refused";
  }
}

TEST(SecretParams, SingleSecrets) {
  json params = {{"pin", "old-pin"}, {"newPin", 5}};
  const auto pin = takeSecret(params, "pin");
  ASSERT_TRUE(pin);
  EXPECT_EQ(view(pin.get()), "old-pin");
  EXPECT_FALSE(params.contains("pin"));
  EXPECT_THROW(takeSecret(params, "newPin"), ProtocolError);
  EXPECT_FALSE(params.contains("newPin"));
  EXPECT_EQ(takeSecret(params, "absent"), nullptr);
}

}  // namespace
}  // namespace certbridge::host
