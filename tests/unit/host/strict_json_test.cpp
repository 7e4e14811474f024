// The strict parser for untrusted JSON: duplicate keys, nesting depth, UTF-8.

#include <gtest/gtest.h>

#include "certbridge/host/strict_json.hpp"

namespace certbridge::host {
namespace {

std::optional<nlohmann::json> parse(std::string_view text, std::string* reason = nullptr) {
  std::string error;
  auto result = parseStrictJson(text, error);
  if (reason != nullptr) *reason = error;
  return result;
}

TEST(StrictJson, ParsesObjectsArraysAndScalars) {
  const auto value = parse(R"({"a":[1,-2,3.5,"x",true,false,null,{"b":{}}],"c":"中文"})");
  ASSERT_TRUE(value);
  EXPECT_EQ((*value)["a"][0], 1);
  EXPECT_EQ((*value)["a"][1], -2);
  EXPECT_EQ((*value)["a"][7]["b"], nlohmann::json::object());
  EXPECT_EQ((*value)["c"], "中文");
  EXPECT_EQ(*value, nlohmann::json::parse(R"({"a":[1,-2,3.5,"x",true,false,null,{"b":{}}],"c":"中文"})"));
}

TEST(StrictJson, RejectsDuplicateKeysAtAnyLevel) {
  std::string reason;
  EXPECT_FALSE(parse(R"({"id":"a","id":"b"})", &reason));
  EXPECT_EQ(reason, "duplicate key");
  EXPECT_FALSE(parse(R"({"p":{"x":1,"x":1}})"));
  EXPECT_TRUE(parse(R"({"p":{"x":1},"q":{"x":1}})"));
}

TEST(StrictJson, LimitsNesting) {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(parse(nested(kMaxJsonDepth)));
  std::string reason;
  EXPECT_FALSE(parse(nested(kMaxJsonDepth + 1), &reason));
  EXPECT_EQ(reason, "nested too deeply");
  EXPECT_FALSE(parse(std::string(100000, '[')));  // no stack overflow either
}

TEST(StrictJson, RejectsInvalidUtf8) {
  EXPECT_FALSE(parse("\"\xff\""));
  EXPECT_FALSE(parse("\"\xc0\xaf\""));      // overlong '/'
  EXPECT_FALSE(parse("\"\xed\xa0\x80\""));  // UTF-16 surrogate
  EXPECT_FALSE(parse("{\"a\xfe\":1}"));
  EXPECT_TRUE(parse("\"\xe4\xb8\xad\""));  // 中
}

TEST(StrictJson, RejectsGarbageAndTrailingData) {
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse("garbage"));
  EXPECT_FALSE(parse("{} {}"));
  EXPECT_FALSE(parse("{\"a\":1,}"));
  EXPECT_FALSE(parse("// comment\n{}"));
  EXPECT_FALSE(parse(std::string("{}\0", 3)));
}

}  // namespace
}  // namespace certbridge::host
