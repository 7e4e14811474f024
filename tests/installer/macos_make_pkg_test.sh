#!/bin/bash
# The macOS pkg inputs made with a macOS host given (CERTBRIDGE_MACOS_HOST), and make_pkg.sh driven
# through its whole sequence with the Mac's tools replaced by recorders (no Mac here): the host it is given
# is what gets signed and packaged, every signing and notarization step runs in order with the
# arguments the README promises, and a host that is not universal, or missing arguments, stop it before
# anything is packaged. With --cli, certbridge is signed and packaged beside the host and put on PATH
# (/private/etc/paths.d/certbridge); the package's postinstall and uninstall.sh, run on a copy of what was
# packaged, secure it and remove it again.
#
#   macos_make_pkg_test.sh SOURCE_DIR LINUX_HOST VERSION HOST_INSTALL_PATH
set -euo pipefail

source_dir="$1" linux_host="$2" version="$3" host_install_path="$4"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

make_inputs() {  # make_inputs OUTPUT_DIR MACOS_HOST [PROFILE_ORIGINS]
  cmake "-DSOURCE_DIR=$source_dir/installer/macos" "-DOUTPUT_DIR=$1" "-DLINUX_HOST=$linux_host" "-DMACOS_HOST=$2" \
    "-DHOST_INSTALL_PATH=$host_install_path" "-DPROTOCOL_JSON=$source_dir/extension/shared/protocol.json" \
    "-DVERSION=$version" -DMIN_MACOS=11.0 "-DPROFILE_ORIGINS=${3:-https://ra.example.com|https://ra-test.example.com:8443}" \
    -P "$source_dir/installer/macos/build_pkg_inputs.cmake"
}

# A file with the Mach-O 64-bit magic stands in for a host built on a Mac.
printf '\xcf\xfa\xed\xfe\x07\x00\x00\x01certbridge-host built on a Mac' >"$work/certbridge-host"
printf '\xcf\xfa\xed\xfe\x07\x00\x00\x01certbridge built on a Mac' >"$work/certbridge"
inputs="$work/macos-pkg"
make_inputs "$inputs" "$work/certbridge-host" >/dev/null
python3 "$here/macos_pkg_inputs_test.py" "$inputs" "$source_dir" "$version" "$host_install_path" "$work/certbridge-host" ||
  fail "the inputs made with a macOS host"
if make_inputs "$work/elf" /bin/sh >"$work/elf.log" 2>&1; then
  fail "an ELF file was accepted as the macOS host"
elif ! grep -q "not a macOS executable" "$work/elf.log"; then
  fail "no clear error for an ELF host: $(cat "$work/elf.log")"
fi

# The configuration profile takes https origins only, without a path.
for origin in "http://ra.example.com" "https://ra.example.com/portal" "https://*.example.com"; do
  if make_inputs "$work/bad-origin" "" "https://ok.example.com|$origin" >"$work/origin.log" 2>&1; then
    fail "the profile accepted the origin $origin"
  elif ! grep -q "not an https origin" "$work/origin.log"; then
    fail "no clear error for the origin $origin: $(cat "$work/origin.log")"
  fi
done

# Recorders for the Mac's tools: each writes its name and arguments (separated by |) to calls.log.
mkdir "$work/bin"
for tool in codesign pkgbuild productbuild productsign pkgutil xcrun spctl; do
  cat >"$work/bin/$tool" <<EOF
#!/bin/bash
(IFS='|'; echo "$tool|\$*") >>"$work/calls.log"
case "$tool" in
  pkgbuild) rm -rf "$work/packaged-root"; cp -a "\$2" "$work/packaged-root"; touch "\${@: -1}" ;;
  productbuild) touch "\${@: -1}" ;;
  productsign) cp "\${@: -2:1}" "\${@: -1}" ;;
esac
EOF
done
# shellcheck disable=SC2016 # the stubs expand their own arguments
{
  printf '#!/bin/sh\necho Darwin\n' >"$work/bin/uname"
  # lipo -archs FILE: certbridge may have its own architectures (FAKE_CLI_ARCHS).
  printf '#!/bin/sh\ncase "$2" in */certbridge) echo "${FAKE_CLI_ARCHS:-$FAKE_ARCHS}" ;; *) echo "$FAKE_ARCHS" ;; esac\n' \
    >"$work/bin/lipo"
  printf '#!/bin/sh\ncp -a "$1" "$2"\n' >"$work/bin/ditto"
}
chmod 0755 "$work"/bin/*

run_make_pkg() {
  rm -f "$work/calls.log"
  PATH="$work/bin:$PATH" "$inputs/make_pkg.sh" "$@" >"$work/out.log" 2>"$work/err.log"
}
app_identity="Developer ID Application: Example (TEAM123456)"
installer_identity="Developer ID Installer: Example (TEAM123456)"

export FAKE_ARCHS="x86_64 arm64"
if run_make_pkg --host "$work/certbridge-host" --app-identity "$app_identity" \
  --installer-identity "$installer_identity" --notary-profile certbridge-notary --out "$work/dist"; then
  product="$work/dist/CertBridge-$version.pkg"
  [[ -f "$product" && "$(tail -n 1 "$work/out.log")" == "$product" ]] || fail "make_pkg.sh did not name the product"
  bundle="${host_install_path%/Contents/MacOS/*}"
  expected=(
    "codesign|--force|--options|runtime|--timestamp|--entitlements|$inputs/certbridge-host.entitlements|--identifier|com.certbridge.host|--sign|$app_identity|*$bundle"
    "codesign|--verify|--strict|--verbose=2|*$bundle"
    "pkgbuild|--root|*|--component-plist|$inputs/component.plist|--scripts|$inputs/scripts|--identifier|com.certbridge.host|--version|$version|--install-location|/|--ownership|recommended|*/certbridge-host-component.pkg"
    "productbuild|--distribution|$inputs/Distribution.xml|--package-path|*|*/unsigned.pkg"
    "productsign|--sign|$installer_identity|--timestamp|*/unsigned.pkg|$product"
    "pkgutil|--check-signature|$product"
    "xcrun|notarytool|submit|$product|--keychain-profile|certbridge-notary|--wait"
    "xcrun|stapler|staple|$product"
    "xcrun|stapler|validate|$product"
    "spctl|--assess|--type|install|--verbose=2|$product"
  )
  mapfile -t calls <"$work/calls.log"
  if [[ ${#calls[@]} -ne ${#expected[@]} ]]; then
    fail "make_pkg.sh made ${#calls[@]} tool calls, expected ${#expected[@]}: $(cat "$work/calls.log")"
  else
    for i in "${!expected[@]}"; do
      # shellcheck disable=SC2053 # the expected line is a glob pattern
      [[ "${calls[$i]}" == ${expected[$i]} ]] || fail "call $((i + 1)): ${calls[$i]}, expected ${expected[$i]}"
    done
  fi
  packaged_host="$work/packaged-root$host_install_path"
  cmp -s "$packaged_host" "$work/certbridge-host" || fail "the packaged host is not the one given with --host"
  [[ "$(stat -c %a "$packaged_host")" == 755 ]] || fail "the packaged host's mode is $(stat -c %a "$packaged_host")"
  [[ -f "$work/packaged-root/Library/Google/Chrome/NativeMessagingHosts/com.certbridge.host.json" ]] ||
    fail "the packaged root has no Chrome manifest"
  [[ ! -e "$work/packaged-root/private" && ! -e "$work/packaged-root${host_install_path%-host}" ]] ||
    fail "without --cli the package holds certbridge or a paths.d file"
  grep -q "does not install the certbridge command" "$work/err.log" || fail "no note that certbridge is left out"
else
  fail "make_pkg.sh failed: $(cat "$work/err.log")"
fi

# With --cli: certbridge signed before the bundle (nested code first), packaged beside the host, its folder
# named in /private/etc/paths.d/certbridge (path_helper puts it on every login shell's PATH).
if run_make_pkg --host "$work/certbridge-host" --cli "$work/certbridge" --app-identity "$app_identity" \
  --installer-identity "$installer_identity" --out "$work/dist"; then
  host_folder="$(dirname "$host_install_path")"
  cli_path="$host_folder/certbridge"
  mapfile -t calls <"$work/calls.log"
  sign_cli="codesign|--force|--options|runtime|--timestamp|--entitlements|$inputs/certbridge-host.entitlements|--identifier|com.certbridge.cli|--sign|$app_identity|*$cli_path"
  sign_bundle="codesign|--force|--options|runtime|--timestamp|*|--identifier|com.certbridge.host|*"
  # shellcheck disable=SC2053 # the expected lines are glob patterns
  [[ "${calls[0]}" == $sign_cli && "${calls[1]}" == $sign_bundle ]] ||
    fail "certbridge is not signed first, with the hardened runtime: ${calls[*]:0:2}"
  cmp -s "$work/packaged-root$cli_path" "$work/certbridge" || fail "the packaged certbridge is not the one given with --cli"
  [[ "$(stat -c %a "$work/packaged-root$cli_path")" == 755 ]] || fail "the packaged certbridge's mode is not 0755"
  paths_d="$work/packaged-root/private/etc/paths.d/certbridge"
  [[ "$(cat "$paths_d" 2>/dev/null)" == "$host_folder" ]] || fail "paths.d/certbridge does not name $host_folder"
  [[ "$(stat -c %a "$paths_d")" == 644 && "$(stat -c %a "$(dirname "$paths_d")")" == 755 ]] ||
    fail "paths.d/certbridge or its folder has the wrong mode"
  grep -q "does not install the certbridge command" "$work/err.log" && fail "a note that certbridge is left out, with --cli"

  # postinstall on a copy of the packaged root (programs that run here stand in for the Mac's), then
  # uninstall.sh: certbridge and its PATH entry go with the rest, and nothing else is left behind.
  volume="$work/volume"
  cp -a "$work/packaged-root" "$volume"
  printf '#!/bin/sh\necho "certbridge-host %s"\n' "$version" >"$volume$host_install_path"
  printf '#!/bin/sh\necho "certbridge %s"\n' "$version" >"$volume$cli_path"
  chmod 0777 "$volume/private/etc/paths.d/certbridge"
  if bash "$inputs/scripts/postinstall" /tmp/CertBridge.pkg / "$volume" / >"$work/postinstall.log" 2>&1; then
    grep -q "certbridge $version installed at $volume$cli_path, on PATH" "$work/postinstall.log" ||
      fail "postinstall does not report certbridge: $(cat "$work/postinstall.log")"
    [[ "$(stat -c %a "$volume/private/etc/paths.d/certbridge")" == 644 ]] ||
      fail "postinstall left paths.d/certbridge writable by others"
  else
    fail "postinstall failed with certbridge: $(cat "$work/postinstall.log")"
  fi
  printf '#!/bin/sh\nexit 1\n' >"$volume$cli_path"
  if bash "$inputs/scripts/postinstall" /tmp/CertBridge.pkg / "$volume" / >"$work/postinstall.log" 2>&1; then
    fail "postinstall accepted a certbridge that does not run"
  fi
  if bash "$volume/Library/Application Support/CertBridge/uninstall.sh" --target-volume "$volume" >"$work/uninstall.log" 2>&1; then
    [[ ! -e "$volume/private/etc/paths.d/certbridge" && ! -e "$volume$cli_path" ]] ||
      fail "uninstall.sh left certbridge or its PATH entry"
    [[ -d "$volume/private/etc/paths.d" ]] || fail "uninstall.sh removed /private/etc/paths.d"
  else
    fail "uninstall.sh failed: $(cat "$work/uninstall.log")"
  fi
else
  fail "make_pkg.sh --cli failed: $(cat "$work/err.log")"
fi
export FAKE_CLI_ARCHS="arm64"
if run_make_pkg --host "$work/certbridge-host" --cli "$work/certbridge" --app-identity "$app_identity" \
  --installer-identity "$installer_identity" --out "$work/dist"; then
  fail "an arm64-only certbridge was packaged"
else
  grep -q "certbridge lacks x86_64" "$work/err.log" || fail "no clear error for an arm64-only certbridge: $(cat "$work/err.log")"
  [[ ! -s "$work/calls.log" ]] || fail "tools ran for an arm64-only certbridge"
fi
unset FAKE_CLI_ARCHS

# Without notarization: signed, and said to be for a test install only.
if run_make_pkg --host "$work/certbridge-host" --app-identity "$app_identity" --installer-identity "$installer_identity" \
  --out "$work/dist"; then
  grep -q "^xcrun" "$work/calls.log" && fail "notarytool ran without --notary-profile"
  grep -q "not notarized" "$work/err.log" || fail "no warning that the package is not notarized"
else
  fail "make_pkg.sh without --notary-profile failed: $(cat "$work/err.log")"
fi

# A host for one architecture only, or missing identities: nothing is packaged.
FAKE_ARCHS="arm64"
if run_make_pkg --host "$work/certbridge-host" --app-identity "$app_identity" --installer-identity "$installer_identity" \
  --out "$work/dist"; then
  fail "an arm64-only host was packaged"
else
  grep -q "lacks x86_64" "$work/err.log" || fail "no clear error for an arm64-only host: $(cat "$work/err.log")"
  [[ ! -s "$work/calls.log" ]] || fail "tools ran for an arm64-only host: $(cat "$work/calls.log")"
fi
FAKE_ARCHS="x86_64 arm64"
if run_make_pkg --host "$work/certbridge-host" --app-identity "$app_identity" --out "$work/dist"; then
  fail "make_pkg.sh ran without --installer-identity"
else
  [[ ! -s "$work/calls.log" ]] || fail "tools ran without --installer-identity"
fi

echo "make_pkg.sh and inputs with a macOS host: $failures failure(s)"
[[ $failures -eq 0 ]]
