// Per-command parameter validation.

#include <gtest/gtest.h>

#include "certbridge/host/param_validator.hpp"
#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host {
namespace {

using nlohmann::json;

json fieldOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    return e.details()["field"];
  }
  ADD_FAILURE() << "no BAD_REQUEST";
  return nullptr;
}

TEST(ParamValidator, EmptyAllowListRejectsAnyKey) {
  const json empty = json::object();
  const json pin = {{"pin", "123456"}};
  const json array = json::array();
  EXPECT_NO_THROW(ParamValidator(empty, {}));
  EXPECT_EQ(fieldOf([&] { ParamValidator(pin, {}); }), "params.pin");
  EXPECT_EQ(fieldOf([&] { ParamValidator(array, {}); }), "params");
}

// A validator over one key/value pair.
std::string stringParam(const json& value, const StringRule& rule) {
  const json params = {{"v", value}};
  return ParamValidator(params, {"v"}).requiredString("v", rule);
}

std::int64_t integerParam(const json& value, std::int64_t min, std::int64_t max) {
  const json params = {{"n", value}};
  return ParamValidator(params, {"n"}).requiredInteger("n", min, max);
}

TEST(ParamValidator, RequiredString) {
  const StringRule rule{1, 8, Charset::RequestId};
  EXPECT_EQ(stringParam("abc-1", rule), "abc-1");
  const json empty = json::object();
  EXPECT_EQ(fieldOf([&] { ParamValidator(empty, {"target"}).requiredString("target", rule); }), "params.target");
  for (const auto& bad :
       std::initializer_list<json>{json(1), json(""), json("123456789"), json("a b"), json(nullptr)}) {
    EXPECT_EQ(fieldOf([&] { stringParam(bad, rule); }), "params.v") << bad;
  }
}

TEST(ParamValidator, LengthsCountCharactersNotBytes) {
  const StringRule rule{2, 3, Charset::Printable};
  EXPECT_EQ(stringParam("王小明", rule), "王小明");
  EXPECT_EQ(fieldOf([&] { stringParam("王小明明", rule); }), "params.v");
  EXPECT_EQ(utf8Length("王小明"), 3u);
}

TEST(ParamValidator, Charsets) {
  const auto check = [](Charset charset, const char* text) {
    try {
      stringParam(text, {0, 100, charset});
      return true;
    } catch (const ProtocolError&) {
      return false;
    }
  };
  EXPECT_TRUE(check(Charset::Printable, "CN=王小明, O=Finance"));
  EXPECT_FALSE(check(Charset::Printable, "line\nbreak"));
  EXPECT_FALSE(check(Charset::Printable, "nul\x01"));
  EXPECT_FALSE(check(Charset::Printable, "c1\xc2\x85"));
  EXPECT_TRUE(check(Charset::Base64, "QUJD"));
  EXPECT_TRUE(check(Charset::Base64, "QUI="));
  EXPECT_FALSE(check(Charset::Base64, "QU=I"));
  EXPECT_FALSE(check(Charset::Base64, "QUI"));
  EXPECT_TRUE(check(Charset::Hex, "400132DF7d68"));
  EXPECT_FALSE(check(Charset::Hex, "0x12"));
  EXPECT_TRUE(check(Charset::RequestId, "a_B-9"));
  EXPECT_FALSE(check(Charset::RequestId, "a.b"));
}

TEST(ParamValidator, OptionalValues) {
  const json params = {{"n", 5}, {"flag", true}};
  const ParamValidator validator(params, {"n", "flag", "s"});
  EXPECT_EQ(validator.optionalInteger("n", 0, 10), 5);
  EXPECT_EQ(validator.optionalBool("flag"), true);
  EXPECT_EQ(validator.optionalString("s", {0, 5, Charset::Printable}), std::nullopt);
  EXPECT_EQ(validator.optionalInteger("missing", 0, 1), std::nullopt);
}

TEST(ParamValidator, IntegersAreTypedAndBounded) {
  for (const auto& bad : std::initializer_list<json>{json(11), json(-1), json(1.5), json("5"), json(true),
                                                     json(18446744073709551615ull)}) {
    EXPECT_EQ(fieldOf([&] { integerParam(bad, 0, 10); }), "params.n") << bad;
  }
  EXPECT_EQ(integerParam(10, 0, 10), 10);
  const json flag = {{"flag", 1}};
  EXPECT_EQ(fieldOf([&] { ParamValidator(flag, {"flag"}).optionalBool("flag"); }), "params.flag");
}

}  // namespace
}  // namespace certbridge::host

namespace certbridge::host {
namespace {

TEST(ParamValidator, ArraysAndNestedObjectsNameTheElementInErrors) {
  const json params = {{"keys", json::array({{{"usage", "signing"}}, {{"usage", 5}}})},
                       {"names", json::array({"a", "b\u0001"})},
                       {"one", json::object()}};
  const ParamValidator validator(params, {"keys", "names", "one"});
  const json& keys = validator.requiredArray("keys", 1, 2);
  EXPECT_EQ(keys.size(), 2u);
  const ParamValidator first(keys[0], validator.element("keys", 0), {"usage"});
  EXPECT_EQ(first.requiredString("usage", {1, 16, Charset::Printable}), "signing");
  EXPECT_EQ(fieldOf([&] {
              const ParamValidator second(keys[1], validator.element("keys", 1), {"usage"});
              second.requiredString("usage", {1, 16, Charset::Printable});
            }),
            "params.keys[1].usage");
  EXPECT_EQ(fieldOf([&] { ParamValidator(keys[0], validator.element("keys", 0), {}); }), "params.keys[0].usage");
  EXPECT_EQ(fieldOf([&] { validator.requiredArray("keys", 3, 4); }), "params.keys");
  EXPECT_EQ(fieldOf([&] { validator.requiredArray("one", 0, 4); }), "params.one");
  EXPECT_EQ(fieldOf([&] { validator.requiredArray("absent", 0, 4); }), "params.absent");
  EXPECT_EQ(validator.optionalArray("absent", 0, 4), nullptr);
  EXPECT_EQ(fieldOf([&] { validator.stringArray("names", 0, 4, {1, 8, Charset::Printable}); }), "params.names[1]");
  EXPECT_TRUE(validator.stringArray("absent", 0, 4, {1, 8, Charset::Printable}).empty());
  EXPECT_EQ(fieldOf([&] { validator.stringArray("absent", 1, 4, {1, 8, Charset::Printable}); }), "params.absent");
  EXPECT_NO_THROW(validator.requiredObject("one"));
  EXPECT_EQ(fieldOf([&] { validator.requiredObject("keys"); }), "params.keys");
}

TEST(ParamValidator, LinesAllowLineBreaksOnly) {
  const json params = {{"pem", "-----BEGIN X-----\r\nAAAA\n-----END X-----\n"}, {"tab", "a\tb"}};
  const ParamValidator validator(params, {"pem", "tab"});
  EXPECT_NO_THROW(validator.requiredString("pem", {1, 100, Charset::Lines}));
  EXPECT_EQ(fieldOf([&] { validator.requiredString("tab", {1, 100, Charset::Lines}); }), "params.tab");
  EXPECT_EQ(fieldOf([&] { validator.requiredString("pem", {1, 100, Charset::Printable}); }), "params.pem");
}

}  // namespace
}  // namespace certbridge::host
