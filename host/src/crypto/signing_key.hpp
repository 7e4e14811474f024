#pragma once
// The private key the crypto layer signs with. It may live on a card and sign there (PKCS#11 C_Sign), so
// the crypto layer never sees its private half: on OpenSSL platforms it is an EVP_PKEY (a libp11 key for a
// card), on Windows a card::RsaSigner (the host does not use OpenSSL there).

#ifdef _WIN32
#include "certbridge/card/rsa_signer.hpp"
#else
#include <openssl/types.h>
#endif

namespace certbridge::host::crypto {

#ifdef _WIN32
using SigningKey = card::RsaSigner;
#else
using SigningKey = EVP_PKEY;
#endif

}  // namespace certbridge::host::crypto
