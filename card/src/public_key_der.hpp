#pragma once
// RSA public keys in DER, read and written by hand: the numbers of a certificate's or a SubjectPublicKeyInfo's
// key, and the SubjectPublicKeyInfo of a token's key. Private to the card library.
//
// Why not OpenSSL: its first certificate parse in a process costs 0.3-0.45 ms (it sets up its decoders), and
// the browser starts a host per operation, which then paid that here and again in the host's own parse of
// the same certificate. Matching a token's key to a certificate needs only two integers. The host still
// reads certificates fully with OpenSSL. Writing a key through OpenSSL 3's provider encoders cost about
// 150 us per key, paid for every key on every certificate lookup.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace certbridge::card::detail {

/// An RSA public key as its two numbers, big-endian without leading zero bytes, so that one key compares
/// equal however a token (CKA_MODULUS, CKA_PUBLIC_EXPONENT) or a certificate encodes it. Keys are matched to
/// certificates this way, so no encoding through OpenSSL is needed.
struct RsaNumbers {
  std::vector<std::uint8_t> modulus;
  std::vector<std::uint8_t> exponent;
  bool operator==(const RsaNumbers&) const = default;
};

/// RsaNumbers from big-endian bytes (leading zero bytes dropped); nullopt when either number is zero or empty.
std::optional<RsaNumbers> rsaNumbers(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent);

/// The numbers of the RSA key in a DER certificate; nullopt for another key type. Throws
/// CardError(InvalidArgument) when der is not a certificate, as far as the walk to its key goes (the fields
/// after the key are not looked at).
std::optional<RsaNumbers> certificateRsaNumbers(std::span<const std::uint8_t> der);

/// The numbers of an RSA SubjectPublicKeyInfo (DER); nullopt for another key type. Throws
/// CardError(InvalidArgument) if it is not a public key.
std::optional<RsaNumbers> rsaNumbersOfPublicKey(std::span<const std::uint8_t> subjectPublicKeyInfo);

/// The SubjectPublicKeyInfo DER of an RSA public key given as big-endian modulus and exponent (PKCS#11's
/// CKA_MODULUS and CKA_PUBLIC_EXPONENT): the canonical encoding OpenSSL and every CA write (rsaEncryption
/// with NULL parameters), so it compares equal byte for byte. Throws CardError(Pkcs11) when either is empty.
std::vector<std::uint8_t> rsaPublicKey(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent);

}  // namespace certbridge::card::detail
