#pragma once
// Telling one card from another. The serial number is what PKCS#11 offers, but some tokens report a blank or
// all-zero serial that every card of the model shares: then the serial identifies nothing, and the other
// token facts and the card's own public objects have to.

#include <cstdint>
#include <vector>

#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/token_session.hpp"

namespace certbridge::card {

/// false when the token's serial number is blank or all zeros: shared by every such card, so it cannot tell
/// one from another (the RA must not take it as the card's identity either).
bool serialIdentifiesToken(const TokenInfo& token) noexcept;

/// Whether two readings of a slot's token describe the same card as far as the token facts go: serial number,
/// label, manufacturer and model all equal (where the serial identifies nothing, the rest narrows it down).
bool sameTokenFacts(const TokenInfo& a, const TokenInfo& b) noexcept;

/// The CKA_IDs of the token's public objects (certificates and public keys), sorted, duplicates removed: no
/// login needed. Two cards of a model with the same blank serial and label still differ here once either
/// holds a key.
std::vector<std::vector<std::uint8_t>> publicObjectIds(TokenSession& session);

}  // namespace certbridge::card
