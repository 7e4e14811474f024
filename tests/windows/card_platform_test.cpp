// The card library's Windows platform part, run under wine: certificate fields through crypt32 (compared with
// what OpenSSL computed on the Linux side, files written by card_platform_tests.sh), BCrypt random bytes,
// SecureZeroMemory wiping, the errors of loading a PKCS#11 DLL with LoadLibraryW + C_GetFunctionList, and the
// card key as an RsaSigner over a function list in this process (what it hands C_Sign, and its failures).
//   card_platform_test.exe DIR   (DIR holds the certificates, the expected fields and the helper DLLs)

#include <windows.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/secret_string.hpp"
#include "dynamic_library.hpp"
#include "platform_crypto.hpp"
#include "public_key_der.hpp"
#include "test_harness.hpp"
#include "token_keys.hpp"
#include "token_session_impl.hpp"

namespace {

using certbridge::card::CardError;
using certbridge::card::ErrorKind;
using Bytes = std::vector<std::uint8_t>;

Bytes readBytes(const std::string& path) {
  std::ifstream in(certbridge::card::detail::pathFromUtf8(path), std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string hex(const Bytes& bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string text;
  for (const auto byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0x0F];
  }
  return text;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Each certificate's fields as OpenSSL read them: NAME.subject.der, NAME.issuer.der, NAME.serial.der, NAME.keyid.
void checkCertificateFields(certbridge::test::Harness& t, const std::string& dir) {
  for (const std::string name : {"ca", "leaf", "ec-leaf"}) {
    const auto base = dir + "\\" + name;
    const Bytes der = readBytes(base + ".der");
    if (!t.check(!der.empty(), name + ": the test certificate is there")) continue;
    try {
      const auto fields = certbridge::card::detail::certificateFields(der);
      t.check(fields.subject == readBytes(base + ".subject.der"), name + ": subject DER is OpenSSL's");
      t.check(fields.issuer == readBytes(base + ".issuer.der"), name + ": issuer DER is OpenSSL's");
      t.check(fields.serialNumber == readBytes(base + ".serial.der"),
              name + ": serial number DER is OpenSSL's (" + hex(fields.serialNumber) + ")");
      t.check(fields.keyIdentifier == readBytes(base + ".keyid"),
              name + ": key identifier is the SHA-1 of the key bits (" + hex(fields.keyIdentifier) + ")");
    } catch (const std::exception& error) {
      t.check(false, name + ": certificateFields threw: " + error.what());
    }
  }
  Bytes trailing = readBytes(dir + "\\leaf.der");
  trailing.push_back(0x00);
  t.checkThrows<CardError>([&] { certbridge::card::detail::certificateFields(trailing); },
                           [](const CardError& e) { return e.kind() == ErrorKind::InvalidArgument; },
                           "a certificate with a byte after it is refused as InvalidArgument");
  const Bytes key = readBytes(dir + "\\leaf.keyid");
  t.checkThrows<CardError>([&] { certbridge::card::detail::certificateFields(key); },
                           [](const CardError& e) { return e.kind() == ErrorKind::InvalidArgument; },
                           "bytes that are no certificate are refused as InvalidArgument");
  t.checkThrows<CardError>([&] { certbridge::card::detail::certificateFields({}); },
                           [](const CardError& e) { return e.kind() == ErrorKind::InvalidArgument; },
                           "no bytes at all are refused as InvalidArgument");
}

void checkRandomBytes(certbridge::test::Harness& t) {
  const auto first = certbridge::card::detail::randomBytes(32);
  const auto second = certbridge::card::detail::randomBytes(32);
  t.check(first.size() == 32 && second.size() == 32, "random bytes come in the length asked for");
  t.check(first != second, "two random draws differ");
  t.check(std::any_of(first.begin(), first.end(), [](std::uint8_t b) { return b != 0; }),
          "random bytes are not all zero");
  // A CKA_ID of 20 bytes, as key generation draws: 1000 draws, all different.
  std::vector<Bytes> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(certbridge::card::detail::randomBytes(20));
  std::sort(ids.begin(), ids.end());
  t.check(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "1000 random key ids are all different");
  t.check(certbridge::card::detail::randomBytes(0).empty(), "zero random bytes is an empty answer");
}

void checkSecretWiping(certbridge::test::Harness& t) {
  certbridge::card::SecretString pin("12345678");
  const char* bytes = pin.data();
  pin.clear();
  // The buffer stays allocated until destruction: its bytes can be looked at after clear().
  t.check(std::all_of(bytes, bytes + 9, [](char c) { return c == '\0'; }),
          "SecretString::clear zeroes the PIN's bytes");
  std::string source = "87654321";
  const auto taken = certbridge::card::SecretString::takeFrom(std::span<char>(source.data(), source.size()));
  t.check(std::string(taken.data()) == "87654321", "takeFrom keeps the secret");
  t.check(std::all_of(source.begin(), source.end(), [](char c) { return c == '\0'; }), "takeFrom wipes the source");
}

CardError loadError(const std::string& path) {
  try {
    certbridge::card::Pkcs11Module::load(path);
  } catch (const CardError& error) {
    return error;
  }
  return CardError(ErrorKind::Pcsc, "loading " + path + " succeeded");
}

void checkModuleLoading(certbridge::test::Harness& t, const std::string& dir) {
  namespace fs = std::filesystem;
  const auto missing = loadError(dir + "\\no-such-pkcs11.dll");
  t.check(missing.kind() == ErrorKind::ModuleUnavailable && contains(missing.what(), "not installed") &&
              contains(missing.what(), "no-such-pkcs11.dll"),
          std::string("a missing DLL is ModuleUnavailable, \"not installed\", naming it: ") + missing.what());

  const auto notModule = loadError(dir + "\\not_a_module.dll");
  t.check(notModule.kind() == ErrorKind::ModuleUnavailable && contains(notModule.what(), "could not be loaded") &&
              contains(notModule.what(), "C_GetFunctionList"),
          std::string("a DLL without C_GetFunctionList is ModuleUnavailable, \"could not be loaded\": ") +
              notModule.what());

  const auto notADll = loadError(dir + "\\leaf.der");
  t.check(notADll.kind() == ErrorKind::ModuleUnavailable && contains(notADll.what(), "could not be loaded") &&
              notADll.function() == "LoadLibraryW",
          std::string("a file that is no DLL is ModuleUnavailable from LoadLibraryW: ") + notADll.what());

  const auto refusing = loadError(dir + "\\refusing_module.dll");
  t.check(refusing.kind() == ErrorKind::ModuleFailed && contains(refusing.what(), "failed to initialize") &&
              refusing.function() == "C_Initialize" && refusing.nativeName() == "CKR_GENERAL_ERROR",
          std::string("a module whose C_Initialize refuses is ModuleUnavailable naming C_Initialize and the CKR: ") +
              refusing.what() + " / " + refusing.nativeName());

  // A folder with non-ASCII letters (UTF-8 in the card profile): the file is found and LoadLibraryW opens it,
  // so the error is the module's own, not "not installed".
  const std::string folder = dir +
                             "\\M\xC3\xBC"
                             "nchen \xE7\x8E\x8B";  // "München 王"
  std::error_code error;
  fs::create_directories(certbridge::card::detail::pathFromUtf8(folder), error);
  fs::copy_file(certbridge::card::detail::pathFromUtf8(dir + "\\refusing_module.dll"),
                certbridge::card::detail::pathFromUtf8(folder + "\\refusing_module.dll"),
                fs::copy_options::overwrite_existing, error);
  const auto wide = loadError(folder + "\\refusing_module.dll");
  t.check(wide.kind() == ErrorKind::ModuleFailed && wide.function() == "C_Initialize",
          std::string("a module in a non-ASCII folder is loaded from its UTF-8 path: ") + wide.what());

  certbridge::card::CardLocator locator{
      certbridge::card::CardProfileTable(std::vector<certbridge::card::CardProfile>{})};
  const auto viaLocator = [&] {
    try {
      locator.module(dir + "\\no-such-pkcs11.dll");
    } catch (const CardError& e) {
      return e;
    }
    return CardError(ErrorKind::Pcsc, "loaded");
  }();
  t.check(viaLocator.kind() == ErrorKind::ModuleUnavailable && contains(viaLocator.what(), "not installed"),
          "the card locator reports a missing DLL as not installed too");
}

// A function list in this process that records what C_SignInit and C_Sign get, and answers as the test says.
namespace fake_token {
namespace ck = certbridge::card::detail::ck;
ck::SessionHandle session = 0;
ck::ObjectHandle key = 0;
ck::Ulong mechanism = ~ck::Ulong{0};
Bytes signedData;
ck::Rv signResult = ck::kCkrOk;

ck::Rv signInit(ck::SessionHandle s, ck::Mechanism* m, ck::ObjectHandle k) {
  session = s;
  key = k;
  mechanism = m->mechanism;
  return ck::kCkrOk;
}

ck::Rv sign(ck::SessionHandle, const ck::Byte* data, ck::Ulong length, ck::Byte* signature, ck::Ulong* size) {
  signedData.assign(data, data + length);
  if (signResult != ck::kCkrOk) return signResult;
  for (ck::Ulong i = 0; i < *size; ++i) signature[i] = static_cast<ck::Byte>(0xA5 ^ i);
  return ck::kCkrOk;
}
}  // namespace fake_token

void checkTokenSigner(certbridge::test::Harness& t) {
  namespace ck = certbridge::card::detail::ck;
  ck::FunctionList functions{};
  functions.C_SignInit = fake_token::signInit;
  functions.C_Sign = fake_token::sign;
  auto session = std::make_unique<certbridge::card::TokenSession::Impl>();
  session->functions = &functions;
  session->handle = 7;
  // A 2048-bit modulus (top bit set) and exponent 65537.
  Bytes modulus(256, 0x5C);
  modulus[0] = 0xC1;
  const auto numbers = certbridge::card::detail::rsaNumbers(modulus, Bytes{0x01, 0x00, 0x01});
  const auto key = certbridge::card::detail::tokenRsaKey(*session, 42, *numbers);

  t.check(key->modulusBytes() == 256, "the signer's signatures are as long as its modulus");
  t.check(key->publicKeyInfo() == certbridge::card::detail::rsaPublicKey(modulus, Bytes{0x01, 0x00, 0x01}),
          "the signer's public key is the SubjectPublicKeyInfo of the token's modulus and exponent");

  // SHA-256 DigestInfo prefix (RFC 8017 9.2 note 1) and a digest.
  Bytes digestInfo{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                   0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  for (int i = 0; i < 32; ++i) digestInfo.push_back(static_cast<std::uint8_t>(i));
  const auto signature = key->signDigestInfo(digestInfo);
  t.check(fake_token::mechanism == ck::kCkmRsaPkcs && fake_token::session == 7 && fake_token::key == 42,
          "signing is CKM_RSA_PKCS with the key object in the session that found it");
  t.check(fake_token::signedData == digestInfo, "the token is given the DigestInfo as it is (the token pads it)");
  t.check(signature.size() == 256 && signature[1] == (0xA5 ^ 1), "the token's signature comes back whole");
  t.check(!certbridge::card::takeSigningFailure(key), "no signing failure after a signature that worked");

  fake_token::signResult = 0x0B3;  // CKR_SESSION_HANDLE_INVALID: the card was pulled
  t.checkThrows<CardError>(
      [&] { key->signDigestInfo(digestInfo); },
      [](const CardError& e) { return e.kind() == ErrorKind::CardRemoved && e.function() == "C_Sign"; },
      "a token that drops the session makes signing throw CardRemoved naming C_Sign");
  const auto failure = certbridge::card::takeSigningFailure(key);
  t.check(failure && failure->kind() == ErrorKind::CardRemoved && failure->nativeName() == "CKR_SESSION_HANDLE_INVALID",
          "takeSigningFailure gives the token's failure");
  t.check(!certbridge::card::takeSigningFailure(key), "... once");
  fake_token::signResult = ck::kCkrOk;

  fake_token::signedData.clear();
  t.checkThrows<CardError>([&] { key->signDigestInfo(Bytes(246, 0x30)); },
                           [](const CardError& e) { return e.kind() == ErrorKind::InvalidArgument; },
                           "a DigestInfo too long for PKCS#1 v1.5 padding is refused");
  t.check(fake_token::signedData.empty(), "... before it reaches the token");

  session->open.reset();  // what closing the TokenSession does
  t.checkThrows<CardError>([&] { key->signDigestInfo(digestInfo); },
                           [](const CardError& e) { return e.kind() == ErrorKind::InvalidArgument; },
                           "a key whose session is closed refuses to sign");
  t.check(fake_token::signedData.empty(), "... without calling the token");
  const auto closed = certbridge::card::takeSigningFailure(key);
  t.check(closed && closed->kind() == ErrorKind::InvalidArgument, "takeSigningFailure says the session was closed");
}

}  // namespace

int main(int argc, char** argv) {
  certbridge::test::Harness t;
  if (argc != 2) {
    std::printf("usage: card_platform_test.exe DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  checkCertificateFields(t, dir);
  checkRandomBytes(t);
  checkSecretWiping(t);
  checkModuleLoading(t, dir);
  checkTokenSigner(t);
  return t.finish();
}
