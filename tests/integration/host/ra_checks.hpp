#pragma once
// What the RA server does with the host's results (extension/page-library/INTEGRATION.md), done with
// OpenSSL independently of the host's code, for the host test suites on Linux and under wine.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace certbridge::host::integration {

/// The protocol's id of a PEM certificate: lowercase hex SHA-256 of its DER.
std::string certificateId(const std::string& pem);

/// openssl cms -verify, as an RA would run it (content for a detached signature, else empty); whether it
/// verified, with openssl's output.
bool opensslCmsVerify(const std::filesystem::path& signature, const std::filesystem::path& caFile,
                      const std::filesystem::path& content, std::string& output);

/// Whether an authenticate result's signature is the certificate's key's signature over
/// SHA-256(origin) || SHA-256(challenge).
bool raVerifies(const nlohmann::json& result, const std::string& origin, const std::vector<std::uint8_t>& challenge);

}  // namespace certbridge::host::integration
