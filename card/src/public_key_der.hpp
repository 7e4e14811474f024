#pragma once
// The RSA numbers of a certificate's or a SubjectPublicKeyInfo's public key, read straight from the DER.
// Private to the card library.
//
// Why not OpenSSL: its first certificate parse in a process costs 0.3-0.45 ms (it sets up its decoders), and
// the browser starts a host per operation, which then paid that here and again in the host's own parse of
// the same certificate. Matching a token's key to a certificate needs only two integers. The host still
// reads certificates fully with OpenSSL.

#include <cstdint>
#include <optional>
#include <span>

#include "openssl_util.hpp"

namespace certbridge::card::detail {

/// The numbers of the RSA key in a DER certificate; nullopt for another key type. Throws
/// CardError(InvalidArgument) when der is not a certificate, as far as the walk to its key goes (the fields
/// after the key are not looked at).
std::optional<RsaNumbers> certificateRsaNumbers(std::span<const std::uint8_t> der);

/// The numbers of an RSA SubjectPublicKeyInfo (DER); nullopt for another key type. Throws
/// CardError(InvalidArgument) if it is not a public key.
std::optional<RsaNumbers> rsaNumbersOfPublicKey(std::span<const std::uint8_t> subjectPublicKeyInfo);

}  // namespace certbridge::card::detail
