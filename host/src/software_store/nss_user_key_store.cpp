// The user's key store on Linux: the NSS database (nss_store.hpp), keys through the NSS C API and PKCS#12
// files through OpenSSL (pkcs12_file.hpp), behind the platform-neutral seam of user_key_store.hpp.
#include <openssl/x509.h>

#include "certbridge/host/protocol_error.hpp"
#include "nss_rsa_key.hpp"
#include "nss_store.hpp"
#include "pkcs12_file.hpp"
#include "store_certificates.hpp"
#include "store_keys.hpp"
#include "user_key_store.hpp"

namespace certbridge::host::software_store {
namespace {

class NssStoreKey : public StoreKey {
 public:
  NssStoreKey(PrivateKeyPtr key, PublicKeyPtr publicKey)
      : publicKey_(std::move(publicKey)), signer_(std::move(key), *publicKey_) {}
  crypto::SigningKey* signingKey() override { return signer_.get(); }

 private:
  PublicKeyPtr publicKey_;
  NssRsaKey signer_;
};

crypto::ParsedCertificate parsedOf(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  std::optional<crypto::ParsedCertificate> parsed;
  if (length > 0) parsed = crypto::parseCertificateDer({der, static_cast<std::size_t>(length)});
  OPENSSL_free(der);
  if (!parsed) throw ProtocolError(ErrorCode::Pkcs12FileInvalid, {{"reason", "a certificate cannot be read"}});
  return std::move(*parsed);
}

class OpenSslPkcs12File : public Pkcs12File {
 public:
  explicit OpenSslPkcs12File(Pkcs12Contents contents) : contents_(std::move(contents)) {
    certificate_ = parsedOf(contents_.certificate.get());
    for (const auto& other : contents_.caCertificates) others_.push_back(parsedOf(other.get()));
  }

  std::vector<std::uint8_t> reencrypted(const card::SecretString& newPassword, std::string_view friendlyName) override {
    std::vector<X509*> others;
    for (const auto& other : contents_.caCertificates) others.push_back(other.get());
    return writePkcs12(contents_.key.get(), contents_.certificate.get(), others, newPassword, friendlyName);
  }

  EVP_PKEY* key() const noexcept { return contents_.key.get(); }

 private:
  Pkcs12Contents contents_;
};

class NssUserKeyStore : public UserKeyStore {
 public:
  explicit NssUserKeyStore(const card::SecretString* storePassword) : store_(userDatabaseDirectory(), storePassword) {}

  std::vector<StoredCertificate> certificates() override {
    std::vector<StoredCertificate> certificates;
    for (auto& held : readStoreCertificates(store_)) {
      certificates.push_back({std::move(held.parsed), std::move(held.nickname), held.hasKey, std::move(held.keyId)});
    }
    return certificates;
  }

  bool holdsKeyFor(const crypto::ParsedCertificate& certificate) override {
    return storeHoldsKeyFor(temporaryCertificate(certificate.der).get());
  }

  bool holdsCertificate(const crypto::ParsedCertificate& certificate) override {
    return storeHoldsCertificate(store_, certificate.der);
  }

  void storeCertificate(const crypto::ParsedCertificate& certificate) override {
    software_store::storeCertificate(store_, certificate);
  }

  void removeCertificate(const crypto::ParsedCertificate& certificate) noexcept override {
    software_store::removeCertificate(store_, certificate.der);
  }

  NewKeyPair generateRsaKeyPair(int bits, const std::string& label) override {
    auto pair = std::make_shared<StoreKeyPair>(software_store::generateRsaKeyPair(store_, bits, label));
    NewKeyPair made{pair->id, pair->publicKeyInfoDer, nullptr, [pair]() noexcept { deleteKeyPair(*pair); }};
    made.key = std::make_unique<NssStoreKey>(PrivateKeyPtr(SECKEY_CopyPrivateKey(pair->privateKey.get())),
                                             PublicKeyPtr(SECKEY_CopyPublicKey(pair->publicKey.get())));
    return made;
  }

  std::unique_ptr<StoreKey> keyFor(const StoredCertificate& certificate) override {
    const NssCertificatePtr nss = temporaryCertificate(certificate.parsed.der);
    PrivateKeyPtr key = findKeyForCertificate(nss.get());
    PublicKeyPtr publicKey(CERT_ExtractPublicKey(nss.get()));
    if (!key || !publicKey) throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", certificate.parsed.id}});
    return std::make_unique<NssStoreKey>(std::move(key), std::move(publicKey));
  }

  std::vector<std::uint8_t> exportPkcs12(const StoredCertificate& certificate,
                                         std::span<const crypto::ParsedCertificate* const> chain,
                                         const card::SecretString& password) override {
    const NssCertificatePtr nss = temporaryCertificate(certificate.parsed.der);
    const PrivateKeyPtr key = findKeyForCertificate(nss.get());
    if (!key) throw ProtocolError(ErrorCode::KeyNotFound, {{"certificate", certificate.parsed.id}});
    const crypto::EvpPkeyPtr clear = exportPrivateKey(key.get());
    std::vector<X509*> issuers;
    for (const auto* issuer : chain) issuers.push_back(issuer->native.get());
    return writePkcs12(clear.get(), certificate.parsed.native.get(), issuers, password, certificate.label);
  }

  std::function<void()> importKey(Pkcs12File& file, const std::string& label) override {
    auto& opened = dynamic_cast<OpenSslPkcs12File&>(file);
    auto imported = std::make_shared<PrivateKeyPtr>(importPrivateKey(store_, opened.key(), label));
    return [imported]() noexcept { deletePrivateKey(std::move(*imported)); };
  }

 private:
  NssStore store_;
};

}  // namespace

std::unique_ptr<Pkcs12File> openPkcs12(std::span<const std::uint8_t> file, const card::SecretString& password) {
  return std::make_unique<OpenSslPkcs12File>(readPkcs12(file, password));
}

std::unique_ptr<UserKeyStore> openUserKeyStore(const card::SecretString* storePassword) {
  return std::make_unique<NssUserKeyStore>(storePassword);
}

}  // namespace certbridge::host::software_store
