#pragma once
// Certificate thumbprints as Windows tools (SHA-1) and the protocol (SHA-256) name certificates.

#include <cstdint>
#include <span>
#include <string>

namespace certbridge::host::os_store::windows {

/// Lowercase hex SHA-1 of der: certmgr's and certutil's "thumbprint", and the registry key name of the
/// certificate under SystemCertificates\MY\Certificates.
std::string sha1Thumbprint(std::span<const std::uint8_t> der);

/// Lowercase hex SHA-256 of der: the protocol's certificate id.
std::string sha256Thumbprint(std::span<const std::uint8_t> der);

}  // namespace certbridge::host::os_store::windows
