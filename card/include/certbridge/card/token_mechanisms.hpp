#pragma once
// What a token can make, asked of the token itself (C_GetMechanismInfo) rather than assumed from its card
// profile: a card whose RSA key generation stops at 3072 bits must be refused a 4096-bit request before
// anyone is asked for a PIN.

#include <optional>
#include <vector>

#include "certbridge/card/pkcs11_module.hpp"

namespace certbridge::card {

/// The RSA modulus sizes, in bits, a token's key generation (CKM_RSA_PKCS_KEY_PAIR_GEN) supports.
struct RsaKeySizeRange {
  int minBits = 0;
  int maxBits = 0;  ///< 0 with minBits 0: the token makes no RSA keys at all.
};

/// The token's RSA key generation range, as it reports it; nullopt when it does not say (the call fails for
/// another reason than "no such mechanism", or it reports nothing usable). No session is needed.
std::optional<RsaKeySizeRange> rsaKeyGenerationRange(Pkcs11Module& module, unsigned long slotId);

/// Of the profile's key sizes, those the token makes (all of them when the token does not say), in order.
std::vector<int> keySizesTheTokenMakes(const std::vector<int>& profileSizes,
                                       const std::optional<RsaKeySizeRange>& range);

}  // namespace certbridge::card
