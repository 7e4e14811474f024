#pragma once
// Text encodings, hashing, randomness and time formats the protocol uses for binary values and dates.

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace certbridge::host::crypto {

/// Standard base64 (RFC 4648 section 4) with padding and no line breaks.
std::string base64Encode(std::span<const std::uint8_t> bytes);

/// Strict standard base64: length a multiple of 4, only the standard alphabet, '=' padding only at the end
/// and unused trailing bits zero (so every byte string has exactly one accepted encoding). No whitespace.
/// nullopt on anything else. "" decodes to no bytes.
std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text);

/// PEM (RFC 7468): "-----BEGIN <label>-----\n", base64 lines of 64 characters, "-----END <label>-----\n".
std::string pemEncode(std::string_view label, std::span<const std::uint8_t> der);

/// Lowercase hex, two digits per byte.
std::string hexEncode(std::span<const std::uint8_t> bytes);

/// Hex digits of either case, an even number of them; nullopt otherwise.
std::optional<std::vector<std::uint8_t>> hexDecode(std::string_view text);

/// Cryptographically strong random bytes (RAND_bytes; BCryptGenRandom on Windows). Throws CryptoError when the
/// generator fails.
std::vector<std::uint8_t> randomBytes(std::size_t count);

/// SHA-256 of bytes. Throws CryptoError when the crypto library cannot provide the digest.
std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes);

/// The protocol's date format, ISO 8601 in UTC with seconds: "2027-11-21T08:00:00Z".
std::string isoTime(std::time_t time);

}  // namespace certbridge::host::crypto
