// SecretString: PINs live in one buffer that is wiped when cleared or dropped, and never copied.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <utility>

#include "certbridge/card/secret_string.hpp"

namespace certbridge::card {
namespace {

bool allZero(const char* bytes, std::size_t size) {
  return std::all_of(bytes, bytes + size, [](char c) { return c == '\0'; });
}

TEST(SecretString, HoldsTheBytesWithATerminatingNul) {
  const SecretString pin("123456");
  EXPECT_EQ(pin.size(), 6U);
  EXPECT_FALSE(pin.empty());
  EXPECT_EQ(std::string(pin.data(), pin.size()), "123456");
  EXPECT_EQ(pin.data()[pin.size()], '\0') << "C APIs that want a NUL get one";
}

TEST(SecretString, EmptySecretHasANonNullEmptyString) {
  const SecretString none;
  EXPECT_TRUE(none.empty());
  ASSERT_NE(none.data(), nullptr);
  EXPECT_STREQ(none.data(), "");
}

TEST(SecretString, ClearWipesTheBufferItHeld) {
  SecretString pin("s3cret-PIN");
  const char* buffer = pin.data();  // Stays allocated (zeroed) until destruction.
  pin.clear();
  EXPECT_TRUE(pin.empty());
  EXPECT_TRUE(allZero(buffer, 11)) << "the PIN bytes are still in memory after clear()";
}

TEST(SecretString, TakeFromASpanWipesTheSource) {
  std::array<char, 8> typed{'8', '7', '6', '5', '4', '3', '2', '1'};
  const SecretString pin = SecretString::takeFrom(typed);
  EXPECT_EQ(std::string(pin.data(), pin.size()), "87654321");
  EXPECT_TRUE(allZero(typed.data(), typed.size())) << "the source buffer still holds the PIN";
}

TEST(SecretString, TakeFromAStringEmptiesIt) {
  std::string fromJson = "a PIN longer than the small-string buffer";
  const SecretString pin = SecretString::takeFrom(fromJson);
  EXPECT_EQ(std::string(pin.data(), pin.size()), "a PIN longer than the small-string buffer");
  EXPECT_TRUE(fromJson.empty());
}

TEST(SecretString, MovesWithoutCopyingAndLeavesTheSourceEmpty) {
  static_assert(!std::is_copy_constructible_v<SecretString>, "a PIN must never be copied");
  static_assert(!std::is_copy_assignable_v<SecretString>, "a PIN must never be copied");
  SecretString first("123456");
  const char* buffer = first.data();
  SecretString second(std::move(first));
  EXPECT_EQ(second.data(), buffer) << "moving reallocated (and so copied) the secret";
  EXPECT_TRUE(first.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified.

  SecretString third("654321");
  const char* thirdBuffer = third.data();
  third = std::move(second);
  EXPECT_EQ(std::string(third.data(), third.size()), "123456");
  EXPECT_NE(third.data(), thirdBuffer);
}

}  // namespace
}  // namespace certbridge::card
