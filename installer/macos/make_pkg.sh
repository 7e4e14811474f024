#!/bin/bash
# Makes the signed, notarized CertBridge-@VERSION@.pkg on a Mac from the inputs beside this script
# (made on Linux by the certbridge_macos_pkg_inputs target; README.md says what each is).
#
#   ./make_pkg.sh --host PATH --app-identity "Developer ID Application: NAME (TEAMID)" \
#                 --installer-identity "Developer ID Installer: NAME (TEAMID)" \
#                 [--notary-profile PROFILE] [--out DIR]
#
# --host: certbridge-host built on a Mac, universal (arm64 + x86_64), since Distribution.xml offers the
# package to both kinds of Mac. --notary-profile: a keychain profile saved once with
# `xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...`; without it the package is
# signed but not notarized (for a test install only: Gatekeeper refuses it when downloaded).
set -euo pipefail

readonly version="@VERSION@"
readonly pkg_id="@PKG_ID@"
readonly bundle_id="@BUNDLE_ID@"
readonly component_pkg="@COMPONENT_PKG@"
readonly app_bundle="@APP_BUNDLE_PATH@"
readonly host_install_path="@HOST_INSTALL_PATH@"
inputs="$(cd "$(dirname "$0")" && pwd)"
readonly inputs

usage() {
  sed -n '5,7p' "$0" >&2
  exit 2
}

host="" app_identity="" installer_identity="" notary_profile="" out="$PWD"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --host) host="${2:?}"; shift 2 ;;
    --app-identity) app_identity="${2:?}"; shift 2 ;;
    --installer-identity) installer_identity="${2:?}"; shift 2 ;;
    --notary-profile) notary_profile="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    *) usage ;;
  esac
done
[[ -n "$host" && -n "$app_identity" && -n "$installer_identity" ]] || usage
[[ "$(uname -s)" == "Darwin" ]] || { echo "make_pkg.sh runs on macOS (pkgbuild, codesign, notarytool)" >&2; exit 1; }

# The host must be a universal Mach-O executable, never the placeholder.
archs="$(lipo -archs "$host" 2>/dev/null)" || { echo "not a macOS executable: $host" >&2; exit 1; }
for arch in arm64 x86_64; do
  [[ " $archs " == *" $arch "* ]] || { echo "$host lacks $arch (has: $archs); build it universal" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# ditto keeps the modes the payload was made with.
ditto "$inputs/payload" "$work/payload"
install -m 0755 "$host" "$work/payload$host_install_path"

# Sign the bundle with the hardened runtime and a secure timestamp (both required for notarization). The
# hardened runtime would only load libraries signed by our own team or Apple; the host loads the card
# vendor's PKCS#11 module, so the entitlements turn library validation off (and nothing else).
codesign --force --options runtime --timestamp --entitlements "$inputs/certbridge-host.entitlements" \
  --identifier "$bundle_id" --sign "$app_identity" "$work/payload$app_bundle"
codesign --verify --strict --verbose=2 "$work/payload$app_bundle"

pkgbuild --root "$work/payload" --component-plist "$inputs/component.plist" --scripts "$inputs/scripts" \
  --identifier "$pkg_id" --version "$version" --install-location / --ownership recommended \
  "$work/$component_pkg"
productbuild --distribution "$inputs/Distribution.xml" --package-path "$work" "$work/unsigned.pkg"
mkdir -p "$out"
product="$out/CertBridge-$version.pkg"
productsign --sign "$installer_identity" --timestamp "$work/unsigned.pkg" "$product"
pkgutil --check-signature "$product"

if [[ -n "$notary_profile" ]]; then
  xcrun notarytool submit "$product" --keychain-profile "$notary_profile" --wait
  xcrun stapler staple "$product"
  xcrun stapler validate "$product"
  spctl --assess --type install --verbose=2 "$product"
else
  echo "not notarized (no --notary-profile): for a test install only" >&2
fi
echo "$product"
