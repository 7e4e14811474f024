// The card library's Windows platform part, run under wine: certificate fields through crypt32 (compared with
// what OpenSSL computed on the Linux side, files written by card_platform_tests.sh), BCrypt random bytes,
// SecureZeroMemory wiping, and the errors of loading a PKCS#11 DLL with LoadLibraryW + C_GetFunctionList.
//   card_platform_test.exe DIR   (DIR holds the certificates, the expected fields and the helper DLLs)

#include <windows.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "certbridge/card/secret_string.hpp"
#include "dynamic_library.hpp"
#include "platform_crypto.hpp"
#include "test_harness.hpp"

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
  t.check(refusing.kind() == ErrorKind::ModuleUnavailable && contains(refusing.what(), "failed to initialize") &&
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
  t.check(wide.kind() == ErrorKind::ModuleUnavailable && wide.function() == "C_Initialize",
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
  return t.finish();
}
