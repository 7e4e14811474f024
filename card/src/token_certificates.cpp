// X.509 certificates on a token: listing with their keys, idempotent storing beside the key, deleting.

#include <algorithm>

#include "certbridge/card/error.hpp"
#include "certbridge/card/token_objects.hpp"
#include "platform_crypto.hpp"
#include "public_key_der.hpp"
#include "token_keys.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

namespace {

struct CertificateObject {
  ck::ObjectHandle handle = 0;
  CertificateInfo info;
};

std::vector<CertificateObject> certificateObjects(TokenSession::Impl& s) {
  std::vector<CertificateObject> certificates;
  for (const auto object : detail::findObjects(
           s.f(), s.handle,
           {ck::attribute(ck::kCkaClass, ck::kCkoCertificate), ck::attribute(ck::kCkaCertificateType, ck::kCkcX509)})) {
    CertificateObject certificate;
    certificate.handle = object;
    const auto attributes = detail::readAttributes(s.f(), s.handle, object, {ck::kCkaValue, ck::kCkaId, ck::kCkaLabel});
    certificate.info.der = attributes.bytes(ck::kCkaValue).value_or(std::vector<std::uint8_t>{});
    certificate.info.id = attributes.bytes(ck::kCkaId).value_or(std::vector<std::uint8_t>{});
    certificate.info.label = attributes.text(ck::kCkaLabel);
    if (!certificate.info.der.empty()) certificates.push_back(std::move(certificate));
  }
  return certificates;
}

// Fills keyOnToken / keyId from the keys the session can see. Before login the private keys are hidden and
// the public key objects of the pairs stand for them; after login the private keys are the authority. The other
// kind is searched only when the first finds none: each search reads every object on software tokens.
void matchKeys(std::vector<CertificateObject>& certificates, const std::vector<detail::KeyNumbers>& keys) {
  for (auto& certificate : certificates) {
    std::optional<detail::RsaNumbers> publicKey;
    try {
      publicKey = detail::certificateRsaNumbers(certificate.info.der);
    } catch (const CardError&) {
      continue;  // Not a certificate the library can read: listed, without a key.
    }
    if (!publicKey) continue;  // Not an RSA key: none of the card's keys.
    const auto key = std::find_if(keys.begin(), keys.end(),
                                  [&](const detail::KeyNumbers& candidate) { return candidate.numbers == *publicKey; });
    if (key == keys.end()) continue;
    certificate.info.keyOnToken = true;
    certificate.info.keyId = key->id;
  }
}

void matchKeys(std::vector<CertificateObject>& certificates, TokenSession::Impl& s) {
  const ck::Ulong first = s.loggedIn ? ck::kCkoPrivateKey : ck::kCkoPublicKey;
  auto keys = detail::rsaKeyNumbers(s, first);
  if (keys.empty())
    keys = detail::rsaKeyNumbers(s, first == ck::kCkoPrivateKey ? ck::kCkoPublicKey : ck::kCkoPrivateKey);
  matchKeys(certificates, keys);
}

std::vector<CertificateInfo> infosOf(std::vector<CertificateObject>& certificates) {
  std::vector<CertificateInfo> infos;
  infos.reserve(certificates.size());
  for (auto& certificate : certificates) infos.push_back(std::move(certificate.info));
  return infos;
}

std::optional<CertificateInfo> alreadyStored(TokenSession::Impl& s, std::span<const std::uint8_t> der) {
  for (auto& certificate : certificateObjects(s)) {
    if (std::equal(der.begin(), der.end(), certificate.info.der.begin(), certificate.info.der.end()))
      return std::move(certificate.info);
  }
  return std::nullopt;
}

// One C_CreateObject with the PKCS#11 v2.20 certificate attributes only: openCryptoki 3.8 rejects the
// v2.40 ones (CKA_NAME_HASH_ALGORITHM, CKA_HASH_OF_SUBJECT_PUBLIC_KEY) that libp11's
// PKCS11_store_certificate adds, and nothing needs them.
CertificateInfo createCertificate(TokenSession::Impl& s, const detail::CertificateFields& fields,
                                  std::span<const std::uint8_t> der, const std::vector<std::uint8_t>& id,
                                  const std::string& label) {
  std::vector<ck::Attribute> attributes{
      ck::attribute(ck::kCkaClass, ck::kCkoCertificate),
      ck::attribute(ck::kCkaCertificateType, ck::kCkcX509),
      ck::attribute(ck::kCkaToken, ck::kTrue),
      ck::attribute(ck::kCkaPrivate, ck::kFalse),
      ck::attribute(ck::kCkaId, id),
      ck::attribute(ck::kCkaSubject, fields.subject),
      ck::attribute(ck::kCkaIssuer, fields.issuer),
      ck::attribute(ck::kCkaSerialNumber, fields.serialNumber),
      ck::attribute(ck::kCkaValue, der),
  };
  if (!label.empty()) attributes.push_back(ck::attribute(ck::kCkaLabel, label));
  ck::ObjectHandle object = 0;
  CERTBRIDGE_CK_CALL(s.f(), C_CreateObject,
                     (s.handle, attributes.data(), static_cast<ck::Ulong>(attributes.size()), &object));
  CertificateInfo info;
  info.der.assign(der.begin(), der.end());
  info.id = id;
  info.label = label;
  return info;
}

}  // namespace

std::vector<CertificateInfo> listCertificates(TokenSession& session) {
  auto& s = session.impl();
  auto certificates = certificateObjects(s);
  matchKeys(certificates, s);
  return infosOf(certificates);
}

std::vector<CertificateInfo> detail::listCertificatesMatching(TokenSession::Impl& s,
                                                              const std::vector<KeyNumbers>& keys) {
  auto certificates = certificateObjects(s);
  matchKeys(certificates, keys);
  return infosOf(certificates);
}

CertificateInfo storeCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                 const std::string& label) {
  auto& s = session.impl();
  s.requireReadWrite("store a certificate");
  s.requireUser("store a certificate beside its key");
  const auto fields = detail::certificateFields(certificateDer);
  const auto key = findKeyForCertificate(session, certificateDer);
  if (!key) {
    throw CardError(ErrorKind::KeyNotFound,
                    "No key on token \"" + s.token.label + "\" has the public key of this certificate");
  }
  if (auto stored = alreadyStored(s, certificateDer)) {
    stored->keyOnToken = true;
    stored->keyId = key->id;
    return *stored;
  }
  auto info = createCertificate(s, fields, certificateDer, key->id, label);
  info.keyOnToken = true;
  info.keyId = key->id;
  return info;
}

CertificateInfo storeCaCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer,
                                   const std::string& label) {
  auto& s = session.impl();
  s.requireReadWrite("store a CA certificate");
  const auto fields = detail::certificateFields(certificateDer);
  if (auto stored = alreadyStored(s, certificateDer)) return *stored;
  return createCertificate(s, fields, certificateDer, fields.keyIdentifier, label);
}

std::size_t deleteObjectsById(TokenSession& session, std::span<const std::uint8_t> id) {
  auto& s = session.impl();
  s.requireReadWrite("delete keys and certificates");
  s.requireUser("delete keys and certificates");
  if (id.empty()) throw CardError(ErrorKind::InvalidArgument, "No CKA_ID given for the objects to delete");
  std::size_t deleted = 0;
  for (const ck::Ulong objectClass : {ck::kCkoCertificate, ck::kCkoPublicKey, ck::kCkoPrivateKey}) {
    for (const auto object : detail::findObjects(
             s.f(), s.handle, {ck::attribute(ck::kCkaClass, objectClass), ck::attribute(ck::kCkaId, id)})) {
      CERTBRIDGE_CK_CALL(s.f(), C_DestroyObject, (s.handle, object));
      ++deleted;
    }
  }
  return deleted;
}

std::size_t deleteCertificate(TokenSession& session, std::span<const std::uint8_t> certificateDer) {
  auto& s = session.impl();
  s.requireReadWrite("delete a certificate");
  std::size_t deleted = 0;
  for (const auto& certificate : certificateObjects(s)) {
    if (!std::equal(certificateDer.begin(), certificateDer.end(), certificate.info.der.begin(),
                    certificate.info.der.end()))
      continue;
    CERTBRIDGE_CK_CALL(s.f(), C_DestroyObject, (s.handle, certificate.handle));
    ++deleted;
  }
  return deleted;
}

}  // namespace certbridge::card
