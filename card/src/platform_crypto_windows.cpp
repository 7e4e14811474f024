// The card library's platform cryptography on Windows: crypt32 reads certificates, BCrypt hashes and makes
// random bytes. No OpenSSL: it has no build for the Windows host, and the platform's own is kept current by
// Windows Update.

#include <windows.h>
// windows.h first: bcrypt.h and wincrypt.h need its types.
#include <bcrypt.h>
#include <wincrypt.h>

#include <algorithm>
#include <memory>
#include <string>

#include "certbridge/card/error.hpp"
#include "platform_crypto.hpp"

namespace certbridge::card::detail {

namespace {

constexpr std::size_t kSha1Bytes = 20;

[[noreturn]] void notACertificate() {
  throw CardError(ErrorKind::InvalidArgument, "The data is not a DER-encoded X.509 certificate");
}

// crypt32 decodes the first certificate in a buffer and ignores what follows; OpenSSL's callers are told
// about trailing bytes, so the outer SEQUENCE must span the whole buffer here too.
void requireOneDerSequence(std::span<const std::uint8_t> der) {
  if (der.size() < 2 || der[0] != 0x30) notACertificate();
  std::size_t length = der[1];
  std::size_t header = 2;
  if (length >= 0x80) {
    const std::size_t bytes = length & 0x7F;
    if (bytes == 0 || bytes > 4 || der.size() < 2 + bytes) notACertificate();
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | der[2 + i];
    header += bytes;
  }
  if (header + length != der.size()) notACertificate();
}

struct CertificateContextFree {
  void operator()(const CERT_CONTEXT* context) const noexcept { CertFreeCertificateContext(context); }
};
using CertificateContext = std::unique_ptr<const CERT_CONTEXT, CertificateContextFree>;

std::vector<std::uint8_t> bytesOf(const CRYPT_DATA_BLOB& blob) {
  return std::vector<std::uint8_t>(blob.pbData, blob.pbData + blob.cbData);
}

// The serial number as a DER INTEGER. crypt32 keeps it little-endian; its own encoder writes it back.
std::vector<std::uint8_t> serialNumberDer(const CRYPT_INTEGER_BLOB& serial) {
  DWORD size = 0;
  if (!CryptEncodeObjectEx(X509_ASN_ENCODING, X509_MULTI_BYTE_INTEGER, &serial, 0, nullptr, nullptr, &size))
    throw CardError(ErrorKind::Pkcs11, "Could not encode the certificate serial number", "CryptEncodeObjectEx",
                    static_cast<long>(GetLastError()));
  std::vector<std::uint8_t> der(size);
  if (!CryptEncodeObjectEx(X509_ASN_ENCODING, X509_MULTI_BYTE_INTEGER, &serial, 0, nullptr, der.data(), &size))
    throw CardError(ErrorKind::Pkcs11, "Could not encode the certificate serial number", "CryptEncodeObjectEx",
                    static_cast<long>(GetLastError()));
  der.resize(size);
  return der;
}

struct AlgorithmClose {
  void operator()(BCRYPT_ALG_HANDLE algorithm) const noexcept { BCryptCloseAlgorithmProvider(algorithm, 0); }
};
using Algorithm = std::unique_ptr<void, AlgorithmClose>;
struct HashDestroy {
  void operator()(BCRYPT_HASH_HANDLE hash) const noexcept { BCryptDestroyHash(hash); }
};
using Hash = std::unique_ptr<void, HashDestroy>;

[[noreturn]] void bcryptFailure(const char* what, const char* function, NTSTATUS status) {
  throw CardError(ErrorKind::Pkcs11, what, function, static_cast<long>(status));
}

std::vector<std::uint8_t> sha1(std::span<const std::uint8_t> data) {
  BCRYPT_ALG_HANDLE handle = nullptr;
  NTSTATUS status = BCryptOpenAlgorithmProvider(&handle, BCRYPT_SHA1_ALGORITHM, nullptr, 0);
  if (!BCRYPT_SUCCESS(status)) bcryptFailure("SHA-1 is not available", "BCryptOpenAlgorithmProvider", status);
  const Algorithm algorithm(handle);
  // BCryptCreateHash and friends rather than BCryptHash, which needs Windows 10.
  BCRYPT_HASH_HANDLE hashHandle = nullptr;
  status = BCryptCreateHash(handle, &hashHandle, nullptr, 0, nullptr, 0, 0);
  if (!BCRYPT_SUCCESS(status)) bcryptFailure("SHA-1 is not available", "BCryptCreateHash", status);
  const Hash hash(hashHandle);
  status = BCryptHashData(hashHandle, const_cast<PUCHAR>(data.data()), static_cast<ULONG>(data.size()), 0);
  if (!BCRYPT_SUCCESS(status)) bcryptFailure("Could not hash the certificate's public key", "BCryptHashData", status);
  std::vector<std::uint8_t> digest(kSha1Bytes);
  status = BCryptFinishHash(hashHandle, digest.data(), static_cast<ULONG>(digest.size()), 0);
  if (!BCRYPT_SUCCESS(status)) bcryptFailure("Could not hash the certificate's public key", "BCryptFinishHash", status);
  return digest;
}

}  // namespace

CertificateFields certificateFields(std::span<const std::uint8_t> der) {
  requireOneDerSequence(der);
  const CertificateContext certificate(
      CertCreateCertificateContext(X509_ASN_ENCODING, der.data(), static_cast<DWORD>(der.size())));
  if (!certificate) notACertificate();
  const CERT_INFO& info = *certificate->pCertInfo;
  CertificateFields fields;
  fields.subject = bytesOf(info.Subject);
  fields.issuer = bytesOf(info.Issuer);
  fields.serialNumber = serialNumberDer(info.SerialNumber);
  // The key bits without the BIT STRING's unused-bits byte, as OpenSSL's X509_pubkey_digest hashes them.
  const CRYPT_BIT_BLOB& key = info.SubjectPublicKeyInfo.PublicKey;
  fields.keyIdentifier = sha1(std::span<const std::uint8_t>(key.pbData, key.cbData));
  return fields;
}

std::vector<std::uint8_t> randomBytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  if (count == 0) return bytes;  // an empty vector's data() may be null, which BCryptGenRandom refuses
  const NTSTATUS status =
      BCryptGenRandom(nullptr, bytes.data(), static_cast<ULONG>(count), BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (!BCRYPT_SUCCESS(status))
    throw CardError(ErrorKind::Pkcs11, "The random number generator failed", "BCryptGenRandom",
                    static_cast<long>(status));
  return bytes;
}

void wipeSecret(void* data, std::size_t size) noexcept {
  SecureZeroMemory(data, size);
}

}  // namespace certbridge::card::detail
