// Which extension ids the native-messaging manifests accept, on every platform.

#include <gtest/gtest.h>

#include "certbridge/host/manifest_installer.hpp"

namespace certbridge::host {
namespace {

TEST(ManifestIds, ValidatesExtensionIds) {
  EXPECT_TRUE(isValidChromiumExtensionId("jchbopihgjendkbmjddpblohdhfkllcn"));
  EXPECT_FALSE(isValidChromiumExtensionId("jchbopihgjendkbmjddpblohdhfkllcz"));
  EXPECT_FALSE(isValidChromiumExtensionId("short"));
  EXPECT_TRUE(isValidFirefoxExtensionId("certbridge@certbridge.example"));
  EXPECT_TRUE(isValidFirefoxExtensionId("{12345678-1234-1234-1234-123456789abc}"));
  EXPECT_FALSE(isValidFirefoxExtensionId("{12345678-1234-1234-1234-123456789abz}"));
  EXPECT_FALSE(isValidFirefoxExtensionId("@example"));
  EXPECT_FALSE(isValidFirefoxExtensionId("a@b@c"));
  EXPECT_FALSE(isValidFirefoxExtensionId("a\"@b"));
}

}  // namespace
}  // namespace certbridge::host
