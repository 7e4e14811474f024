#pragma once
// Files and base64 for the host integration tests: what the tests hand to openssl, certutil and pkcs11-tool,
// and what the host's JSON carries.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace certbridge::host::integration {

/// The whole file ("" when it cannot be read).
std::string readFile(const std::filesystem::path& path);
/// Writes (replaces) the file, creating its directory; returns path. Throws std::runtime_error on failure.
std::filesystem::path writeFile(const std::filesystem::path& path, const std::string& text);
std::filesystem::path writeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

/// Standard base64 with padding. base64Decode throws std::runtime_error on bad input.
std::vector<std::uint8_t> base64Decode(const std::string& text);
std::string base64Encode(const std::vector<std::uint8_t>& bytes);

}  // namespace certbridge::host::integration
