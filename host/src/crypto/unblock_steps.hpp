#pragma once
// The parts of the unblock authorization that do not depend on the crypto library, shared by
// unblock_authorization_openssl.cpp and windows/unblock_authorization_windows.cpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "unblock_authorization.hpp"

namespace certbridge::host::crypto::detail {

inline constexpr std::string_view kUnblockLabel = "CertBridge unblock v1";  // HKDF info, and the AAD's start.
inline constexpr std::size_t kRequestIdBytes = 16;
inline constexpr std::size_t kSharedSecretSize = 32;  // P-256 field size.
inline constexpr std::size_t kUnblockKeySize = 32;    // AES-256.
inline constexpr std::size_t kUnblockIvSize = 12;
inline constexpr std::size_t kUnblockTagSize = 16;
// An SO PIN or SO key is tens of bytes; anything far larger is not an authorization worth decrypting.
inline constexpr std::size_t kMaxUnblockSecretSize = 1024;

/// Everything about an authorization that needs no key: version 1, the context's request id (32 hex
/// digits), iv and tag sizes, a ciphertext of 1 to kMaxUnblockSecretSize bytes. Returns the HKDF salt (the
/// request id's 16 bytes). Throws AuthorizationInvalid.
std::vector<std::uint8_t> checkAuthorizationShape(const UnblockAuthorization& authorization,
                                                  const UnblockContext& context);

/// The HKDF salt for sealing: the request id's 16 bytes. Throws std::invalid_argument when context.requestId
/// is not 32 hex digits or soPin is longer than kMaxUnblockSecretSize.
std::vector<std::uint8_t> saltForSealing(const UnblockContext& context, std::string_view soPin);

/// "CertBridge unblock v1|<requestId>|<tokenSerial>|<pinGroup>": binds the ciphertext to one request, card
/// and PIN group, so the same SO PIN sealed for another card or PIN group fails the tag check.
std::string additionalData(const UnblockContext& context);

}  // namespace certbridge::host::crypto::detail
