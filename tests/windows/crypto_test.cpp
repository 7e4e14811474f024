// The host's Windows crypto (host/src/crypto/windows: BCrypt and crypt32), run under wine by
// run_windows_crypto_tests.sh, which checks every output file with OpenSSL. The key is a test double
// (bcrypt_rsa_signer.hpp) that signs like a card. Two phases, each its own process:
//   crypto_test.exe key DIR   a key, a PKCS#10 request, an authenticate signature, the unblock self-test
//   crypto_test.exe sign DIR  the certificates the script issued: parsed fields, issuers, CMS signatures
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "bcrypt_rsa_signer.hpp"
#include "crypto/authentication.hpp"
#include "crypto/certificate.hpp"
#include "crypto/certificate_request.hpp"
#include "crypto/cms_signature.hpp"
#include "crypto/crypto_error.hpp"
#include "crypto/encoding.hpp"
#include "crypto/unblock_authorization.hpp"
#include "test_harness.hpp"

namespace certbridge::test {
namespace {

namespace crypto = host::crypto;
using Bytes = std::vector<std::uint8_t>;

constexpr std::string_view kOrigin = "https://ra.example";
constexpr std::string_view kChallenge = "challenge-0123456789";

Bytes bytesOf(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

Bytes readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeFile(const std::filesystem::path& file, std::span<const std::uint8_t> bytes) {
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void writeText(const std::filesystem::path& file, std::string_view text) {
  writeFile(file, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void checkEncoding(Harness& harness) {
  harness.check(crypto::hexEncode(crypto::sha256(bytesOf("abc"))) ==
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "SHA-256 (BCrypt) gives the FIPS 180-2 answer for \"abc\"");
  const auto first = crypto::randomBytes(32);
  const auto second = crypto::randomBytes(32);
  harness.check(first.size() == 32 && first != second && first != Bytes(32, 0), "BCryptGenRandom gives fresh bytes");
}

void checkRequest(Harness& harness, BcryptRsaSigner& signer, const std::filesystem::path& dir) {
  // The subject the script expects back from `openssl req -subject -nameopt RFC2253,-esc_msb`.
  const std::vector<crypto::SubjectAttribute> subject = {
      {"DC", "example"},
      {"C", "CN"},
      {"O", "CertBridge 测试"},
      {"OU", "R&D, Team+1"},
      {"serialNumber", "ID-42"},
      {"CN", "王小明"},
      {"emailAddress", "wang@example.com"},
  };
  const int before = signer.signatures();
  const std::string pem = crypto::createCertificateRequestPem(&signer, subject, crypto::KeyUsageKind::Signing);
  harness.check(
      pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n") && pem.ends_with("-----END CERTIFICATE REQUEST-----\n"),
      "the request is PEM");
  harness.check(signer.signatures() == before + 1, "the request was signed by the key, once");
  writeText(dir / "request.pem", pem);
  const std::vector<crypto::SubjectAttribute> encryption = {{"CN", "encryption key"}};
  writeText(dir / "request-encryption.pem",
            crypto::createCertificateRequestPem(&signer, encryption, crypto::KeyUsageKind::Encryption));

  const std::vector<crypto::SubjectAttribute> badCountry = {{"C", "China"}};
  harness.checkThrows<std::invalid_argument>(
      [&] { crypto::createCertificateRequestPem(&signer, badCountry, crypto::KeyUsageKind::Signing); },
      [](const std::invalid_argument& error) { return std::string(error.what()).find("C ") != std::string::npos; },
      "a country that is not two letters is refused, naming the attribute");
  harness.checkThrows<std::invalid_argument>(
      [&] { crypto::createCertificateRequestPem(&signer, {}, crypto::KeyUsageKind::Signing); },
      [](const std::invalid_argument&) { return true; }, "an empty subject is refused");
}

void checkAuthentication(Harness& harness, BcryptRsaSigner& signer, const std::filesystem::path& dir) {
  const auto message = crypto::authenticationMessage(kOrigin, bytesOf(kChallenge));
  const auto signature = crypto::signSha256(&signer, message);
  writeFile(dir / "auth-message.bin", message);
  writeFile(dir / "auth.sig", signature);
  const Bytes publicKey = signer.publicKeyInfo();
  writeFile(dir / "publickey.der", publicKey);
  harness.check(signature.size() == signer.modulusBytes(), "the signature is as long as the modulus");
  harness.check(crypto::verifyAuthentication(publicKey, kOrigin, bytesOf(kChallenge), signature),
                "verifyAuthentication (BCrypt) accepts the signature");
  harness.check(!crypto::verifyAuthentication(publicKey, "https://evil.example", bytesOf(kChallenge), signature),
                "... but not for another origin");
  auto tampered = signature;
  tampered[10] ^= 1;
  harness.check(!crypto::verifyAuthentication(publicKey, kOrigin, bytesOf(kChallenge), tampered),
                "... nor a tampered signature");
  harness.check(!crypto::verifyAuthentication(bytesOf("not a key"), kOrigin, bytesOf(kChallenge), signature),
                "... nor bytes that are no public key");
}

// The self-test must pass or refuse clearly; when it passes, a sealed authorization must open to the SO PIN.
void checkUnblock(Harness& harness, const std::filesystem::path& dir) {
  try {
    const auto key = crypto::UnblockKey::generate();
    const crypto::UnblockContext context{"00112233445566778899aabbccddeeff", "TOKEN1", 1};
    const auto authorization = crypto::sealUnblockAuthorization(key.publicKeyDer(), context, "so-pin-1234");
    const auto opened = key.open(authorization, context);
    const bool roundTrip = std::string_view(opened.data(), opened.size()) == "so-pin-1234";
    harness.check(roundTrip, "the unblock self-test passed and a sealed SO PIN opens again");
    writeText(dir / "unblock.txt", roundTrip ? "round trip ok\n" : "WRONG SO PIN\n");
  } catch (const crypto::UnblockSelfTestFailed& error) {
    std::printf("unblock refused: %s\n", error.what());
    writeText(dir / "unblock.txt", std::string("UnblockSelfTestFailed: ") + error.what() + "\n");
    const auto refused = [](const crypto::UnblockSelfTestFailed&) { return true; };
    harness.checkThrows<crypto::UnblockSelfTestFailed>([] { crypto::UnblockKey::generate(); }, refused,
                                                       "the self-test verdict holds for the next unblock key too");
    harness.checkThrows<crypto::UnblockSelfTestFailed>(
        [] { crypto::requireUnblockCrypto(); }, refused,
        "requireUnblockCrypto gives the same verdict, for commands to refuse before touching the card");
    const crypto::UnblockContext context{"00112233445566778899aabbccddeeff", "TOKEN1", 1};
    harness.checkThrows<crypto::UnblockSelfTestFailed>(
        [&] { crypto::sealUnblockAuthorization(crypto::randomBytes(91), context, "so-pin"); }, refused,
        "sealing refuses too, before looking at the host key");
  }
}

std::string fieldsOf(const crypto::ParsedCertificate& certificate) {
  return "subject=" + certificate.subject + "\nissuer=" + certificate.issuer +
         "\nserial=" + certificate.serialNumberHex + "\nnotBefore=" + std::to_string(certificate.notBefore) +
         "\nnotAfter=" + std::to_string(certificate.notAfter) + "\ncommonName=" + certificate.commonName +
         "\nisCa=" + (certificate.isCa ? "1" : "0") + "\nsigning=" + (certificate.usableForSigning ? "1" : "0") +
         "\nencryption=" + (certificate.usableForEncryption ? "1" : "0") + "\n";
}

crypto::ParsedCertificate parseFile(Harness& harness, const std::filesystem::path& file) {
  const Bytes der = readFile(file);
  auto parsed = crypto::parseCertificateDer(der);
  if (!harness.check(parsed.has_value(), "crypt32 parses " + file.filename().string())) {
    throw std::runtime_error("cannot go on without " + file.filename().string());
  }
  harness.check(parsed->id == crypto::hexEncode(crypto::sha256(der)), "... and names it by its SHA-256");
  const auto fromPem = crypto::parseCertificateText(crypto::certificatePem(*parsed));
  harness.check(fromPem && fromPem->der == der, "... and reads back its own PEM");
  return std::move(*parsed);
}

void checkCertificates(Harness& harness, const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".der" || !entry.path().filename().string().starts_with("cert-")) continue;
    const auto parsed = parseFile(harness, entry.path());
    const auto stem = entry.path().stem().string();
    writeText(dir / (stem + ".fields"), fieldsOf(parsed));
    writeText(dir / (stem + ".pem"), crypto::certificatePem(parsed));
  }
  Bytes trailing = readFile(dir / "cert-ca.der");
  trailing.push_back(0);
  harness.check(!crypto::parseCertificateDer(trailing), "a certificate with a trailing byte is refused");
  harness.check(!crypto::parseCertificateText("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
                "PEM that holds no certificate is refused");
}

void checkSignatures(Harness& harness, const std::filesystem::path& dir) {
  BcryptRsaSigner signer = BcryptRsaSigner::load(dir / "key.blob");
  const auto signerCertificate = parseFile(harness, dir / "cert-signer.der");
  const auto ca = parseFile(harness, dir / "cert-ca.der");
  const auto other = parseFile(harness, dir / "cert-names.der");
  harness.check(crypto::publicKeyDer(signerCertificate) == signer.publicKeyInfo(),
                "publicKeyDer is the key the request carried");
  harness.check(crypto::isIssuedBy(signerCertificate, ca), "isIssuedBy: the CA issued the signer certificate");
  harness.check(!crypto::isIssuedBy(ca, signerCertificate), "... not the other way round");
  harness.check(!crypto::isIssuedBy(signerCertificate, other), "... and no other certificate did");

  // Binary data: CR LF, NUL and bytes past ASCII must be signed as they are.
  const Bytes data = bytesOf(std::string("renewal\r\nrequest\0\xff\xfe data", 25));
  writeFile(dir / "data.bin", data);
  const crypto::ParsedCertificate* const chain[] = {&ca, &signerCertificate, nullptr, &ca};
  writeFile(dir / "cms-attached.der", crypto::cmsSign(&signer, signerCertificate, chain, data, false));
  writeFile(dir / "cms-detached.der", crypto::cmsSign(&signer, signerCertificate, chain, data, true));
  harness.checkThrows<crypto::CryptoError>([&] { crypto::cmsSign(&signer, other, {}, data, false); },
                                           [](const auto&) { return true; },
                                           "cmsSign refuses a certificate that is not the key's");
}

int run(const std::string& phase, const std::filesystem::path& dir) {
  Harness harness;
  if (phase == "key") {
    checkEncoding(harness);
    BcryptRsaSigner signer = BcryptRsaSigner::generate(2048);
    signer.saveTo(dir / "key.blob");
    checkRequest(harness, signer, dir);
    checkAuthentication(harness, signer, dir);
    checkUnblock(harness, dir);
  } else if (phase == "sign") {
    checkCertificates(harness, dir);
    checkSignatures(harness, dir);
  } else {
    std::fprintf(stderr, "usage: crypto_test key|sign DIR\n");
    return 2;
  }
  return harness.finish();
}

}  // namespace
}  // namespace certbridge::test

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crypto_test key|sign DIR\n");
    return 2;
  }
  try {
    return certbridge::test::run(argv[1], argv[2]);
  } catch (const std::exception& error) {
    std::printf("FAILED: %s\n", error.what());
    std::printf("0 passed, 1 failed\n");
    return 1;
  }
}
