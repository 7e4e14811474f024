// The card library's platform cryptography on Linux and macOS: OpenSSL.

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <cstring>
#include <string>

#include "certbridge/card/error.hpp"
#include "openssl_util.hpp"
#include "platform_crypto.hpp"

namespace certbridge::card::detail {

namespace {

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

X509Ptr parseCertificate(std::span<const std::uint8_t> der) {
  const unsigned char* in = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  if (!certificate || in != der.data() + der.size())
    opensslFailure("The data is not a DER-encoded X.509 certificate", ErrorKind::InvalidArgument);
  return certificate;
}

std::vector<std::uint8_t> nameDer(const X509_NAME* name, const char* what) {
  return encode(
      name, [](const X509_NAME* n, unsigned char** out) { return i2d_X509_NAME(n, out); }, what);
}

}  // namespace

CertificateFields certificateFields(std::span<const std::uint8_t> der) {
  const auto certificate = parseCertificate(der);
  CertificateFields fields;
  fields.subject = nameDer(X509_get_subject_name(certificate.get()), "certificate subject");
  fields.issuer = nameDer(X509_get_issuer_name(certificate.get()), "certificate issuer");
  fields.serialNumber = encode(
      X509_get0_serialNumber(certificate.get()),
      [](const ASN1_INTEGER* serial, unsigned char** out) { return i2d_ASN1_INTEGER(serial, out); },
      "certificate serial number");
  fields.keyIdentifier.resize(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (!X509_pubkey_digest(certificate.get(), EVP_sha1(), fields.keyIdentifier.data(), &length))
    opensslFailure("Could not hash the certificate's public key");
  fields.keyIdentifier.resize(length);
  return fields;
}

std::vector<std::uint8_t> randomBytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
    ERR_clear_error();
    throw CardError(ErrorKind::Pkcs11, "The random number generator failed");
  }
  return bytes;
}

void wipeSecret(void* data, std::size_t size) noexcept {
#if defined(__GLIBC__)
  // glibc's own non-elidable wipe: the host's operator delete wipes every block, and this keeps a process that
  // never touches a card (a status request) from loading libcrypto for it (cmake/lazy_libraries.cmake).
  explicit_bzero(data, size);
#else
  OPENSSL_cleanse(data, size);
#endif
}

}  // namespace certbridge::card::detail
