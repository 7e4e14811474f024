#!/bin/bash
# Makes the signed, notarized CertBridge-@VERSION@.pkg on a Mac from the inputs beside this script
# (made on Linux by the certbridge_macos_pkg_inputs target; README.md says what each is).
#
#   ./make_pkg.sh --host PATH --app-identity "Developer ID Application: NAME (TEAMID)" \
#                 --installer-identity "Developer ID Installer: NAME (TEAMID)" \
#                 [--cli PATH] [--notary-profile PROFILE] [--out DIR]
#
# --host: certbridge-host built on a Mac, universal (arm64 + x86_64), since Distribution.xml offers the
# package to both kinds of Mac. --cli: certbridge, the help-desk command, built on a Mac the same way; it
# is installed beside the host and put on PATH (@PATHS_D_FILE@). Without it the package holds the host
# only. --notary-profile: a keychain profile saved once with
# `xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...`; without it the package is
# signed but not notarized (for a test install only: Gatekeeper refuses it when downloaded).
set -euo pipefail

readonly version="@VERSION@"
readonly pkg_id="@PKG_ID@"
readonly bundle_id="@BUNDLE_ID@"
readonly component_pkg="@COMPONENT_PKG@"
readonly app_bundle="@APP_BUNDLE_PATH@"
readonly host_install_path="@HOST_INSTALL_PATH@"
readonly cli_install_path="@CLI_INSTALL_PATH@"
readonly cli_id="@CLI_ID@"
readonly paths_d_file="@PATHS_D_FILE@"
inputs="$(cd "$(dirname "$0")" && pwd)"
readonly inputs

usage() {
  sed -n '5,7p' "$0" >&2
  exit 2
}

host="" cli="" app_identity="" installer_identity="" notary_profile="" out="$PWD"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --host) host="${2:?}"; shift 2 ;;
    --cli) cli="${2:?}"; shift 2 ;;
    --app-identity) app_identity="${2:?}"; shift 2 ;;
    --installer-identity) installer_identity="${2:?}"; shift 2 ;;
    --notary-profile) notary_profile="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    *) usage ;;
  esac
done
[[ -n "$host" && -n "$app_identity" && -n "$installer_identity" ]] || usage
[[ "$(uname -s)" == "Darwin" ]] || { echo "make_pkg.sh runs on macOS (pkgbuild, codesign, notarytool)" >&2; exit 1; }

# The programs must be universal Mach-O executables, never the placeholder.
require_universal() {
  local archs arch
  archs="$(lipo -archs "$1" 2>/dev/null)" || { echo "not a macOS executable: $1" >&2; exit 1; }
  for arch in arm64 x86_64; do
    [[ " $archs " == *" $arch "* ]] || { echo "$1 lacks $arch (has: $archs); build it universal" >&2; exit 1; }
  done
}
require_universal "$host"
if [[ -n "$cli" ]]; then
  require_universal "$cli"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# ditto keeps the modes the payload was made with.
ditto "$inputs/payload" "$work/payload"
install -m 0755 "$host" "$work/payload$host_install_path"
entitlements="$inputs/certbridge-host.entitlements"
if [[ -n "$cli" ]]; then
  install -m 0755 "$cli" "$work/payload$cli_install_path"
  # On PATH through path_helper, which builds PATH from /etc/paths and /etc/paths.d/* for every login shell
  # (Terminal's default), rather than a symbolic link in /usr/local/bin: the file is part of the payload
  # (listed by `pkgutil --files`, no code runs to make it), and /usr/local/bin is missing on Apple silicon
  # Macs without Homebrew and belongs to a user on Intel Macs with it (a link there is theirs to replace).
  # /etc is a symbolic link to /private/etc: a payload names the real directory.
  for dir in /private /private/etc /private/etc/paths.d; do
    mkdir -p "$work/payload$dir"
    chmod 0755 "$work/payload$dir"
  done
  dirname "$cli_install_path" >"$work/payload$paths_d_file"
  chmod 0644 "$work/payload$paths_d_file"
  # Nested code is signed before the bundle that holds it. certbridge uses the card vendor's PKCS#11 module
  # like the host, hence the same entitlements.
  codesign --force --options runtime --timestamp --entitlements "$entitlements" \
    --identifier "$cli_id" --sign "$app_identity" "$work/payload$cli_install_path"
else
  echo "no --cli: the package does not install the certbridge command" >&2
fi

# Sign the bundle with the hardened runtime and a secure timestamp (both required for notarization). The
# hardened runtime would only load libraries signed by our own team or Apple; the host loads the card
# vendor's PKCS#11 module, so the entitlements turn library validation off (and nothing else).
codesign --force --options runtime --timestamp --entitlements "$entitlements" \
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
