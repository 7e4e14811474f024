#include "pkcs12_file.hpp"

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include <algorithm>
#include <string>

#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host::software_store {
namespace {

using Pkcs12Ptr = std::unique_ptr<PKCS12, crypto::OpenSslDeleter<&PKCS12_free>>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const noexcept { sk_X509_pop_free(stack, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

[[noreturn]] void fileInvalid(std::string_view reason) {
  ERR_clear_error();
  throw ProtocolError(ErrorCode::Pkcs12FileInvalid, {{"reason", std::string(reason)}});
}

[[noreturn]] void passwordIncorrect() {
  ERR_clear_error();
  throw ProtocolError(ErrorCode::Pkcs12PasswordIncorrect);
}

bool isAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

Pkcs12Contents readPkcs12(std::span<const std::uint8_t> file, const card::SecretString& password) {
  if (file.empty() || file.size() > kMaxPkcs12Bytes) fileInvalid("size");
  const unsigned char* cursor = file.data();
  const Pkcs12Ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(file.size())));
  if (!p12 || cursor != file.data() + file.size()) fileInvalid("not a PKCS#12 file");

  const bool hasMac = PKCS12_mac_present(p12.get()) == 1;
  // The MAC answers "wrong password" before anything is decrypted (OpenSSL converts the UTF-8 password to
  // the BMPString the MAC key derivation wants).
  if (hasMac && PKCS12_verify_mac(p12.get(), password.data(), static_cast<int>(password.size())) != 1) {
    passwordIncorrect();
  }
  EVP_PKEY* key = nullptr;
  X509* certificate = nullptr;
  STACK_OF(X509)* others = nullptr;
  if (PKCS12_parse(p12.get(), password.data(), &key, &certificate, &others) != 1) {
    // Without a MAC, a wrong password shows only as bags that do not decrypt.
    if (!hasMac) passwordIncorrect();
    fileInvalid("the contents cannot be read");
  }
  Pkcs12Contents contents;
  contents.key.reset(key);
  contents.certificate.reset(certificate);
  const X509StackPtr stack(others);
  for (int i = 0; stack && i < sk_X509_num(stack.get()); ++i) {
    contents.caCertificates.emplace_back(X509_dup(sk_X509_value(stack.get(), i)));
  }
  if (!contents.key) fileInvalid("no private key");
  if (!contents.certificate) fileInvalid("no certificate for the private key");
  if (X509_check_private_key(contents.certificate.get(), contents.key.get()) != 1) {
    fileInvalid("the certificate does not belong to the private key");
  }
  ERR_clear_error();
  return contents;
}

std::vector<std::uint8_t> writePkcs12(EVP_PKEY* key, X509* certificate, std::span<X509* const> caCertificates,
                                      const card::SecretString& password, std::string_view friendlyName) {
  X509StackPtr chain(sk_X509_new_null());
  if (!chain) crypto::throwCryptoError("allocating the certificate chain");
  for (X509* ca : caCertificates) {
    if (X509_add_cert(chain.get(), ca, X509_ADD_FLAG_UP_REF) != 1) crypto::throwCryptoError("adding a CA certificate");
  }
  const std::string name = isAscii(friendlyName) ? std::string(friendlyName) : std::string();
  // mac_iter -1: no MAC yet; it is set below with SHA-256 named explicitly rather than left to the default.
  const Pkcs12Ptr p12(PKCS12_create_ex(password.data(), name.empty() ? nullptr : name.c_str(), key, certificate,
                                       chain.get(), NID_aes_256_cbc, NID_aes_256_cbc, kPkcs12Iterations, -1, 0, nullptr,
                                       nullptr));
  if (!p12) crypto::throwCryptoError("building the PKCS#12 file");
  if (PKCS12_set_mac(p12.get(), password.data(), static_cast<int>(password.size()), nullptr, 0, kPkcs12Iterations,
                     EVP_sha256()) != 1) {
    crypto::throwCryptoError("protecting the PKCS#12 file");
  }
  unsigned char* der = nullptr;
  const int length = i2d_PKCS12(p12.get(), &der);
  if (length <= 0) crypto::throwCryptoError("encoding the PKCS#12 file");
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

}  // namespace certbridge::host::software_store
