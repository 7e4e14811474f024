// The message the authenticate command signs; the signing and checking are in authentication_openssl.cpp
// and windows/authentication_windows.cpp.
#include "authentication.hpp"

#include <algorithm>

#include "encoding.hpp"

namespace certbridge::host::crypto {

std::array<std::uint8_t, 64> authenticationMessage(std::string_view origin, std::span<const std::uint8_t> challenge) {
  const auto originDigest =
      sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(origin.data()), origin.size()));
  const auto challengeDigest = sha256(challenge);
  std::array<std::uint8_t, 64> message{};
  std::copy(originDigest.begin(), originDigest.end(), message.begin());
  std::copy(challengeDigest.begin(), challengeDigest.end(), message.begin() + originDigest.size());
  return message;
}

}  // namespace certbridge::host::crypto
