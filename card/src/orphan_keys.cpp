// Key pairs without a certificate, by public key: a certificate stored under another CKA_ID still counts.

#include "certbridge/card/orphan_keys.hpp"

#include <algorithm>

#include "certbridge/card/error.hpp"
#include "certbridge/card/token_objects.hpp"
#include "public_key_der.hpp"
#include "token_keys.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

namespace {

std::vector<detail::RsaNumbers> certifiedKeys(const std::vector<CertificateInfo>& certificates) {
  std::vector<detail::RsaNumbers> certified;
  for (const auto& certificate : certificates) {
    try {
      if (auto numbers = detail::certificateRsaNumbers(certificate.der)) certified.push_back(std::move(*numbers));
    } catch (const CardError&) {
      // A certificate OpenSSL cannot read belongs to no key we could tell; it keeps no key from the list.
    }
  }
  return certified;
}

}  // namespace

TokenListing listCertificatesAndKeys(TokenSession& session) {
  auto& s = session.impl();
  // Logged in, certificates are matched against the private keys (listCertificates): two kinds of object.
  if (s.loggedIn) return {listCertificates(session), keysWithoutCertificate(session)};
  const auto publicKeys = detail::rsaKeyNumbers(s, ck::kCkoPublicKey);
  // No public key objects: listCertificates tries the private ones, and no pair is left without a certificate.
  if (publicKeys.empty()) return {listCertificates(session), {}};
  TokenListing listing;
  listing.certificates = detail::listCertificatesMatching(s, publicKeys);
  const auto certified = certifiedKeys(listing.certificates);
  for (const auto& key : publicKeys) {
    if (std::find(certified.begin(), certified.end(), key.numbers) != certified.end()) continue;
    listing.keysWithoutCertificate.push_back({key.id, key.label, static_cast<int>(key.numbers.modulus.size() * 8),
                                              detail::rsaPublicKey(key.numbers.modulus, key.numbers.exponent)});
  }
  return listing;
}

std::vector<KeyWithoutCertificate> keysWithoutCertificate(TokenSession& session) {
  const auto certified = certifiedKeys(listCertificates(session));
  auto& s = session.impl();
  std::vector<KeyWithoutCertificate> keys;
  for (const auto object : detail::findObjects(
           s.f(), s.handle,
           {ck::attribute(ck::kCkaClass, ck::kCkoPublicKey), ck::attribute(ck::kCkaKeyType, ck::kCkkRsa)})) {
    const auto attributes = detail::readAttributes(
        s.f(), s.handle, object, {ck::kCkaModulus, ck::kCkaPublicExponent, ck::kCkaId, ck::kCkaLabel});
    const auto& modulus = attributes.bytes(ck::kCkaModulus);
    const auto& exponent = attributes.bytes(ck::kCkaPublicExponent);
    if (!modulus || !exponent) continue;
    const auto numbers = detail::rsaNumbers(*modulus, *exponent);
    if (!numbers || std::find(certified.begin(), certified.end(), *numbers) != certified.end()) continue;
    KeyWithoutCertificate key;
    key.id = attributes.bytes(ck::kCkaId).value_or(std::vector<std::uint8_t>{});
    key.label = attributes.text(ck::kCkaLabel);
    key.bits = static_cast<int>(numbers->modulus.size() * 8);
    key.publicKey = detail::rsaPublicKey(numbers->modulus, numbers->exponent);
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace certbridge::card
