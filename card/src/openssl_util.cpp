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

struct BignumFree {
  void operator()(BIGNUM* number) const noexcept { BN_free(number); }
};
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

std::vector<std::uint8_t> certificatePublicKey(X509& certificate) {
  return encode(
      X509_get_X509_PUBKEY(&certificate), [](X509_PUBKEY* k, unsigned char** out) { return i2d_X509_PUBKEY(k, out); },
      "certificate's public key");
}

std::vector<std::uint8_t> normalizedPublicKey(std::span<const std::uint8_t> subjectPublicKeyInfo) {
  const unsigned char* in = subjectPublicKeyInfo.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &in, static_cast<long>(subjectPublicKeyInfo.size())));
  if (!key || in != subjectPublicKeyInfo.data() + subjectPublicKeyInfo.size())
    opensslFailure("The data is not a DER-encoded public key (SubjectPublicKeyInfo)", ErrorKind::InvalidArgument);
  return publicKeyDer(*key);
}

std::vector<std::uint8_t> rsaPublicKey(std::span<const std::uint8_t> modulus, std::span<const std::uint8_t> exponent) {
  std::unique_ptr<BIGNUM, BignumFree> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  std::unique_ptr<BIGNUM, BignumFree> e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBuildFree> build(OSSL_PARAM_BLD_new());
  if (!n || !e || !build || !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
    opensslFailure("Could not read an RSA public key from the token");
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(build.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyContextFree> context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    opensslFailure("Could not read an RSA public key from the token");
  const EvpPkeyPtr key(raw);
  return publicKeyDer(*key);
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
