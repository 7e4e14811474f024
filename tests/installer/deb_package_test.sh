#!/usr/bin/env bash
# Builds the .deb with CPack and checks what IT would notice: package metadata and dependencies, the
# files it holds, manifests that point at the installed host with our extension IDs, a conffile for the
# configuration, and a real install / remove / purge with dpkg inside a throw-away overlay of the root
# file system (the machine itself is not touched).
#   deb_package_test.sh BUILD_DIR PROTOCOL_JSON
set -euo pipefail
build_dir=$1
protocol_json=$2
work=$(mktemp -d)
cleanup() {
  if [ -n "${overlay_pid:-}" ]; then kill "$overlay_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi
}

(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/certbridge_*.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

field() { dpkg-deb -f "$deb" "$1"; }
check "package is named certbridge" test "$(field Package)" = certbridge
check "depends on pcscd" grep -q "pcscd" <<<"$(field Depends)"
check "depends on the PC/SC and libp11 libraries (shlibdeps)" grep -q "libpcsclite1.*libp11-3\|libp11-3.*libpcsclite1" <<<"$(field Depends)"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
host=/usr/libexec/certbridge/certbridge-host
manifests=(/etc/opt/chrome/native-messaging-hosts/com.certbridge.host.json
           /etc/chromium/native-messaging-hosts/com.certbridge.host.json
           /etc/opt/edge/native-messaging-hosts/com.certbridge.host.json
           /usr/lib/mozilla/native-messaging-hosts/com.certbridge.host.json)
for f in "$host" /etc/certbridge/config.json "${manifests[@]}"; do
  check "package holds $f" grep -qx "$f" "$work/files"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles"
check "config.json is a conffile (local edits survive upgrades)" grep -qx /etc/certbridge/config.json "$work/conffiles"

dpkg-deb -x "$deb" "$work/tree"
check "packaged host runs and reports its version" grep -q "certbridge-host" <<<"$("$work/tree$host" --version)"
node --input-type=module - "$work/tree" "$host" "$protocol_json" "${manifests[@]}" <<'JS' || failures=$((failures + 1))
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

# A real dpkg install, removal and purge, in an overlay so the machine stays as it was.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
  mkdir -p "$work/upper" "$work/ovl" "$work/root"
  cp "$deb" "$work/upper/certbridge.deb"
  unshare -m bash -euo pipefail -c "
    mount -t overlay overlay -o lowerdir=/,upperdir='$work/upper',workdir='$work/ovl' '$work/root'
    mount --bind /proc '$work/root/proc'
    mount --bind /dev '$work/root/dev'
    in_root() { chroot '$work/root' \"\$@\"; }
    in_root dpkg -i /certbridge.deb >/dev/null
    for f in $host ${manifests[*]}; do in_root test -f \"\$f\" || { echo \"FAILED: after install \$f is missing\"; exit 1; }; done
    in_root $host --version >/dev/null
    echo 'ok: dpkg -i installs the host and registers it with all four browsers'
    in_root sh -c 'echo \"{\\\"cardProfiles\\\": []}\" > /etc/certbridge/config.json'
    in_root dpkg -r certbridge >/dev/null
    for f in $host ${manifests[*]}; do in_root test ! -e \"\$f\" || { echo \"FAILED: after remove \$f is still there\"; exit 1; }; done
    in_root test -f /etc/certbridge/config.json || { echo 'FAILED: remove dropped the edited configuration'; exit 1; }
    echo 'ok: dpkg -r removes the host and its manifests and keeps the edited configuration'
    in_root dpkg -P certbridge >/dev/null
    in_root test ! -e /etc/certbridge/config.json || { echo 'FAILED: purge left the configuration'; exit 1; }
    echo 'ok: dpkg -P removes the configuration too'
  " || failures=$((failures + 1))
else
  echo "skipped: dpkg install/remove check needs root and unshare"
fi

echo "deb package: $failures failed"
[ "$failures" -eq 0 ]
