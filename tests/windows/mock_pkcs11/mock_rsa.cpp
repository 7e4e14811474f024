// TEST DOUBLE - never installed, never shipped. RSA key generation and PKCS#1 v1.5 signing through BCrypt.

#include "mock_rsa.hpp"

#include <windows.h>

#include <bcrypt.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace certbridge::mock_pkcs11 {

namespace {

struct AlgorithmCloser {
  void operator()(void* algorithm) const { BCryptCloseAlgorithmProvider(algorithm, 0); }
};
struct KeyDestroyer {
  void operator()(void* key) const { BCryptDestroyKey(key); }
};
using Algorithm = std::unique_ptr<void, AlgorithmCloser>;
using Key = std::unique_ptr<void, KeyDestroyer>;

Algorithm rsaAlgorithm() {
  BCRYPT_ALG_HANDLE handle = nullptr;
  if (BCryptOpenAlgorithmProvider(&handle, BCRYPT_RSA_ALGORITHM, nullptr, 0) != 0) return nullptr;
  return Algorithm(handle);
}

// The DER prefix of a DigestInfo (RFC 8017, 9.2 note 1) and the BCrypt name of its hash.
struct DigestPrefix {
  const wchar_t* algorithm;
  std::size_t hashLength;
  std::array<std::uint8_t, 19> prefix;
  std::size_t prefixLength;
};

constexpr std::array<DigestPrefix, 4> kDigestPrefixes{{
    {BCRYPT_SHA1_ALGORITHM,
     20,
     {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14},
     15},
    {BCRYPT_SHA256_ALGORITHM,
     32,
     {0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
     19},
    {BCRYPT_SHA384_ALGORITHM,
     48,
     {0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
     19},
    {BCRYPT_SHA512_ALGORITHM,
     64,
     {0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
     19},
}};

const DigestPrefix* digestPrefixOf(std::span<const std::uint8_t> data) {
  for (const auto& candidate : kDigestPrefixes) {
    if (data.size() == candidate.prefixLength + candidate.hashLength &&
        std::equal(candidate.prefix.begin(), candidate.prefix.begin() + static_cast<long>(candidate.prefixLength),
                   data.begin()))
      return &candidate;
  }
  return nullptr;
}

}  // namespace

std::optional<Bytes> generateRsaKey(unsigned long bits) {
  const auto algorithm = rsaAlgorithm();
  if (!algorithm) return std::nullopt;
  BCRYPT_KEY_HANDLE handle = nullptr;
  if (BCryptGenerateKeyPair(algorithm.get(), &handle, bits, 0) != 0) return std::nullopt;
  const Key key(handle);
  if (BCryptFinalizeKeyPair(handle, 0) != 0) return std::nullopt;
  ULONG size = 0;
  if (BCryptExportKey(handle, nullptr, BCRYPT_RSAFULLPRIVATE_BLOB, nullptr, 0, &size, 0) != 0) return std::nullopt;
  Bytes blob(size);
  if (BCryptExportKey(handle, nullptr, BCRYPT_RSAFULLPRIVATE_BLOB, blob.data(), size, &size, 0) != 0)
    return std::nullopt;
  blob.resize(size);
  // BCrypt's default public exponent is 65537; the token promises it, so it is checked rather than trusted.
  const auto parts = rsaParts(blob);
  if (!parts || parts->publicExponent != Bytes{0x01, 0x00, 0x01}) return std::nullopt;
  return blob;
}

std::optional<RsaParts> rsaParts(std::span<const std::uint8_t> blob) {
  BCRYPT_RSAKEY_BLOB header{};
  if (blob.size() < sizeof header) return std::nullopt;
  std::memcpy(&header, blob.data(), sizeof header);
  const std::size_t modulus = header.cbModulus;
  const std::size_t prime1 = header.cbPrime1;
  const std::size_t prime2 = header.cbPrime2;
  const std::size_t expected =
      sizeof header + header.cbPublicExp + 2 * modulus + 3 * prime1 + 2 * prime2;  // the full private layout
  if (header.Magic != BCRYPT_RSAFULLPRIVATE_MAGIC || blob.size() != expected || modulus == 0) return std::nullopt;
  std::size_t at = sizeof header;
  const auto take = [&](std::size_t length) {
    Bytes part(blob.begin() + static_cast<long>(at), blob.begin() + static_cast<long>(at + length));
    at += length;
    return part;
  };
  RsaParts parts;
  parts.publicExponent = take(header.cbPublicExp);
  parts.modulus = take(modulus);
  parts.prime1 = take(prime1);
  parts.prime2 = take(prime2);
  parts.exponent1 = take(prime1);
  parts.exponent2 = take(prime2);
  parts.coefficient = take(prime1);
  parts.privateExponent = take(modulus);
  return parts;
}

Signature signPkcs1(std::span<const std::uint8_t> blob, std::span<const std::uint8_t> data) {
  Signature result;
  const auto algorithm = rsaAlgorithm();
  BCRYPT_KEY_HANDLE handle = nullptr;
  if (!algorithm || BCryptImportKeyPair(algorithm.get(), nullptr, BCRYPT_RSAFULLPRIVATE_BLOB, &handle,
                                        const_cast<PUCHAR>(blob.data()), static_cast<ULONG>(blob.size()), 0) != 0) {
    result.failure = SignFailure::KeyUnusable;
    return result;
  }
  const Key key(handle);
  // A DigestInfo of a known hash: BCrypt adds the same DigestInfo and the padding. Anything else: no
  // algorithm, which Windows pads as is and wine refuses.
  const DigestPrefix* digest = digestPrefixOf(data);
  BCRYPT_PKCS1_PADDING_INFO padding{digest ? digest->algorithm : nullptr};
  const auto input = digest ? data.subspan(digest->prefixLength) : data;
  ULONG size = 0;
  NTSTATUS status = BCryptSignHash(handle, &padding, const_cast<PUCHAR>(input.data()), static_cast<ULONG>(input.size()),
                                   nullptr, 0, &size, BCRYPT_PAD_PKCS1);
  if (status == 0) {
    result.bytes.resize(size);
    status = BCryptSignHash(handle, &padding, const_cast<PUCHAR>(input.data()), static_cast<ULONG>(input.size()),
                            result.bytes.data(), size, &size, BCRYPT_PAD_PKCS1);
    result.bytes.resize(size);
  }
  if (status != 0) {
    result.bytes.clear();
    result.failure = digest ? SignFailure::Failed : SignFailure::NotADigestInfo;
  }
  return result;
}

}  // namespace certbridge::mock_pkcs11
