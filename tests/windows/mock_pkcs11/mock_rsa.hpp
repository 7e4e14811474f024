#pragma once
// TEST DOUBLE - never installed, never shipped. The mock token's RSA keys, made and used through BCrypt: a
// key is a BCRYPT_RSAFULLPRIVATE_BLOB that the state file keeps (a real card never lets its key out).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace certbridge::mock_pkcs11 {

using Bytes = std::vector<std::uint8_t>;

/// The parts of a BCRYPT_RSAFULLPRIVATE_BLOB, big-endian as PKCS#11 attributes hold them.
struct RsaParts {
  Bytes publicExponent;
  Bytes modulus;
  Bytes prime1;
  Bytes prime2;
  Bytes exponent1;
  Bytes exponent2;
  Bytes coefficient;
  Bytes privateExponent;
};

/// A new key of `bits` bits with public exponent 65537, as a full private blob; nullopt if BCrypt fails.
std::optional<Bytes> generateRsaKey(unsigned long bits);

/// The parts of a blob; nullopt if it is not a well-formed full private blob.
std::optional<RsaParts> rsaParts(std::span<const std::uint8_t> blob);

/// Why a signature could not be made.
enum class SignFailure { None, NotADigestInfo, KeyUnusable, Failed };

/// RSASSA-PKCS1-v1_5 (CKM_RSA_PKCS) over `data`, which is a DER DigestInfo. wine's BCrypt pads only a hash
/// of a named algorithm, so the DigestInfo is taken apart for SHA-1, SHA-256, SHA-384 and SHA-512; other data
/// is signed raw where the platform can (Windows), and refused where it cannot (wine).
struct Signature {
  SignFailure failure = SignFailure::None;
  Bytes bytes;
};
Signature signPkcs1(std::span<const std::uint8_t> blob, std::span<const std::uint8_t> data);

}  // namespace certbridge::mock_pkcs11
