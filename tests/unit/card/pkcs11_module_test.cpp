// PKCS#11 module loading failures that need no token: a missing file and a library that is no PKCS#11 module.
// Built for Linux (dlopen) and Windows (LoadLibraryW) alike.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"

namespace certbridge::card {
namespace {

CardError loadError(const std::string& path) {
  try {
    Pkcs11Module::load(path);
  } catch (const CardError& error) {
    return error;
  }
  ADD_FAILURE() << "loading " << path << " succeeded";
  return CardError(ErrorKind::Pcsc, "no error");
}

TEST(Pkcs11ModuleLoad, MissingFileIsModuleUnavailableNamingThePath) {
  const std::string path = "/nonexistent/certbridge/libno-such-module.so";
  const CardError error = loadError(path);
  EXPECT_EQ(error.kind(), ErrorKind::ModuleUnavailable);
  EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("not installed"), std::string::npos) << error.what();
}

TEST(Pkcs11ModuleLoad, LibraryThatIsNotAModuleIsModuleUnavailableNamingThePath) {
  // A full path, as card profiles give (on Windows the build names the DLL beside this program, in the current
  // folder).
  const std::u8string absolute = std::filesystem::absolute(CERTBRIDGE_NOT_A_MODULE).u8string();
  const std::string path(absolute.begin(), absolute.end());
  const CardError error = loadError(path);
  EXPECT_EQ(error.kind(), ErrorKind::ModuleUnavailable);
  EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("could not be loaded"), std::string::npos) << error.what();
}

TEST(Pkcs11ModuleLoad, EmptyPathIsAProgrammingError) {
  EXPECT_EQ(loadError("").kind(), ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace certbridge::card
