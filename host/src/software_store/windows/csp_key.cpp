#include "csp_key.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "certbridge/host/protocol_error.hpp"
#include "crypto/encoding.hpp"
#include "crypto/windows/bcrypt_support.hpp"

namespace certbridge::host::software_store::windows {
namespace {

constexpr LPCWSTR kProvider = MS_ENH_RSA_AES_PROV_W;
constexpr DWORD kProviderType = PROV_RSA_AES;
constexpr std::size_t kSha256Bytes = 32;
// The DER DigestInfo prefix of SHA-256 (RFC 8017 section 9.2, note 1): what the crypto layer hands over.
constexpr std::array<std::uint8_t, 19> kSha256DigestInfoPrefix = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

[[noreturn]] void throwStoreError(const char* what) {
  const DWORD error = GetLastError();
  spdlog::error("software store: {} failed (error 0x{:08x})", what, static_cast<unsigned>(error));
  throw ProtocolError(ErrorCode::StoreError, {{"reason", what}, {"error", static_cast<std::uint32_t>(error)}});
}

struct KeyDestroyer {
  HCRYPTKEY key = 0;
  ~KeyDestroyer() {
    if (key != 0) CryptDestroyKey(key);
  }
};

struct HashDestroyer {
  HCRYPTHASH hash = 0;
  ~HashDestroyer() {
    if (hash != 0) CryptDestroyHash(hash);
  }
};

// The key pair's public half as crypt32 describes it (CryptExportPublicKeyInfo); empty without that pair.
std::vector<std::uint8_t> exportPublicKeyInfo(HCRYPTPROV provider, DWORD keySpec) {
  DWORD size = 0;
  if (!CryptExportPublicKeyInfo(provider, keySpec, X509_ASN_ENCODING, nullptr, &size)) return {};
  std::vector<std::uint8_t> buffer(size);
  if (!CryptExportPublicKeyInfo(provider, keySpec, X509_ASN_ENCODING,
                                reinterpret_cast<CERT_PUBLIC_KEY_INFO*>(buffer.data()), &size)) {
    return {};
  }
  return buffer;
}

const CERT_PUBLIC_KEY_INFO* asInfo(const std::vector<std::uint8_t>& buffer) {
  return buffer.empty() ? nullptr : reinterpret_cast<const CERT_PUBLIC_KEY_INFO*>(buffer.data());
}

}  // namespace

std::vector<std::wstring> containerNames() {
  std::vector<std::wstring> names;
  HCRYPTPROV provider = 0;
  if (!CryptAcquireContextW(&provider, nullptr, kProvider, kProviderType, CRYPT_VERIFYCONTEXT)) return names;
  const ProviderHandle handle(provider);
  DWORD flags = CRYPT_FIRST;
  for (;;) {
    DWORD size = 0;
    if (!CryptGetProvParam(provider, PP_ENUMCONTAINERS, nullptr, &size, flags)) break;
    std::vector<char> name(size + 1, '\0');
    if (!CryptGetProvParam(provider, PP_ENUMCONTAINERS, reinterpret_cast<BYTE*>(name.data()), &size, flags)) break;
    flags = CRYPT_NEXT;
    // Container names come back in the ANSI code page.
    const int wideSize = MultiByteToWideChar(CP_ACP, 0, name.data(), -1, nullptr, 0);
    if (wideSize <= 1) continue;
    std::wstring wide(static_cast<std::size_t>(wideSize), L'\0');
    MultiByteToWideChar(CP_ACP, 0, name.data(), -1, wide.data(), wideSize);
    wide.resize(static_cast<std::size_t>(wideSize - 1));
    names.push_back(std::move(wide));
  }
  return names;
}

ProviderHandle openContainer(const std::wstring& container) {
  HCRYPTPROV provider = 0;
  if (!CryptAcquireContextW(&provider, container.c_str(), kProvider, kProviderType, CRYPT_SILENT)) return {};
  return ProviderHandle(provider);
}

KeyLocation generateKeyContainer(int bits, bool exportable) {
  KeyLocation location{L"CertBridge " + crypto::windows::wideFromUtf8(crypto::hexEncode(crypto::randomBytes(16))),
                       AT_KEYEXCHANGE};
  HCRYPTPROV provider = 0;
  if (!CryptAcquireContextW(&provider, location.container.c_str(), kProvider, kProviderType,
                            CRYPT_NEWKEYSET | CRYPT_SILENT)) {
    throwStoreError("creating a key container");
  }
  ProviderHandle handle(provider);
  KeyDestroyer key;
  const DWORD flags = (static_cast<DWORD>(bits) << 16) | (exportable ? CRYPT_EXPORTABLE : 0);
  if (!CryptGenKey(provider, location.keySpec, flags, &key.key)) {
    const DWORD error = GetLastError();
    deleteContainer(location.container);
    SetLastError(error);
    throwStoreError("generating an RSA key pair");
  }
  return location;
}

void deleteContainer(const std::wstring& container) noexcept {
  HCRYPTPROV ignored = 0;
  if (!CryptAcquireContextW(&ignored, container.c_str(), kProvider, kProviderType, CRYPT_DELETEKEYSET | CRYPT_SILENT)) {
    spdlog::warn("software store: could not remove a key container (error 0x{:08x})",
                 static_cast<unsigned>(GetLastError()));
  }
}

bool holdsKeyOf(const KeyLocation& location, const CERT_PUBLIC_KEY_INFO& publicKey) {
  const ProviderHandle provider = openContainer(location.container);
  if (!provider) return false;
  KeyDestroyer key;
  if (!CryptGetUserKey(provider.get(), location.keySpec, &key.key)) return false;
  const auto held = exportPublicKeyInfo(provider.get(), location.keySpec);
  return !held.empty() && CertComparePublicKeyInfo(X509_ASN_ENCODING, const_cast<CERT_PUBLIC_KEY_INFO*>(asInfo(held)),
                                                   const_cast<CERT_PUBLIC_KEY_INFO*>(&publicKey));
}

std::optional<KeyLocation> findKeyFor(const CERT_PUBLIC_KEY_INFO& publicKey) {
  for (const auto& name : containerNames()) {
    for (const DWORD keySpec : {DWORD{AT_KEYEXCHANGE}, DWORD{AT_SIGNATURE}}) {
      KeyLocation location{name, keySpec};
      if (holdsKeyOf(location, publicKey)) return location;
    }
  }
  return std::nullopt;
}

CRYPT_KEY_PROV_INFO keyProvInfo(const KeyLocation& location) {
  CRYPT_KEY_PROV_INFO info{};
  info.pwszContainerName = const_cast<LPWSTR>(location.container.c_str());
  info.pwszProvName = const_cast<LPWSTR>(kProvider);
  info.dwProvType = kProviderType;
  info.dwKeySpec = location.keySpec;
  return info;
}

std::vector<std::uint8_t> keyIdOf(const CERT_PUBLIC_KEY_INFO& publicKey) {
  // RSA_CSP_PUBLICKEYBLOB: BLOBHEADER, RSAPUBKEY, then the modulus little-endian.
  const auto blob = crypto::windows::decodeObject<BYTE>(RSA_CSP_PUBLICKEYBLOB,
                                                        {publicKey.PublicKey.pbData, publicKey.PublicKey.cbData});
  if (!blob) return {};
  const auto* header = reinterpret_cast<const RSAPUBKEY*>(blob.get() + sizeof(BLOBHEADER));
  const BYTE* modulusStart = blob.get() + sizeof(BLOBHEADER) + sizeof(RSAPUBKEY);
  std::vector<std::uint8_t> modulus(modulusStart, modulusStart + header->bitlen / 8);
  std::reverse(modulus.begin(), modulus.end());
  while (modulus.size() > 1 && modulus.front() == 0) modulus.erase(modulus.begin());
  std::vector<std::uint8_t> id(20);
  DWORD size = static_cast<DWORD>(id.size());
  if (!CryptHashCertificate(0, CALG_SHA1, 0, modulus.data(), static_cast<DWORD>(modulus.size()), id.data(), &size)) {
    return {};
  }
  return id;
}

CspRsaKey::CspRsaKey(const KeyLocation& location)
    : provider_(openContainer(location.container)), keySpec_(location.keySpec) {
  KeyDestroyer key;
  if (!provider_ || !CryptGetUserKey(provider_.get(), keySpec_, &key.key)) {
    throw ProtocolError(ErrorCode::KeyNotFound, {{"reason", "the key container cannot be opened"}});
  }
}

std::vector<std::uint8_t> CspRsaKey::publicKeyInfo() const {
  const auto buffer = exportPublicKeyInfo(provider_.get(), keySpec_);
  if (buffer.empty()) throwStoreError("reading the key's public key");
  return crypto::windows::encodeObject(X509_PUBLIC_KEY_INFO, asInfo(buffer));
}

std::size_t CspRsaKey::modulusBytes() const {
  KeyDestroyer key;
  DWORD bits = 0;
  DWORD size = sizeof bits;
  if (!CryptGetUserKey(provider_.get(), keySpec_, &key.key) ||
      !CryptGetKeyParam(key.key, KP_KEYLEN, reinterpret_cast<BYTE*>(&bits), &size, 0)) {
    throwStoreError("reading the key's size");
  }
  return bits / 8;
}

std::vector<std::uint8_t> CspRsaKey::signDigestInfo(std::span<const std::uint8_t> digestInfo) {
  // CryptoAPI signs a hash object, not a DigestInfo: the SHA-256 value goes in (HP_HASHVAL) and the
  // provider adds the same DigestInfo and PKCS#1 padding again.
  if (digestInfo.size() != kSha256DigestInfoPrefix.size() + kSha256Bytes ||
      !std::equal(kSha256DigestInfoPrefix.begin(), kSha256DigestInfoPrefix.end(), digestInfo.begin())) {
    throw ProtocolError(ErrorCode::InternalError, {{"reason", "software keys sign SHA-256 only"}});
  }
  HashDestroyer hash;
  if (!CryptCreateHash(provider_.get(), CALG_SHA_256, 0, 0, &hash.hash) ||
      !CryptSetHashParam(hash.hash, HP_HASHVAL, digestInfo.data() + kSha256DigestInfoPrefix.size(), 0)) {
    throwStoreError("preparing the hash to sign");
  }
  DWORD size = 0;
  if (!CryptSignHashW(hash.hash, keySpec_, nullptr, 0, nullptr, &size)) throwStoreError("signing with the key");
  std::vector<std::uint8_t> signature(size);
  if (!CryptSignHashW(hash.hash, keySpec_, nullptr, 0, signature.data(), &size)) {
    throwStoreError("signing with the key");
  }
  signature.resize(size);
  // CryptoAPI writes the signature little-endian; PKCS#1 is big-endian.
  std::reverse(signature.begin(), signature.end());
  return signature;
}

}  // namespace certbridge::host::software_store::windows
