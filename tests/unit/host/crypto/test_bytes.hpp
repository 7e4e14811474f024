#pragma once
// Bytes from text for the crypto tests, on every platform (crypto_test_support.hpp, which needs OpenSSL,
// includes it too).

#include <cstdint>
#include <string_view>
#include <vector>

namespace certbridge::host::crypto::test {

/// The bytes of a string, for APIs taking std::span<const std::uint8_t>.
inline std::vector<std::uint8_t> bytesOf(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

}  // namespace certbridge::host::crypto::test
