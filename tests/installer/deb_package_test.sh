#!/usr/bin/env bash
# Builds the .deb with CPack and checks what IT would notice:
#   - `lintian -I -E --pedantic`: no error, no warning (the package's overrides each carry their reason);
#   - metadata (Debian revision, dependencies), contents (stripped host, docs in /usr/share/doc/certbridge,
#     manifests linked from /etc, an empty config.d, no conffile), manifests naming our extension IDs;
#   - the life cycle with dpkg in a throw-away overlay of the root file system (the machine is not touched):
#     install v1, IT writes config.json and a config.d drop-in, a user leaves per-user state, upgrade to v2
#     (a repack with a higher version whose /etc files all changed) with no answer on stdin: exit 0, no
#     prompt, IT's files byte for byte, and the upgraded host, started as Chrome starts it, runs with IT's
#     settings; `certbridge-host uninstall --user` takes the user's state away; remove keeps IT's settings;
#     purge leaves nothing of the package; and the upgrade from the first package (config.json a conffile,
#     edited) keeps IT's file without a prompt.
#   deb_package_test.sh BUILD_DIR PROTOCOL_JSON
set -euo pipefail

readonly host=/usr/libexec/certbridge/certbridge-host
readonly manifest_name=com.certbridge.host.json
readonly manifest_links=(/etc/opt/chrome/native-messaging-hosts/$manifest_name
                         /etc/chromium/native-messaging-hosts/$manifest_name
                         /etc/opt/edge/native-messaging-hosts/$manifest_name)
readonly manifest_files=(/usr/share/certbridge/native-messaging-hosts/chrome/$manifest_name
                         /usr/share/certbridge/native-messaging-hosts/chromium/$manifest_name
                         /usr/share/certbridge/native-messaging-hosts/edge/$manifest_name
                         /usr/lib/mozilla/native-messaging-hosts/$manifest_name)
readonly docs=/usr/share/doc/certbridge
readonly test_home=/certbridge-test-home
readonly here=$(cd "$(dirname "$0")" && pwd)

failures=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
output_if_failed() {  # output_if_failed EXIT_STATUS OUTPUT: a failed command's output, indented
  if [ "$1" -ne 0 ]; then sed 's/^/    /' <<<"$2"; fi
}

# --- Inside a private mount namespace: the dpkg life cycle in an overlay of / -------------------------
life_cycle() {  # life_cycle WORK V1_DEB V2_DEB CHROME_EXTENSION_ID V0_DEB
  local work=$1 v1=$2 v2=$3 extension_id=$4 v0=$5
  local root=$work/root
  mkdir -p "$work/upper" "$work/ovl" "$root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/ovl" "$root"
  mount --bind /proc "$root/proc"
  mount --bind /dev "$root/dev"
  cp "$v1" "$root/v1.deb"
  cp "$v2" "$root/v2.deb"
  cp "$v0" "$root/v0.deb"
  in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$test_home "$@"; }
  ask() { INSTALLED_HOST_HOME=$test_home python3 "$here/ask_installed_host.py" "$root" "$extension_id" "$@"; }
  json_field() { node -e 'let v=JSON.parse(process.argv[1]);for(const k of process.argv[2].split("."))v=v?.[k];
                          console.log(typeof v==="string"?v:JSON.stringify(v))' "$1" "$2"; }
  local v1_version v2_version out rc
  v1_version=$(dpkg-deb -f "$v1" Version)
  v2_version=$(dpkg-deb -f "$v2" Version)

  echo "== install $v1_version"
  rc=0; out=$(in_root dpkg -i /v1.deb </dev/null 2>&1) || rc=$?
  check "dpkg -i of $v1_version succeeds" test "$rc" -eq 0; output_if_failed "$rc" "$out"
  for f in "$host" "${manifest_files[@]}"; do check "installed: $f" in_root test -f "$f"; done
  for l in "${manifest_links[@]}"; do check "installed: $l, a link to a manifest" in_root test -L "$l" -a -f "$l"; done
  check "installed: /etc/certbridge/config.d, empty" \
    test -d "$root/etc/certbridge/config.d" -a -z "$(ls -A "$root/etc/certbridge/config.d")"
  check "no /etc/certbridge/config.json is installed" test ! -e "$root/etc/certbridge/config.json"
  check "the installed host runs" in_root "$host" --version >/dev/null

  echo "== IT's settings and a user's state"
  printf '{"allowedOrigins": ["https://ra.admin.example"]}\n' >"$root/etc/certbridge/config.d/50-site.json"
  printf '%s\n' '{"logLevel": "debug", "cardProfiles": [{"id": "admin-card", "displayName": "Admin card",' \
    '"atr": "3B 95 13 81 01 80 73 FF 01 00 0B", "module": "/usr/lib/softhsm/libsofthsm2.so"}]}' \
    >"$root/etc/certbridge/config.json"
  local settings_before
  settings_before=$(cd "$root/etc/certbridge" && sha256sum config.json config.d/50-site.json)
  mkdir -p "$root$test_home"
  in_root "$host" install --user >/dev/null
  ask status https://ra.admin.example >/dev/null  # the host logs to the user's state folder
  mkdir -p "$root$test_home/.pki/nssdb"
  in_root certutil -N -d "sql:$test_home/.pki/nssdb" --empty-password
  in_root modutil -dbdir "sql:$test_home/.pki/nssdb" -add "CertBridge: Admin card" \
    -libfile /usr/lib/softhsm/libsofthsm2.so -force >/dev/null
  in_root modutil -dbdir "sql:$test_home/.pki/nssdb" -add "Site middleware" \
    -libfile "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/opensc-pkcs11.so" -force >/dev/null
  check "the user has a Chrome manifest, a host log and a CertBridge NSS module" test \
    -f "$root$test_home/.config/google-chrome/NativeMessagingHosts/$manifest_name" \
    -a -f "$root$test_home/.local/state/certbridge/certbridge-host.log" \
    -a -n "$(in_root modutil -dbdir "sql:$test_home/.pki/nssdb" -list | grep 'CertBridge: Admin card')"

  echo "== upgrade to $v2_version with nobody to answer a question"
  rc=0; out=$(in_root dpkg -i /v2.deb </dev/null 2>&1) || rc=$?
  check "dpkg -i of $v2_version over IT's settings exits 0" test "$rc" -eq 0; output_if_failed "$rc" "$out"
  check "the upgrade asked nothing (no conffile prompt)" bash -c '! grep -qi "configuration file" <<<"$1"' _ "$out"
  check "the package is now $v2_version" test "$(in_root dpkg-query -W -f '${Version}' certbridge)" = "$v2_version"
  check "IT's config.json and drop-in are unchanged, byte for byte" \
    test "$(cd "$root/etc/certbridge" && sha256sum config.json config.d/50-site.json)" = "$settings_before"
  check "the package still has no conffile" test -z "$(in_root dpkg-query -W -f '${Conffiles}' certbridge)"
  local reply
  reply=$(ask environment https://ra.admin.example) || reply='{}'
  check "the upgraded host serves IT's origin (from the drop-in)" test "$(json_field "$reply" ok)" = true
  check "... names the drop-in as the first source" \
    test "$(json_field "$reply" result.host.policy.sources.0.location)" = /etc/certbridge/config.d/50-site.json
  check "... has IT's card profile and log level (from config.json)" test \
    "$(json_field "$reply" result.host.policy.cardProfiles.value)" = '["admin-card"]' \
    -a "$(json_field "$reply" result.host.policy.logLevel.value)" = debug
  check "... reports no problem with the files" test "$(json_field "$reply" result.host.policy.problems)" = '[]'
  reply=$(ask environment https://ra.certbridge.example) || reply='{}'
  check "... and refuses the built-in origin the drop-in replaced" \
    test "$(json_field "$reply" error.code)" = ORIGIN_NOT_ALLOWED

  echo "== the user's clean-up"
  rc=0; out=$(in_root "$host" uninstall --user 2>&1) || rc=$?
  check "certbridge-host uninstall --user succeeds" test "$rc" -eq 0; output_if_failed "$rc" "$out"
  check "... removes the user's manifests" \
    test -z "$(find "$root$test_home/.config" "$root$test_home/.mozilla" -name "$manifest_name")"
  check "... removes the host log folder" test ! -e "$root$test_home/.local/state/certbridge"
  local modules
  modules=$(in_root modutil -dbdir "sql:$test_home/.pki/nssdb" -list)
  check "... removes the CertBridge NSS module and keeps the user's own" \
    bash -c '! grep -q "CertBridge: Admin card" <<<"$1" && grep -q "Site middleware" <<<"$1"' _ "$modules"

  echo "== remove"
  rc=0; out=$(in_root dpkg -r certbridge </dev/null 2>&1) || rc=$?
  check "dpkg -r succeeds" test "$rc" -eq 0; output_if_failed "$rc" "$out"
  for f in "$host" "${manifest_files[@]}" "${manifest_links[@]}"; do
    check "removed: $f" test ! -e "$root$f" -a ! -L "$root$f"
  done
  check "IT's settings stay after remove" \
    test "$(cd "$root/etc/certbridge" && sha256sum config.json config.d/50-site.json)" = "$settings_before"

  echo "== purge"
  rc=0; out=$(in_root dpkg -P certbridge </dev/null 2>&1) || rc=$?
  check "dpkg -P succeeds" test "$rc" -eq 0; output_if_failed "$rc" "$out"
  check "purge removes /etc/certbridge" test ! -e "$root/etc/certbridge"
  check "dpkg no longer knows the package" bash -c '! chroot "$1" dpkg-query -W certbridge 2>/dev/null' _ "$root"
  local left
  left=$(cd "$work/upper" && find . -path ./certbridge-test-home -prune -o -path ./var -prune -o -path ./v1.deb \
    -prune -o -path ./v2.deb -prune -o -path ./v0.deb -prune -o \( -iname '*certbridge*' -o -name "$manifest_name" \) -print)
  check "nothing of the package is left in the file system${left:+ (left: $left)}" test -z "$left"
  check "nothing of the package is left in dpkg's database" \
    test -z "$(ls "$root"/var/lib/dpkg/info/certbridge.* 2>/dev/null)"
  echo "== from the first package, whose config.json was a conffile, edited by IT"
  in_root dpkg -i /v0.deb </dev/null >/dev/null 2>&1
  printf '{"logLevel": "debug"}\n' >"$root/etc/certbridge/config.json"
  rc=0; out=$(in_root dpkg -i /v1.deb </dev/null 2>&1) || rc=$?
  check "the upgrade from $(dpkg-deb -f "$v0" Version) to $v1_version exits 0" test "$rc" -eq 0
  output_if_failed "$rc" "$out"
  check "... asks nothing" bash -c '! grep -qi "configuration file" <<<"$1"' _ "$out"
  check "... keeps IT's config.json (dpkg marks it obsolete; the host still reads it)" \
    test "$(cat "$root/etc/certbridge/config.json")" = '{"logLevel": "debug"}'
  in_root dpkg -P certbridge >/dev/null 2>&1
  check "... and purge removes it" test ! -e "$root/etc/certbridge"

  echo "life cycle: $failures failed"
  [ "$failures" -eq 0 ]
}

if [ "${1:-}" = --life-cycle ]; then
  shift
  life_cycle "$@"
  exit
fi

# --- Build, lint, inspect ------------------------------------------------------------------------------
build_dir=$1
protocol_json=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/certbridge_*.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

echo "== lintian -I -E --pedantic"
command -v lintian >/dev/null || echo "lintian is not installed (tests/install-dependencies.sh installs it)"
rc=0; lintian -I -E --pedantic --fail-on error,warning "$deb" >"$work/lintian.log" 2>&1 || rc=$?
sed 's/^/  /' "$work/lintian.log"
check "lintian: no error and no warning (exit $rc)" \
  bash -c '[ "$1" -eq 0 ] && ! grep -q "^[EW]: " "$2"' _ "$rc" "$work/lintian.log"

field() { dpkg-deb -f "$deb" "$1"; }
check "package is named certbridge" test "$(field Package)" = certbridge
check "version has a Debian revision (changelog.Debian, per-release builds)" grep -q -- '-' <<<"$(field Version)"
check "depends on pcscd and the NSS tools" grep -q "pcscd.*libnss3-tools" <<<"$(field Depends)"
check "depends on the PC/SC and libp11 libraries (shlibdeps)" \
  grep -q "libpcsclite1.*libp11-3\|libp11-3.*libpcsclite1" <<<"$(field Depends)"
# The host loads these with dlopen at first use, so shlibdeps cannot see them (installer/linux/CMakeLists.txt).
for package in libssl3 libp11-3 libnss3 libnspr4; do
  check "depends on $package (loaded at first use)" grep -q "\b$package (>= " <<<"$(field Depends)"
done
check "no description line is longer than 80 characters" test -z "$(field Description | awk 'length > 80')"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' >"$work/files"
dpkg-deb -x "$deb" "$work/tree"
for f in "$host" "${manifest_files[@]}" "${manifest_links[@]}" /etc/certbridge/config.d \
         "$docs/copyright" "$docs/changelog.Debian.gz" "$docs/README.Debian"; do
  check "package holds $f" grep -qx "$f" "$work/files"
done
check "docs only in $docs (none in /usr/share/doc/CertBridge)" \
  test -z "$(grep '^/usr/share/doc/' "$work/files" | grep -v "^$docs")"
check "nothing inside /etc/certbridge/config.d" test -z "$(grep '^/etc/certbridge/config.d/.' "$work/files")"
check "no conffile" test -z "$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep conffiles)"
check "the host is stripped" grep -q ", stripped" <<<"$(file "$work/tree$host")"
check "copyright is machine-readable (DEP-5)" \
  grep -qx "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "$work/tree$docs/copyright"
check "the changelog's top entry is this version" \
  grep -q "^certbridge ($(field Version)) " <<<"$(gzip -dc "$work/tree$docs/changelog.Debian.gz")"
overrides=$work/tree/usr/share/lintian/overrides/certbridge
check "every lintian override follows a comment giving its reason" \
  awk '/^#/ {reason = 1; next} /^[[:space:]]*$/ {reason = 0; next} !reason {exit 1}' "$overrides"
check "packaged host runs and reports its version" grep -q "certbridge-host" <<<"$("$work/tree$host" --version)"
# The help desk's command is on PATH (the host is not), stripped, with its manual page.
check "package holds /usr/bin/certbridge and its manual page" \
  bash -c 'grep -qx /usr/bin/certbridge "$1" && grep -qx /usr/share/man/man1/certbridge.1.gz "$1"' _ "$work/files"
check "certbridge is stripped" grep -q ", stripped" <<<"$(file "$work/tree/usr/bin/certbridge")"
check "the host is not on PATH" test -z "$(grep -E '^/usr/s?bin/certbridge-host' "$work/files")"
check "packaged certbridge runs and reports its version" grep -q "certbridge" <<<"$("$work/tree/usr/bin/certbridge" --version)"
for l in "${manifest_links[@]}"; do
  check "$l links to the packaged manifest" grep -qx "$(readlink "$work/tree$l")" "$work/files"
done
node --input-type=module - "$work/tree" "$host" "$protocol_json" "${manifest_files[@]}" <<'JS' || failures=$((failures + 1))
import fs from 'node:fs';
const [tree, host, protocolPath, ...manifests] = process.argv.slice(2);
const protocol = JSON.parse(fs.readFileSync(protocolPath, 'utf8'));
let bad = 0;
for (const path of manifests) {
  const m = JSON.parse(fs.readFileSync(tree + path, 'utf8'));
  const firefox = path.includes('mozilla');
  const ids = firefox ? m.allowed_extensions : m.allowed_origins;
  const want = firefox ? [protocol.extensionIds.firefox]
                       : protocol.extensionIds.chromium.map((id) => `chrome-extension://${id}/`);
  const ok = m.name === protocol.nativeHostName && m.type === 'stdio' && m.path === host &&
             JSON.stringify(ids) === JSON.stringify(want);
  console.log(`${ok ? 'ok' : 'FAILED'}: ${path} names ${m.path} for ${ids}`);
  if (!ok) bad++;
}
process.exit(bad ? 1 : 0);
JS

# v2: the same package at a higher version, and every file it has in /etc changed (what makes dpkg ask about a
# conffile an admin edited), so a conffile coming back would fail the upgrade below.
dpkg-deb -R "$deb" "$work/v2"
v2_version="$(field Version)+upgrade"
sed -i "s/^Version: .*/Version: $v2_version/" "$work/v2/DEBIAN/control"
find "$work/v2/etc" -type f -exec sh -c 'echo " " >>"$1"' _ {} \;
(cd "$work/v2" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0r md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$work/v2" "$work/certbridge_v2.deb" >/dev/null

# v0: the first package's layout (0.1.0, before this one): /etc/certbridge/config.json shipped as a conffile.
dpkg-deb -R "$deb" "$work/v0"
sed -i "s/^Version: .*/Version: ${v2_version%%-*}~first/" "$work/v0/DEBIAN/control"
mkdir -p "$work/v0/etc/certbridge"
printf '{"cardProfiles": []}\n' >"$work/v0/etc/certbridge/config.json"
echo /etc/certbridge/config.json >"$work/v0/DEBIAN/conffiles"
(cd "$work/v0" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0r md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$work/v0" "$work/certbridge_v0.deb" >/dev/null

if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
  chrome_id=$(node -p "JSON.parse(require('fs').readFileSync(process.argv[1])).extensionIds.chromium[0]" "$protocol_json")
  # A step that could not even run (set -e) ends the life cycle early: that is a failure too.
  unshare -m bash "$0" --life-cycle "$work/life" "$deb" "$work/certbridge_v2.deb" "$chrome_id" \
    "$work/certbridge_v0.deb" ||
    failures=$((failures + 1))
else
  echo "skipped: the dpkg life cycle needs root and unshare"
fi

echo "deb package: $failures failed"
[ "$failures" -eq 0 ]
