#pragma once
// What each crypto library provides for certificate.cpp (certificate_openssl.cpp, or
// windows/certificate_windows.cpp): parsing one DER certificate into its facts.

#include <cstdint>
#include <optional>
#include <span>

#include "certificate.hpp"

namespace certbridge::host::crypto::detail {

/// Every field of ParsedCertificate except der and id, or nullopt when der is not exactly one X.509
/// certificate the library accepts. Leaves no error state behind for a rejected certificate.
std::optional<ParsedCertificate> describeCertificateDer(std::span<const std::uint8_t> der);

}  // namespace certbridge::host::crypto::detail
