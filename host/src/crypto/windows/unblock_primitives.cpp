#include "unblock_primitives.hpp"

#include <algorithm>
#include <climits>
#include <cwchar>

#include "../crypto_error.hpp"
#include "../der_reader.hpp"

namespace certbridge::host::crypto::windows {
namespace {

constexpr std::size_t kCoordinateSize = 32;
constexpr std::size_t kPointSize = 1 + 2 * kCoordinateSize;  // 04 || X || Y
// The prime256v1 OID as an AlgorithmIdentifier parameter (RFC 5480).
constexpr std::uint8_t kP256Parameters[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr NTSTATUS kAuthTagMismatch = static_cast<NTSTATUS>(0xC000A002L);  // STATUS_AUTH_TAG_MISMATCH

BCRYPT_ALG_HANDLE ecdhAlgorithm() {
  static const AlgorithmHandle& algorithm = *new AlgorithmHandle(openAlgorithm(BCRYPT_ECDH_P256_ALGORITHM));
  return algorithm.get();
}

BCRYPT_ALG_HANDLE gcmAlgorithm() {
  static const AlgorithmHandle& algorithm = *new AlgorithmHandle([] {
    AlgorithmHandle aes = openAlgorithm(BCRYPT_AES_ALGORITHM);
    checkStatus(BCryptSetProperty(aes.get(), BCRYPT_CHAINING_MODE,
                                  reinterpret_cast<PUCHAR>(const_cast<wchar_t*>(BCRYPT_CHAIN_MODE_GCM)),
                                  sizeof(BCRYPT_CHAIN_MODE_GCM), 0),
                "cannot select AES-GCM");
    return aes;
  }());
  return algorithm.get();
}

KeyHandle importEccBlob(LPCWSTR blobType, std::span<const std::uint8_t> blob) {
  BCRYPT_KEY_HANDLE key = nullptr;
  const NTSTATUS status = BCryptImportKeyPair(ecdhAlgorithm(), nullptr, blobType, &key, const_cast<PUCHAR>(blob.data()),
                                              static_cast<ULONG>(blob.size()), 0);
  if (!BCRYPT_SUCCESS(status)) return nullptr;
  return KeyHandle(key);
}

SecretHandle agree(BCRYPT_KEY_HANDLE ownKey, BCRYPT_KEY_HANDLE peerKey) {
  BCRYPT_SECRET_HANDLE secret = nullptr;
  if (!BCRYPT_SUCCESS(BCryptSecretAgreement(ownKey, peerKey, &secret, 0))) return nullptr;
  return SecretHandle(secret);
}

KeyHandle aesKey(const WipedBuffer& key) {
  BCRYPT_KEY_HANDLE handle = nullptr;
  checkStatus(BCryptGenerateSymmetricKey(gcmAlgorithm(), &handle, nullptr, 0, const_cast<PUCHAR>(key.data()),
                                         static_cast<ULONG>(key.size()), 0),
              "cannot load the AES key");
  return KeyHandle(handle);
}

BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO gcmInfo(std::span<const std::uint8_t> iv, std::string_view additionalData,
                                              std::uint8_t* tag, std::size_t tagSize) {
  BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info;
  BCRYPT_INIT_AUTH_MODE_INFO(info);
  info.pbNonce = const_cast<PUCHAR>(iv.data());
  info.cbNonce = static_cast<ULONG>(iv.size());
  info.pbAuthData = reinterpret_cast<PUCHAR>(const_cast<char*>(additionalData.data()));
  info.cbAuthData = static_cast<ULONG>(additionalData.size());
  info.pbTag = tag;
  info.cbTag = static_cast<ULONG>(tagSize);
  return info;
}

}  // namespace

KeyHandle generateP256Key() {
  BCRYPT_KEY_HANDLE key = nullptr;
  checkStatus(BCryptGenerateKeyPair(ecdhAlgorithm(), &key, 256, 0), "cannot generate a P-256 key");
  KeyHandle owned(key);
  checkStatus(BCryptFinalizeKeyPair(key, 0), "cannot generate a P-256 key");
  return owned;
}

KeyHandle importP256PrivateKey(std::span<const std::uint8_t, 32> privateScalar, std::span<const std::uint8_t, 32> x,
                               std::span<const std::uint8_t, 32> y) {
  WipedBuffer blob(sizeof(BCRYPT_ECCKEY_BLOB) + 3 * kCoordinateSize);
  const BCRYPT_ECCKEY_BLOB header{BCRYPT_ECDH_PRIVATE_P256_MAGIC, kCoordinateSize};
  std::copy_n(reinterpret_cast<const std::uint8_t*>(&header), sizeof header, blob.data());
  std::copy(x.begin(), x.end(), blob.data() + sizeof header);
  std::copy(y.begin(), y.end(), blob.data() + sizeof header + kCoordinateSize);
  std::copy(privateScalar.begin(), privateScalar.end(), blob.data() + sizeof header + 2 * kCoordinateSize);
  KeyHandle key = importEccBlob(BCRYPT_ECCPRIVATE_BLOB, blob.bytes());
  if (!key) throw CryptoError("cannot import a P-256 private key");
  return key;
}

std::vector<std::uint8_t> p256PublicKeyInfo(BCRYPT_KEY_HANDLE key) {
  std::vector<std::uint8_t> blob(sizeof(BCRYPT_ECCKEY_BLOB) + 2 * kCoordinateSize);
  ULONG size = 0;
  checkStatus(
      BCryptExportKey(key, nullptr, BCRYPT_ECCPUBLIC_BLOB, blob.data(), static_cast<ULONG>(blob.size()), &size, 0),
      "cannot export the public key");
  BCRYPT_ECCKEY_BLOB header{};
  std::copy_n(blob.data(), sizeof header, reinterpret_cast<std::uint8_t*>(&header));
  if (size != blob.size() || header.cbKey != kCoordinateSize) throw CryptoError("the public key is not a P-256 key");
  std::vector<std::uint8_t> point(kPointSize);
  point[0] = 0x04;
  std::copy(blob.begin() + sizeof header, blob.end(), point.begin() + 1);

  CERT_PUBLIC_KEY_INFO info{};
  info.Algorithm.pszObjId = const_cast<LPSTR>(szOID_ECC_PUBLIC_KEY);
  info.Algorithm.Parameters = {sizeof kP256Parameters, const_cast<BYTE*>(kP256Parameters)};
  info.PublicKey = {static_cast<DWORD>(point.size()), point.data(), 0};
  return encodeObject(X509_PUBLIC_KEY_INFO, &info);
}

KeyHandle importP256PublicKeyInfo(std::span<const std::uint8_t> der) noexcept {
  if (der.empty() || der.size() > ULONG_MAX || !der::readSingle(der)) return nullptr;
  const auto info = decodeObject<CERT_PUBLIC_KEY_INFO>(X509_PUBLIC_KEY_INFO, der);
  if (!info || info->Algorithm.pszObjId == nullptr ||
      std::string_view(info->Algorithm.pszObjId) != szOID_ECC_PUBLIC_KEY) {
    return nullptr;
  }
  const CRYPT_OBJID_BLOB& parameters = info->Algorithm.Parameters;
  if (!std::equal(parameters.pbData, parameters.pbData + parameters.cbData, std::begin(kP256Parameters),
                  std::end(kP256Parameters))) {
    return nullptr;
  }
  const CRYPT_BIT_BLOB& point = info->PublicKey;
  if (point.cUnusedBits != 0 || point.cbData != kPointSize || point.pbData[0] != 0x04) return nullptr;
  std::vector<std::uint8_t> blob(sizeof(BCRYPT_ECCKEY_BLOB) + 2 * kCoordinateSize);
  const BCRYPT_ECCKEY_BLOB header{BCRYPT_ECDH_PUBLIC_P256_MAGIC, kCoordinateSize};
  std::copy_n(reinterpret_cast<const std::uint8_t*>(&header), sizeof header, blob.data());
  std::copy(point.pbData + 1, point.pbData + kPointSize, blob.begin() + sizeof header);
  try {
    return importEccBlob(BCRYPT_ECCPUBLIC_BLOB, blob);
  } catch (const std::exception&) {  // The algorithm provider could not be opened.
    return nullptr;
  }
}

bool deriveAgreedKey(BCRYPT_KEY_HANDLE ownKey, BCRYPT_KEY_HANDLE peerKey, std::span<const std::uint8_t> salt,
                     std::string_view info, WipedBuffer& key) {
  const SecretHandle secret = agree(ownKey, peerKey);
  if (!secret) return false;
  BCryptBuffer parameters[] = {
      {static_cast<ULONG>((std::wcslen(BCRYPT_SHA256_ALGORITHM) + 1) * sizeof(wchar_t)), KDF_HASH_ALGORITHM,
       const_cast<wchar_t*>(BCRYPT_SHA256_ALGORITHM)},
      {static_cast<ULONG>(salt.size()), KDF_HKDF_SALT, const_cast<std::uint8_t*>(salt.data())},
      {static_cast<ULONG>(info.size()), KDF_HKDF_INFO, const_cast<char*>(info.data())},
  };
  BCryptBufferDesc description{BCRYPTBUFFER_VERSION, static_cast<ULONG>(std::size(parameters)), parameters};
  ULONG derived = 0;
  checkStatus(BCryptDeriveKey(secret.get(), BCRYPT_KDF_HKDF, &description, key.data(), static_cast<ULONG>(key.size()),
                              &derived, 0),
              "HKDF failed");
  if (derived != key.size()) throw CryptoError("HKDF gave a key of the wrong size");
  return true;
}

bool rawSharedSecret(BCRYPT_KEY_HANDLE ownKey, BCRYPT_KEY_HANDLE peerKey, WipedBuffer& secret) {
  const SecretHandle agreed = agree(ownKey, peerKey);
  ULONG size = 0;
  if (!agreed ||
      !BCRYPT_SUCCESS(BCryptDeriveKey(agreed.get(), BCRYPT_KDF_RAW_SECRET, nullptr, secret.data(),
                                      static_cast<ULONG>(secret.size()), &size, 0)) ||
      size != secret.size()) {
    return false;
  }
  std::reverse(secret.data(), secret.data() + secret.size());  // BCrypt gives the raw secret little-endian.
  return true;
}

void gcmEncrypt(const WipedBuffer& key, std::span<const std::uint8_t> iv, std::string_view additionalData,
                std::span<const std::uint8_t> plaintext, std::vector<std::uint8_t>& ciphertext,
                std::vector<std::uint8_t>& tag) {
  const KeyHandle aes = aesKey(key);
  ciphertext.resize(plaintext.size());
  tag.resize(16);
  BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info = gcmInfo(iv, additionalData, tag.data(), tag.size());
  ULONG written = 0;
  checkStatus(BCryptEncrypt(aes.get(), const_cast<PUCHAR>(plaintext.data()), static_cast<ULONG>(plaintext.size()),
                            &info, nullptr, 0, ciphertext.data(), static_cast<ULONG>(ciphertext.size()), &written, 0),
              "AES-256-GCM encryption failed");
  ciphertext.resize(written);
}

bool gcmDecrypt(const WipedBuffer& key, std::span<const std::uint8_t> iv, std::string_view additionalData,
                std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t> tag, WipedBuffer& plaintext) {
  const KeyHandle aes = aesKey(key);
  BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info =
      gcmInfo(iv, additionalData, const_cast<std::uint8_t*>(tag.data()), tag.size());
  ULONG written = 0;
  const NTSTATUS status =
      BCryptDecrypt(aes.get(), const_cast<PUCHAR>(ciphertext.data()), static_cast<ULONG>(ciphertext.size()), &info,
                    nullptr, 0, plaintext.data(), static_cast<ULONG>(plaintext.size()), &written, 0);
  if (status == kAuthTagMismatch) {
    SecureZeroMemory(plaintext.data(), plaintext.size());
    return false;
  }
  checkStatus(status, "AES-256-GCM decryption failed");
  if (written != plaintext.size()) throw CryptoError("AES-256-GCM gave a plaintext of the wrong size");
  return true;
}

}  // namespace certbridge::host::crypto::windows
