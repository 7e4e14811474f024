// RSA public keys in DER, read and written by hand (see public_key_der.hpp for why).

#include "public_key_der.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "certbridge/card/error.hpp"

namespace certbridge::card::detail {

namespace {

std::span<const std::uint8_t> withoutLeadingZeros(std::span<const std::uint8_t> number) {
  while (!number.empty() && number.front() == 0) number = number.subspan(1);
  return number;
}

constexpr std::uint8_t kSequence = 0x30;
constexpr std::uint8_t kInteger = 0x02;
constexpr std::uint8_t kBitString = 0x03;
constexpr std::uint8_t kObjectIdentifier = 0x06;
constexpr std::uint8_t kNull = 0x05;
constexpr std::uint8_t kExplicitTag0 = 0xA0;  // TBSCertificate's [0] version
// rsaEncryption, 1.2.840.113549.1.1.1, as DER content.
constexpr std::array<std::uint8_t, 9> kRsaEncryption{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};

[[noreturn]] void notDer(const char* what) {
  throw CardError(ErrorKind::InvalidArgument, std::string("The data is not a DER-encoded ") + what);
}

// Reads DER elements one after another from a span; every length is checked against what is left.
class DerReader {
 public:
  DerReader(std::span<const std::uint8_t> data, const char* what) : rest_(data), what_(what) {}

  bool empty() const noexcept { return rest_.empty(); }
  std::uint8_t peekTag() const {
    if (rest_.empty()) notDer(what_);
    return rest_.front();
  }

  /// The content of the next element, which must have this tag.
  std::span<const std::uint8_t> read(std::uint8_t tag) {
    if (rest_.size() < 2 || rest_[0] != tag) notDer(what_);
    std::size_t length = rest_[1];
    std::size_t header = 2;
    if (length >= 0x80) {
      const std::size_t bytes = length & 0x7F;
      // Definite lengths only, and no more than four bytes of them (DER, and far beyond any certificate).
      if (bytes == 0 || bytes > 4 || rest_.size() < 2 + bytes) notDer(what_);
      length = 0;
      for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | rest_[2 + i];
      header += bytes;
    }
    if (rest_.size() - header < length) notDer(what_);
    const auto content = rest_.subspan(header, length);
    rest_ = rest_.subspan(header + length);
    return content;
  }

  void skip(std::uint8_t tag) { read(tag); }

 private:
  std::span<const std::uint8_t> rest_;
  const char* what_;
};

// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }, its content;
// for rsaEncryption the bits are RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
std::optional<RsaNumbers> rsaNumbersOfKeyInfo(std::span<const std::uint8_t> keyInfo, const char* what) {
  DerReader fields(keyInfo, what);
  DerReader algorithm(fields.read(kSequence), what);
  const auto oid = algorithm.read(kObjectIdentifier);
  const auto bits = fields.read(kBitString);
  if (!std::equal(oid.begin(), oid.end(), kRsaEncryption.begin(), kRsaEncryption.end())) return std::nullopt;
  if (bits.empty() || bits.front() != 0) notDer(what);  // no unused bits in a DER key
  DerReader key(bits.subspan(1), what);
  DerReader numbers(key.read(kSequence), what);
  const auto modulus = numbers.read(kInteger);
  const auto exponent = numbers.read(kInteger);
  if (!key.empty() || !numbers.empty()) notDer(what);
  auto result = rsaNumbers(modulus, exponent);
  if (!result) notDer(what);
  return result;
}

void appendLength(std::vector<std::uint8_t>& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  std::vector<std::uint8_t> bytes;
  for (; length > 0; length >>= 8) bytes.insert(bytes.begin(), static_cast<std::uint8_t>(length & 0xff));
  out.push_back(static_cast<std::uint8_t>(0x80 | bytes.size()));
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> derElement(std::uint8_t tag, std::span<const std::uint8_t> content) {
  std::vector<std::uint8_t> out{tag};
  appendLength(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

void append(std::vector<std::uint8_t>& out, const std::vector<std::uint8_t>& element) {
  out.insert(out.end(), element.begin(), element.end());
}

// A positive INTEGER from big-endian bytes: no leading zeros, one 0x00 when the top bit is set.
std::vector<std::uint8_t> derUnsignedInteger(std::span<const std::uint8_t> bigEndian) {
  std::size_t first = 0;
  while (first + 1 < bigEndian.size() && bigEndian[first] == 0) ++first;
  std::vector<std::uint8_t> content;
  if (bigEndian.empty() || (bigEndian[first] & 0x80) != 0) content.push_back(0);
  content.insert(content.end(), bigEndian.begin() + static_cast<std::ptrdiff_t>(first), bigEndian.end());
  return derElement(kInteger, content);
}

}  // namespace

std::optional<RsaNumbers> rsaNumbers(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent) {
  modulus = withoutLeadingZeros(modulus);
  exponent = withoutLeadingZeros(exponent);
  if (modulus.empty() || exponent.empty()) return std::nullopt;
  return RsaNumbers{{modulus.begin(), modulus.end()}, {exponent.begin(), exponent.end()}};
}

std::vector<std::uint8_t> rsaPublicKey(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent) {
  if (modulus.empty() || exponent.empty())
    throw CardError(ErrorKind::Pkcs11, "Could not read an RSA public key from the token");
  std::vector<std::uint8_t> algorithm = derElement(kObjectIdentifier, kRsaEncryption);
  append(algorithm, derElement(kNull, {}));
  std::vector<std::uint8_t> numbers = derUnsignedInteger(modulus);
  append(numbers, derUnsignedInteger(exponent));
  std::vector<std::uint8_t> bits{0x00};  // no unused bits
  append(bits, derElement(kSequence, numbers));
  std::vector<std::uint8_t> keyInfo = derElement(kSequence, algorithm);
  append(keyInfo, derElement(kBitString, bits));
  return derElement(kSequence, keyInfo);
}

std::optional<RsaNumbers> certificateRsaNumbers(std::span<const std::uint8_t> der) {
  constexpr const char* kWhat = "X.509 certificate";
  DerReader whole(der, kWhat);
  DerReader certificate(whole.read(kSequence), kWhat);
  if (!whole.empty()) notDer(kWhat);
  DerReader tbs(certificate.read(kSequence), kWhat);
  if (tbs.peekTag() == kExplicitTag0) tbs.skip(kExplicitTag0);  // version
  tbs.skip(kInteger);                                           // serialNumber
  for (int field = 0; field < 4; ++field) tbs.skip(kSequence);  // signature, issuer, validity, subject
  return rsaNumbersOfKeyInfo(tbs.read(kSequence), kWhat);
}

std::optional<RsaNumbers> rsaNumbersOfPublicKey(std::span<const std::uint8_t> subjectPublicKeyInfo) {
  constexpr const char* kWhat = "public key (SubjectPublicKeyInfo)";
  DerReader whole(subjectPublicKeyInfo, kWhat);
  const auto keyInfo = whole.read(kSequence);
  if (!whole.empty()) notDer(kWhat);
  return rsaNumbersOfKeyInfo(keyInfo, kWhat);
}

}  // namespace certbridge::card::detail
