// An RSA private key on the token as an OpenSSL EVP_PKEY whose private operations run on the token, in the
// session that found the key (C_SignInit + C_Sign on that session's object handle).
//
// Why not libp11's PKCS11_get_private_key: libp11 0.4.12 signs through a session pool of its own, so every
// signature meant a second session and a fresh listing of every key on the token with all their attributes
// (about a dozen PKCS#11 calls, each a disk read on SoftHSM2) on top of our own lookup. Here the key is the
// object our session already found.
//
// How: OpenSSL 3 treats an RSA key with its own RSA_METHOD as a "foreign" legacy key and hands every private
// operation (RSA_sign, and so EVP_DigestSign, CMS_final, X509_REQ_sign) to the method; libp11 and every other
// PKCS#11 bridge plug in the same way. The RSA_METHOD functions are deprecated in OpenSSL 3.0 but not removed;
// the alternative is a whole provider.
#define OPENSSL_SUPPRESS_DEPRECATED  // before any OpenSSL header: RSA_METHOD is the documented 3.0 legacy API

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <limits>
#include <optional>
#include <utility>

#include "certbridge/card/error.hpp"
#include "openssl_util.hpp"
#include "pkcs11_call.hpp"
#include "public_key_der.hpp"
#include "token_keys.hpp"

namespace certbridge::card::detail {

namespace {

/// What the RSA method needs to reach the key; owned by the RSA object (freed with it, see keyDataIndex).
struct KeyOnToken {
  std::shared_ptr<Pkcs11Module> module;  ///< Keeps the function list loaded while OpenSSL holds the key.
  const ck::FunctionList* functions = nullptr;
  ck::SessionHandle session = 0;
  ck::ObjectHandle object = 0;
  /// Expires when the TokenSession closes: its handles may then name another session or object.
  std::weak_ptr<const bool> sessionOpen;
  /// Why the last signature failed on the token (OpenSSL only passes on "it failed"); see takeSigningFailure.
  std::optional<CardError> failure;
};

void freeKeyOnToken(void* /*parent*/, void* data, CRYPTO_EX_DATA* /*all*/, int /*index*/, long /*argl*/,
                    void* /*argp*/) {
  delete static_cast<KeyOnToken*>(data);
}

int keyDataIndex() {
  static const int index = RSA_get_ex_new_index(0, nullptr, nullptr, nullptr, freeKeyOnToken);
  return index;
}

// The RSA private-key "encryption" OpenSSL uses for signatures: `from` is the DigestInfo for PKCS#1 v1.5
// padding, or an already padded block (PSS) for no padding. Returns the signature length, -1 on failure with
// the reason on OpenSSL's error queue.
int signOnToken(int length, const unsigned char* from, unsigned char* to, RSA* rsa, int padding) {
  auto* key = static_cast<KeyOnToken*>(RSA_get_ex_data(rsa, keyDataIndex()));
  if (key == nullptr) {
    ERR_raise_data(ERR_LIB_RSA, ERR_R_PASSED_INVALID_ARGUMENT, "not a card key");
    return -1;
  }
  key->failure.reset();
  if (key->sessionOpen.expired()) {
    key->failure.emplace(ErrorKind::InvalidArgument,
                         "The card key's session is closed: open one and take the key again");
    ERR_raise_data(ERR_LIB_RSA, ERR_R_PASSED_INVALID_ARGUMENT, "the token session of this key is closed");
    return -1;
  }
  // Only what a signature can be goes to the token: SoftHSM2, for one, ends the whole process on a raw block
  // longer than the modulus instead of refusing it.
  const int modulusBytes = RSA_size(rsa);
  if (length <= 0 || length > modulusBytes || (padding == RSA_NO_PADDING && length != modulusBytes)) {
    ERR_raise_data(ERR_LIB_RSA, RSA_R_DATA_TOO_LARGE_FOR_KEY_SIZE, "%d bytes do not fit a %d-byte key", length,
                   modulusBytes);
    return -1;
  }
  ck::Mechanism mechanism{0, nullptr, 0};
  if (padding == RSA_PKCS1_PADDING) {
    mechanism.mechanism = ck::kCkmRsaPkcs;
  } else if (padding == RSA_NO_PADDING) {
    mechanism.mechanism = ck::kCkmRsaX509;
  } else {
    ERR_raise_data(ERR_LIB_RSA, RSA_R_UNKNOWN_PADDING_TYPE, "the token key signs with PKCS#1 v1.5 or no padding");
    return -1;
  }
  const ck::FunctionList& f = *key->functions;
  ck::Rv rv = f.C_SignInit(key->session, &mechanism, key->object);
  const char* function = "C_SignInit";
  ck::Ulong size = static_cast<ck::Ulong>(modulusBytes);
  if (rv == ck::kCkrOk) {
    function = "C_Sign";
    rv = f.C_Sign(key->session, from, static_cast<ck::Ulong>(length), to, &size);
  }
  if (rv != ck::kCkrOk) {
    key->failure.emplace(pkcs11ErrorKind(rv), "The card did not sign", function, static_cast<long>(rv),
                         pkcs11ErrorName(rv));
    ERR_raise_data(ERR_LIB_RSA, ERR_R_INTERNAL_ERROR, "PKCS#11 %s failed: %s", function, pkcs11ErrorName(rv));
    return -1;
  }
  if (size > static_cast<ck::Ulong>(std::numeric_limits<int>::max())) {
    ERR_raise_data(ERR_LIB_RSA, ERR_R_INTERNAL_ERROR, "the card's signature has an impossible length");
    return -1;
  }
  return static_cast<int>(size);
}

int refuseDecryption(int /*length*/, const unsigned char* /*from*/, unsigned char* /*to*/, RSA* /*rsa*/,
                     int /*padding*/) {
  ERR_raise_data(ERR_LIB_RSA, ERR_R_OPERATION_FAIL, "CertBridge does not decrypt with card keys");
  return -1;
}

// One method for the process, made on first use (thread-safe static initialisation) and never freed: RSA
// objects refer to it for as long as they live.
const RSA_METHOD* tokenRsaMethod() {
  static RSA_METHOD* const method = [] {
    RSA_METHOD* made = RSA_meth_dup(RSA_PKCS1_OpenSSL());  // public-key operations stay OpenSSL's own
    if (made == nullptr) return made;
    RSA_meth_set1_name(made, "CertBridge PKCS#11 token key");
    RSA_meth_set_priv_enc(made, signOnToken);
    RSA_meth_set_priv_dec(made, refuseDecryption);
    return made;
  }();
  return method;
}

}  // namespace

PrivateKey tokenRsaKey(TokenSession::Impl& session, ck::ObjectHandle privateKey, const RsaNumbers& publicKey) {
  const auto fail = [](const char* what) -> PrivateKey {
    ERR_clear_error();
    throw CardError(ErrorKind::Pkcs11, std::string("Cannot prepare the card key for signing: ") + what);
  };
  const RSA_METHOD* method = tokenRsaMethod();
  if (method == nullptr) return fail("OpenSSL could not make an RSA method");

  std::unique_ptr<RSA, decltype(&RSA_free)> rsa(RSA_new(), RSA_free);
  BIGNUM* modulus = BN_bin2bn(publicKey.modulus.data(), static_cast<int>(publicKey.modulus.size()), nullptr);
  BIGNUM* exponent = BN_bin2bn(publicKey.exponent.data(), static_cast<int>(publicKey.exponent.size()), nullptr);
  if (!rsa || modulus == nullptr || exponent == nullptr || RSA_set0_key(rsa.get(), modulus, exponent, nullptr) != 1) {
    BN_free(modulus);
    BN_free(exponent);
    return fail("its modulus and exponent cannot be read");
  }
  // The method before the key data: RSA_set_method runs the method's init, which must not see our data yet.
  if (RSA_set_method(rsa.get(), method) != 1) return fail("OpenSSL refused the RSA method");
  RSA_set_flags(rsa.get(), RSA_FLAG_EXT_PKEY);  // no private exponent here: it stays on the token
  auto keyData = std::make_unique<KeyOnToken>(
      KeyOnToken{session.module, session.functions, session.handle, privateKey, session.open, std::nullopt});
  if (RSA_set_ex_data(rsa.get(), keyDataIndex(), keyData.get()) != 1) return fail("OpenSSL refused the key data");
  keyData.release();  // owned by the RSA object now

  EvpPkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_assign_RSA(key.get(), rsa.get()) != 1) return fail("OpenSSL refused the RSA key");
  rsa.release();  // owned by the EVP_PKEY now
  return PrivateKey(key.release(), EVP_PKEY_free);
}

}  // namespace certbridge::card::detail

namespace certbridge::card {

std::optional<CardError> takeSigningFailure(const PrivateKey& key) {
  if (!key) return std::nullopt;
  const RSA* rsa = EVP_PKEY_get0_RSA(key.get());
  auto* state =
      rsa == nullptr ? nullptr : static_cast<detail::KeyOnToken*>(RSA_get_ex_data(rsa, detail::keyDataIndex()));
  if (state == nullptr) return std::nullopt;
  return std::exchange(state->failure, std::nullopt);
}

}  // namespace certbridge::card
