// The token's own word on what it can make (C_GetMechanismInfo), kept apart from the module loading code.

#include "certbridge/card/token_mechanisms.hpp"

#include <algorithm>

#include "pkcs11_call.hpp"
#include "pkcs11_module_impl.hpp"
#include "pkcs11_raw.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

std::optional<RsaKeySizeRange> rsaKeyGenerationRange(Pkcs11Module& module, unsigned long slotId) {
  ck::MechanismInfo info{};
  ck::Rv rv = ck::kCkrOk;
  try {
    rv = CERTBRIDGE_CK_CALL(module.impl().functions(), C_GetMechanismInfo, (slotId, ck::kCkmRsaPkcsKeyPairGen, &info),
                            ck::kCkrMechanismInvalid);
  } catch (const CardError&) {
    return std::nullopt;  // it does not say: the card profile's sizes stand, and the token has the last word
  }
  if (rv == ck::kCkrMechanismInvalid) return RsaKeySizeRange{};
  // PKCS#11 gives RSA sizes in bits; a maximum too small for any RSA key is a module's mistake, not a fact.
  if (info.maxKeySize < 512 || info.minKeySize > info.maxKeySize) return std::nullopt;
  return RsaKeySizeRange{static_cast<int>(info.minKeySize), static_cast<int>(info.maxKeySize)};
}

std::vector<int> keySizesTheTokenMakes(const std::vector<int>& profileSizes,
                                       const std::optional<RsaKeySizeRange>& range) {
  if (!range) return profileSizes;
  std::vector<int> sizes;
  std::copy_if(profileSizes.begin(), profileSizes.end(), std::back_inserter(sizes),
               [&](int bits) { return bits >= range->minBits && bits <= range->maxBits; });
  return sizes;
}

}  // namespace certbridge::card
