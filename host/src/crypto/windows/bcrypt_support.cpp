#include "bcrypt_support.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "../crypto_error.hpp"

namespace certbridge::host::crypto::windows {
namespace {

std::string withCode(std::string_view what, const char* kind, unsigned long code) {
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, " (%s 0x%08lX)", kind, code);
  return std::string(what) + suffix;
}

}  // namespace

void checkStatus(NTSTATUS status, std::string_view what) {
  if (!BCRYPT_SUCCESS(status)) throw CryptoError(withCode(what, "NTSTATUS", static_cast<unsigned long>(status)));
}

void throwLastError(std::string_view what) {
  throw CryptoError(withCode(what, "error", GetLastError()));
}

AlgorithmHandle openAlgorithm(LPCWSTR algorithm, ULONG flags) {
  BCRYPT_ALG_HANDLE handle = nullptr;
  checkStatus(BCryptOpenAlgorithmProvider(&handle, algorithm, nullptr, flags), "cannot open a BCrypt algorithm");
  return AlgorithmHandle(handle);
}

std::vector<std::uint8_t> encodeObject(LPCSTR structType, const void* structure, DWORD flags, DWORD encodingType) {
  DWORD size = 0;
  if (!CryptEncodeObjectEx(encodingType, structType, structure, flags, nullptr, nullptr, &size)) {
    throwLastError("crypt32 cannot encode a structure");
  }
  std::vector<std::uint8_t> encoded(size);
  if (!CryptEncodeObjectEx(encodingType, structType, structure, flags, nullptr, encoded.data(), &size)) {
    throwLastError("crypt32 cannot encode a structure");
  }
  encoded.resize(size);
  return encoded;
}

KeyHandle importPublicKeyInfo(std::span<const std::uint8_t> publicKeyInfo) noexcept {
  if (publicKeyInfo.empty()) return nullptr;
  const auto info = decodeObject<CERT_PUBLIC_KEY_INFO>(X509_PUBLIC_KEY_INFO, publicKeyInfo);
  if (!info) return nullptr;
  BCRYPT_KEY_HANDLE key = nullptr;
  if (!CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING, info.get(), 0, nullptr, &key)) return nullptr;
  return KeyHandle(key);
}

bool verifyRsaSha256(BCRYPT_KEY_HANDLE key, const std::array<std::uint8_t, 32>& digest,
                     std::span<const std::uint8_t> signature) noexcept {
  if (key == nullptr || signature.empty()) return false;
  BCRYPT_PKCS1_PADDING_INFO padding{BCRYPT_SHA256_ALGORITHM};
  return BCryptVerifySignature(key, &padding, const_cast<PUCHAR>(digest.data()), static_cast<ULONG>(digest.size()),
                               const_cast<PUCHAR>(signature.data()), static_cast<ULONG>(signature.size()),
                               BCRYPT_PAD_PKCS1) == 0;
}

std::wstring wideFromUtf8(std::string_view text) {
  if (text.empty()) return {};
  const int length =
      MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), nullptr, 0);
  if (length <= 0) throw std::invalid_argument("not UTF-8 text");
  std::wstring wide(static_cast<std::size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), wide.data(), length);
  return wide;
}

}  // namespace certbridge::host::crypto::windows
