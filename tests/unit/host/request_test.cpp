// The request envelope: every rule of extension/shared/README.md.

#include <random>

#include <gtest/gtest.h>

#include "certbridge/host/protocol_error.hpp"
#include "certbridge/host/request.hpp"
#include "test_support.hpp"

namespace certbridge::host {
namespace {

using nlohmann::json;

struct Rejection {
  ErrorCode code;
  json details;
  std::optional<std::string> id;
};

Rejection rejectPayload(const std::string& payload) {
  std::optional<std::string> id;
  try {
    parseRequest(payload, id);
  } catch (const ProtocolError& e) {
    return {e.code(), e.details(), id};
  }
  ADD_FAILURE() << "accepted: " << payload;
  return {ErrorCode::InternalError, {}, id};
}

Rejection reject(const json& envelope) {
  return rejectPayload(envelope.dump());
}

json with(json envelope, const char* key, json value) {
  envelope[key] = std::move(value);
  return envelope;
}

TEST(Request, AcceptsAWellFormedRequest) {
  std::optional<std::string> id;
  const Request request = parseRequest(test::request("req-1_A", "status", "https://ra.example").dump(), id);
  EXPECT_EQ(request.id, "req-1_A");
  EXPECT_EQ(request.command, "status");
  EXPECT_EQ(request.origin, "https://ra.example");
  EXPECT_EQ(request.params, json::object());
  ASSERT_NE(request.info, nullptr);
  EXPECT_TRUE(request.info->anyOrigin);
  EXPECT_EQ(id, "req-1_A");
}

TEST(Request, UnparsableMessagesAreBadRequestsWithoutId) {
  for (const auto& payload : std::initializer_list<std::string>{
           std::string(), std::string("garbage"), std::string("{\"id\":"), std::string("\xff\xfe"),
           std::string("[1,2]"), std::string("\"text\""), std::string("42"), std::string("null"),
           std::string(
               "{\"id\":\"a\",\"id\":\"b\",\"command\":\"status\",\"origin\":\"https://a.b\",\"params\":{}}")}) {
    const Rejection r = rejectPayload(payload);
    EXPECT_EQ(r.code, ErrorCode::BadRequest) << payload;
    EXPECT_FALSE(r.id) << payload;
  }
}

TEST(Request, InvalidUtf8InsideAStringIsABadRequest) {
  const Rejection r = rejectPayload(
      std::string("{\"id\":\"1\",\"command\":\"status\",\"origin\":\"https://a.b\",\"params\":{\"x\":\"\xc3\x28\"}}"));
  EXPECT_EQ(r.code, ErrorCode::BadRequest);
}

TEST(Request, IdMustBePresentAndWellFormed) {
  json envelope = test::request("1", "status");
  envelope.erase("id");
  EXPECT_EQ(reject(envelope).details["field"], "id");
  for (const auto& bad : std::initializer_list<json>{json(1), json(nullptr), json(""), json("a b"), json("é"),
                                                     json(std::string(65, 'a')), json::array(), json("a/b")}) {
    envelope["id"] = bad;
    const Rejection r = reject(envelope);
    EXPECT_EQ(r.code, ErrorCode::BadRequest) << bad;
    EXPECT_EQ(r.details["field"], "id") << bad;
    EXPECT_FALSE(r.id) << bad;
  }
  envelope["id"] = std::string(64, 'a');
  std::optional<std::string> id;
  EXPECT_NO_THROW(parseRequest(envelope.dump(), id));
}

TEST(Request, ExtraKeysAreNamed) {
  json envelope = test::request("7", "status");
  envelope["pin"] = "123456";
  const Rejection r = reject(envelope);
  EXPECT_EQ(r.code, ErrorCode::BadRequest);
  EXPECT_EQ(r.details["field"], "pin");
  EXPECT_EQ(r.details["reason"], "unexpected key");
  EXPECT_EQ(r.id, "7");  // answered with the id
}

TEST(Request, AnEchoedKeyIsCut) {
  json envelope = test::request("7", "status");
  envelope[std::string(1000, 'k')] = 1;
  EXPECT_EQ(reject(envelope).details["field"].get<std::string>().size(), 64u);
}

TEST(Request, EveryKeyIsRequired) {
  for (const char* key : {"command", "origin", "params"}) {
    json envelope = test::request("9", "status");
    envelope.erase(key);
    const Rejection r = reject(envelope);
    EXPECT_EQ(r.code, ErrorCode::BadRequest) << key;
    EXPECT_EQ(r.details["field"], key);
    EXPECT_EQ(r.details["reason"], "missing");
    EXPECT_EQ(r.id, "9");
  }
}

TEST(Request, CommandMustBeAShortName) {
  for (const auto& bad : std::initializer_list<json>{json(1), json(""), json("status "), json("st/atus"),
                                                     json(std::string(65, 'a')), json::object()}) {
    json envelope = test::request("1", "status");
    envelope["command"] = bad;
    const Rejection r = reject(envelope);
    EXPECT_EQ(r.code, ErrorCode::BadRequest) << bad;
    EXPECT_EQ(r.details["field"], "command");
  }
}

TEST(Request, UnknownCommand) {
  const Rejection r = reject(test::request("1", "formatCard"));
  EXPECT_EQ(r.code, ErrorCode::UnknownCommand);
  EXPECT_EQ(r.details["command"], "formatCard");
  EXPECT_EQ(r.id, "1");
}

TEST(Request, OriginMustBeASerializedOrigin) {
  for (const auto& bad :
       std::initializer_list<json>{json(nullptr), json(1), json(""), json("null"), json("https://ra.example/"),
                                   json("https://ra.example/portal"), json("javascript:alert(1)"),
                                   json("HTTPS://RA.EXAMPLE"), json("https://" + std::string(300, 'a'))}) {
    const Rejection r = reject(with(test::request("1", "status"), "origin", bad));
    EXPECT_EQ(r.code, ErrorCode::BadRequest) << bad;
    EXPECT_EQ(r.details["field"], "origin") << bad;
  }
}

TEST(Request, ParamsMustBeAnObject) {
  for (const auto& bad : std::initializer_list<json>{json(nullptr), json::array(), json("x"), json(1)}) {
    const Rejection r = reject(with(test::request("1", "status"), "params", bad));
    EXPECT_EQ(r.code, ErrorCode::BadRequest) << bad;
    EXPECT_EQ(r.details["field"], "params") << bad;
  }
}

TEST(Request, RandomAndMutatedInputNeverEscapesAsAnythingButProtocolError) {
  std::mt19937 random(20240611);  // fixed seed: reproducible
  const std::string valid = test::request("abc", "cancel", "https://ra.example", {{"target", "x"}}).dump();
  static constexpr char kAlphabet[] = "{}[]\\\",:0123456789.-+eEtrufalsn /\x00\x7f\xc3\xa9\xff";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);  // keeps the NUL byte
  for (int i = 0; i < 20000; ++i) {
    std::string input = valid;
    const int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits && !input.empty(); ++e) {
      const std::size_t at = random() % input.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          input[at] = c;
          break;
        case 1:
          input.insert(at, 1, c);
          break;
        default:
          input.erase(at, 1 + random() % 4);
      }
    }
    std::optional<std::string> id;
    try {
      const Request request = parseRequest(input, id);
      EXPECT_TRUE(isValidRequestId(request.id));
      EXPECT_TRUE(request.params.is_object());
    } catch (const ProtocolError&) {
      // expected for most inputs
    } catch (const std::exception& e) {
      ADD_FAILURE() << "escaped: " << e.what() << " for input "
                    << nlohmann::json(input).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
}

}  // namespace
}  // namespace certbridge::host
