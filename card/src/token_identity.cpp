// Card identity beyond a serial number that may be blank or shared.

#include "certbridge/card/token_identity.hpp"

#include <algorithm>

#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

bool serialIdentifiesToken(const TokenInfo& token) noexcept {
  const auto& serial = token.serial;
  return std::any_of(serial.begin(), serial.end(), [](char c) { return c != '0' && c != ' '; });
}

bool sameTokenFacts(const TokenInfo& a, const TokenInfo& b) noexcept {
  return a.serial == b.serial && a.label == b.label && a.manufacturer == b.manufacturer && a.model == b.model;
}

std::vector<std::vector<std::uint8_t>> publicObjectIds(TokenSession& session) {
  auto& s = session.impl();
  std::vector<std::vector<std::uint8_t>> ids;
  for (const ck::Ulong objectClass : {ck::kCkoCertificate, ck::kCkoPublicKey}) {
    for (const ck::ObjectHandle object :
         detail::findObjects(s.f(), s.handle, {ck::attribute(ck::kCkaClass, objectClass)})) {
      if (auto id = detail::readBytes(s.f(), s.handle, object, ck::kCkaId)) ids.push_back(std::move(*id));
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace certbridge::card
