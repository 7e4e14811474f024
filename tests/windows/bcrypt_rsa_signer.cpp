#include "bcrypt_rsa_signer.hpp"

#include <wincrypt.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

namespace certbridge::test {
namespace {

void check(NTSTATUS status, const char* what) {
  if (!BCRYPT_SUCCESS(status)) {
    throw std::runtime_error(std::string(what) + " failed: NTSTATUS " + std::to_string(static_cast<long>(status)));
  }
}

BCRYPT_ALG_HANDLE rsaAlgorithm() {
  static BCRYPT_ALG_HANDLE algorithm = [] {
    BCRYPT_ALG_HANDLE opened = nullptr;
    check(BCryptOpenAlgorithmProvider(&opened, BCRYPT_RSA_ALGORITHM, nullptr, 0), "opening RSA");
    return opened;
  }();
  return algorithm;
}

// SHA-256 DigestInfo prefix (RFC 8017 section 9.2 note 1).
constexpr std::uint8_t kSha256DigestInfoPrefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

}  // namespace

BcryptRsaSigner BcryptRsaSigner::generate(unsigned bits) {
  BCRYPT_KEY_HANDLE key = nullptr;
  check(BCryptGenerateKeyPair(rsaAlgorithm(), &key, bits, 0), "generating an RSA key");
  check(BCryptFinalizeKeyPair(key, 0), "finishing the RSA key");
  return BcryptRsaSigner(key);
}

BcryptRsaSigner BcryptRsaSigner::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::uint8_t> blob((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (blob.empty()) throw std::runtime_error("no saved test key in " + file.string());
  BCRYPT_KEY_HANDLE key = nullptr;
  check(BCryptImportKeyPair(rsaAlgorithm(), nullptr, BCRYPT_RSAFULLPRIVATE_BLOB, &key, blob.data(),
                            static_cast<ULONG>(blob.size()), 0),
        "importing the saved test key");
  return BcryptRsaSigner(key);
}

BcryptRsaSigner::~BcryptRsaSigner() {
  if (key_ != nullptr) BCryptDestroyKey(key_);
}

BcryptRsaSigner::BcryptRsaSigner(BcryptRsaSigner&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)), signatures_(other.signatures_) {}

std::vector<std::uint8_t> BcryptRsaSigner::exportBlob(LPCWSTR type) const {
  ULONG size = 0;
  check(BCryptExportKey(key_, nullptr, type, nullptr, 0, &size, 0), "sizing the key blob");
  std::vector<std::uint8_t> blob(size);
  check(BCryptExportKey(key_, nullptr, type, blob.data(), size, &size, 0), "exporting the key blob");
  blob.resize(size);
  return blob;
}

void BcryptRsaSigner::saveTo(const std::filesystem::path& file) const {
  const auto blob = exportBlob(BCRYPT_RSAFULLPRIVATE_BLOB);
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
}

std::vector<std::uint8_t> BcryptRsaSigner::publicKeyInfo() const {
  // BCRYPT_RSAKEY_BLOB: header, public exponent, modulus (both big-endian). crypt32 encodes the RSAPublicKey
  // from CryptoAPI's little-endian PUBLICKEYBLOB, then the SubjectPublicKeyInfo around it.
  const auto blob = exportBlob(BCRYPT_RSAPUBLIC_BLOB);
  BCRYPT_RSAKEY_BLOB header{};
  std::copy_n(blob.data(), sizeof header, reinterpret_cast<std::uint8_t*>(&header));
  const std::uint8_t* exponent = blob.data() + sizeof header;
  const std::uint8_t* modulus = exponent + header.cbPublicExp;
  std::vector<std::uint8_t> legacy(sizeof(PUBLICKEYSTRUC) + sizeof(RSAPUBKEY) + header.cbModulus);
  auto* publicKey = reinterpret_cast<PUBLICKEYSTRUC*>(legacy.data());
  publicKey->bType = PUBLICKEYBLOB;
  publicKey->bVersion = CUR_BLOB_VERSION;
  publicKey->aiKeyAlg = CALG_RSA_KEYX;
  auto* rsa = reinterpret_cast<RSAPUBKEY*>(legacy.data() + sizeof(PUBLICKEYSTRUC));
  rsa->magic = 0x31415352;  // "RSA1"
  rsa->bitlen = header.BitLength;
  rsa->pubexp = 0;
  for (ULONG i = 0; i < header.cbPublicExp; ++i) rsa->pubexp = (rsa->pubexp << 8) | exponent[i];
  std::reverse_copy(modulus, modulus + header.cbModulus, legacy.data() + sizeof(PUBLICKEYSTRUC) + sizeof(RSAPUBKEY));

  const auto encode = [](LPCSTR type, const void* structure) {
    DWORD size = 0;
    if (!CryptEncodeObjectEx(X509_ASN_ENCODING, type, structure, 0, nullptr, nullptr, &size)) {
      throw std::runtime_error("encoding the test public key");
    }
    std::vector<std::uint8_t> der(size);
    CryptEncodeObjectEx(X509_ASN_ENCODING, type, structure, 0, nullptr, der.data(), &size);
    der.resize(size);
    return der;
  };
  std::vector<std::uint8_t> rsaPublicKey = encode(RSA_CSP_PUBLICKEYBLOB, legacy.data());
  static BYTE nullParameters[] = {0x05, 0x00};
  CERT_PUBLIC_KEY_INFO info{};
  info.Algorithm.pszObjId = const_cast<LPSTR>(szOID_RSA_RSA);
  info.Algorithm.Parameters = {sizeof nullParameters, nullParameters};
  info.PublicKey = {static_cast<DWORD>(rsaPublicKey.size()), rsaPublicKey.data(), 0};
  return encode(X509_PUBLIC_KEY_INFO, &info);
}

std::size_t BcryptRsaSigner::modulusBytes() const {
  // From the public blob: wine's BCryptGetProperty does not answer BCRYPT_KEY_LENGTH for key handles.
  const auto blob = exportBlob(BCRYPT_RSAPUBLIC_BLOB);
  BCRYPT_RSAKEY_BLOB header{};
  std::copy_n(blob.data(), sizeof header, reinterpret_cast<std::uint8_t*>(&header));
  return header.cbModulus;
}

std::vector<std::uint8_t> BcryptRsaSigner::signDigestInfo(std::span<const std::uint8_t> digestInfo) {
  // A card signs the DigestInfo as it is. BCrypt takes the hash and its algorithm instead, so this double
  // accepts SHA-256 DigestInfos only, which is all the host makes.
  const bool isSha256 =
      digestInfo.size() == sizeof kSha256DigestInfoPrefix + 32 &&
      std::equal(std::begin(kSha256DigestInfoPrefix), std::end(kSha256DigestInfoPrefix), digestInfo.begin());
  if (!isSha256) throw std::invalid_argument("the test signer signs SHA-256 DigestInfos only");
  const auto hash = digestInfo.subspan(sizeof kSha256DigestInfoPrefix);
  BCRYPT_PKCS1_PADDING_INFO padding{BCRYPT_SHA256_ALGORITHM};
  ULONG size = 0;
  check(BCryptSignHash(key_, &padding, const_cast<PUCHAR>(hash.data()), static_cast<ULONG>(hash.size()), nullptr, 0,
                       &size, BCRYPT_PAD_PKCS1),
        "sizing the signature");
  std::vector<std::uint8_t> signature(size);
  check(BCryptSignHash(key_, &padding, const_cast<PUCHAR>(hash.data()), static_cast<ULONG>(hash.size()),
                       signature.data(), size, &size, BCRYPT_PAD_PKCS1),
        "signing");
  signature.resize(size);
  ++signatures_;
  return signature;
}

}  // namespace certbridge::test
