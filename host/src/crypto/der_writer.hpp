#pragma once
// A small DER writer (X.690) for the structures a crypto library has no encoder for: on Windows, crypt32
// cannot encode a PKCS#10 CertificationRequestInfo or a CMS SignedData around a signature made elsewhere.
// Each function returns one complete TLV.

#include <array>
#include <cstdint>
#include <ctime>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace certbridge::host::crypto::der {

using Bytes = std::vector<std::uint8_t>;
using Parts = std::initializer_list<std::span<const std::uint8_t>>;

inline constexpr std::uint8_t kBooleanTag = 0x01;
inline constexpr std::uint8_t kIntegerTag = 0x02;
inline constexpr std::uint8_t kBitStringTag = 0x03;
inline constexpr std::uint8_t kOctetStringTag = 0x04;
inline constexpr std::uint8_t kNullTag = 0x05;
inline constexpr std::uint8_t kObjectIdentifierTag = 0x06;
inline constexpr std::uint8_t kUtcTimeTag = 0x17;
inline constexpr std::uint8_t kGeneralizedTimeTag = 0x18;
inline constexpr std::uint8_t kSequenceTag = 0x30;
inline constexpr std::uint8_t kSetTag = 0x31;

/// tag, the DER length of content, content.
Bytes tlv(std::uint8_t tag, std::span<const std::uint8_t> content);

/// The parts one after the other.
Bytes concat(Parts parts);

Bytes sequence(Parts parts);

/// A SET OF: the elements sorted by their encodings, as DER requires.
Bytes setOf(std::vector<Bytes> elements);

/// [number] IMPLICIT or EXPLICIT, constructed: tag 0xA0 + number around content (number < 31).
Bytes contextConstructed(unsigned number, std::span<const std::uint8_t> content);

/// A non-negative INTEGER.
Bytes integer(std::uint64_t value);

Bytes boolean(bool value);
Bytes null();
Bytes octetString(std::span<const std::uint8_t> bytes);

/// OBJECT IDENTIFIER from dotted text ("1.2.840.113549.1.1.11"). Throws std::invalid_argument when the text is
/// not a dotted OID of at least two arcs.
Bytes objectIdentifier(std::string_view dotted);

/// A string of universal type tag (UTF8String 12, PrintableString 19, IA5String 22) holding text's bytes.
Bytes string(std::uint8_t tag, std::string_view text);

/// A named-bit BIT STRING (KeyUsage) with the given bit numbers set and trailing zero bits removed.
Bytes namedBits(std::span<const int> bits);

/// A BIT STRING of whole bytes (a public key, a signature).
Bytes bitString(std::span<const std::uint8_t> bytes);

/// RFC 5280 Time: UTCTime before 2050, GeneralizedTime from 2050 on, in UTC with seconds.
Bytes time(std::time_t value);

/// The DER DigestInfo of a SHA-256 digest (RFC 8017 section 9.2): what a PKCS#1 v1.5 signature signs.
Bytes sha256DigestInfo(const std::array<std::uint8_t, 32>& digest);

/// AlgorithmIdentifier of sha256WithRSAEncryption with NULL parameters.
Bytes sha256WithRsaAlgorithm();

}  // namespace certbridge::host::crypto::der
