// OpenSSL conversions for keys and certificates on tokens.

#include "openssl_util.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <string>

#include "certbridge/card/error.hpp"

namespace certbridge::card::detail {

namespace {

struct ParamBuildFree {
  void operator()(OSSL_PARAM_BLD* build) const noexcept { OSSL_PARAM_BLD_free(build); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const noexcept { OSSL_PARAM_free(params); }
};
struct PkeyContextFree {
  void operator()(EVP_PKEY_CTX* context) const noexcept { EVP_PKEY_CTX_free(context); }
};

// Bad input from the caller is InvalidArgument; anything else (data from the token OpenSSL cannot use)
// is reported like a token failure.
[[noreturn]] void opensslFailure(const std::string& what, ErrorKind kind = ErrorKind::Pkcs11) {
  ERR_clear_error();
  throw CardError(kind, what);
}

// i2d_* in two passes: size, then bytes.
template <typename T, typename Encode>
std::vector<std::uint8_t> encode(T* object, Encode encoder, const char* what) {
  const int size = encoder(object, nullptr);
  if (size <= 0) opensslFailure(std::string("Could not encode the ") + what);
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  if (encoder(object, &out) != size) opensslFailure(std::string("Could not encode the ") + what);
  return der;
}

}  // namespace

X509Ptr parseCertificate(std::span<const std::uint8_t> der) {
  const unsigned char* in = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  if (!certificate || in != der.data() + der.size())
    opensslFailure("The data is not a DER-encoded X.509 certificate", ErrorKind::InvalidArgument);
  return certificate;
}

std::vector<std::uint8_t> publicKeyDer(const EVP_PKEY& key) {
  return encode(
      &key, [](const EVP_PKEY* k, unsigned char** out) { return i2d_PUBKEY(k, out); }, "public key");
}

namespace {

std::span<const std::uint8_t> withoutLeadingZeros(std::span<const std::uint8_t> number) {
  while (!number.empty() && number.front() == 0) number = number.subspan(1);
  return number;
}

}  // namespace

std::optional<RsaNumbers> rsaNumbers(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent) {
  modulus = withoutLeadingZeros(modulus);
  exponent = withoutLeadingZeros(exponent);
  if (modulus.empty() || exponent.empty()) return std::nullopt;
  return RsaNumbers{{modulus.begin(), modulus.end()}, {exponent.begin(), exponent.end()}};
}

namespace {

// DER pieces for the one structure built by hand below.
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

// A positive INTEGER from big-endian bytes: no leading zeros, one 0x00 when the top bit is set.
std::vector<std::uint8_t> derUnsignedInteger(std::span<const std::uint8_t> bigEndian) {
  std::size_t first = 0;
  while (first + 1 < bigEndian.size() && bigEndian[first] == 0) ++first;
  std::vector<std::uint8_t> content;
  if (bigEndian.empty() || (bigEndian[first] & 0x80) != 0) content.push_back(0);
  content.insert(content.end(), bigEndian.begin() + static_cast<std::ptrdiff_t>(first), bigEndian.end());
  return derElement(0x02, content);
}

}  // namespace

// Built by hand rather than through EVP_PKEY_fromdata + i2d_PUBKEY: OpenSSL 3's provider encoders cost about
// 150 us per key, paid for every key on every certificate lookup. The encoding is the canonical one OpenSSL
// and every CA write for RSA (rsaEncryption with NULL parameters), so keys compare equal byte for byte.
std::vector<std::uint8_t> rsaPublicKey(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent) {
  if (modulus.empty() || exponent.empty()) opensslFailure("Could not read an RSA public key from the token");
  static constexpr std::uint8_t kRsaAlgorithm[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                   0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  std::vector<std::uint8_t> integers = derUnsignedInteger(modulus);
  const auto e = derUnsignedInteger(exponent);
  integers.insert(integers.end(), e.begin(), e.end());
  std::vector<std::uint8_t> bits{0x00};  // no unused bits
  const auto rsaKey = derElement(0x30, integers);
  bits.insert(bits.end(), rsaKey.begin(), rsaKey.end());
  std::vector<std::uint8_t> info(std::begin(kRsaAlgorithm), std::end(kRsaAlgorithm));
  const auto bitString = derElement(0x03, bits);
  info.insert(info.end(), bitString.begin(), bitString.end());
  return derElement(0x30, info);
}

std::vector<std::uint8_t> subjectDer(X509& certificate) {
  return encode(
      X509_get_subject_name(&certificate),
      [](const X509_NAME* name, unsigned char** out) { return i2d_X509_NAME(name, out); }, "certificate subject");
}

std::vector<std::uint8_t> issuerDer(X509& certificate) {
  return encode(
      X509_get_issuer_name(&certificate),
      [](const X509_NAME* name, unsigned char** out) { return i2d_X509_NAME(name, out); }, "certificate issuer");
}

std::vector<std::uint8_t> serialNumberDer(X509& certificate) {
  return encode(
      X509_get0_serialNumber(&certificate),
      [](const ASN1_INTEGER* serial, unsigned char** out) { return i2d_ASN1_INTEGER(serial, out); },
      "certificate serial number");
}

std::vector<std::uint8_t> keyIdentifier(X509& certificate) {
  std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (!X509_pubkey_digest(&certificate, EVP_sha1(), digest.data(), &length))
    opensslFailure("Could not hash the certificate's public key");
  digest.resize(length);
  return digest;
}

std::vector<std::uint8_t> randomBytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
    ERR_clear_error();
    throw CardError(ErrorKind::Pkcs11, "The random number generator failed");
  }
  return bytes;
}

}  // namespace certbridge::card::detail
