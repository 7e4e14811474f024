#pragma once
// Owned OpenSSL pointers, for the OpenSSL side of the card library (Linux and macOS). Private to the card
// library.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace certbridge::card::detail {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

}  // namespace certbridge::card::detail
