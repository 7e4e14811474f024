#!/bin/bash
# The macOS configuration profile's Chrome settings, applied in real Chromium: Chrome on a Mac reads the
# payload com.google.Chrome as browser policy and com.google.Chrome.extensions.<id> as the extension's
# policy; Chromium on Linux reads the same policies, with the same schema check, from a JSON file in
# /etc/chromium/policies/managed ("3rdparty" -> "extensions" -> <id> for the extension's). The file is put
# there in a private mount namespace (a tmpfs over /etc/chromium), so the system's is never touched.
#   1. ExtensionSettings (force-install, runtime hosts) and NativeMessagingAllowlist: chrome://policy shows
#      each with the profile's value and status OK (a value Chromium refuses shows Error there).
#   2. The extension's managed settings, with the unpacked extension loaded (its development ID is the
#      Chrome Web Store one): storage.managed holds exactly the profile's values, each OK in chrome://policy.
#      Without ExtensionSettings, which would replace the unpacked extension by the store's.
# Microsoft Edge reads the same policies (com.microsoft.Edge...); Edge is not installed here.
#
#   macos_profile_chromium_test.sh BUILD_DIR
# Exit 77 (skipped) without root, unshare, Chromium, Node or playwright-core; with CI set, 1 instead.
set -euo pipefail

build_dir="$1"
here="$(cd "$(dirname "$0")" && pwd)"
profile="$build_dir/macos-pkg/CertBridge.mobileconfig"
extension_dir="$build_dir/dist/extension"
chromium="${CERTBRIDGE_CHROMIUM:-/usr/bin/chromium}"

skip() {
  if [[ -n "${CI:-}" ]]; then
    echo "FAIL: $*" >&2
    exit 1
  fi
  echo "SKIPPED: $*"
  exit 77
}
[[ "$(id -u)" -eq 0 ]] || skip "needs root (a private mount namespace over /etc/chromium)"
command -v unshare >/dev/null || skip "unshare (util-linux) not found"
[[ -x "$chromium" ]] || skip "Chromium not found at $chromium"
[[ -d /etc/chromium ]] || skip "no /etc/chromium (Debian's chromium package makes it)"
command -v node >/dev/null || skip "node not found"
(cd "$here" && node -e "import('playwright-core')" 2>/dev/null) || skip "playwright-core not installed (npm ci)"
[[ -f "$profile" ]] || { echo "FAIL: no $profile: build certbridge_macos_pkg_inputs" >&2; exit 1; }
[[ -f "$extension_dir/manifest.json" ]] || { echo "FAIL: no unpacked extension in $extension_dir" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The profile's payloads as Chromium policy files, and what each run expects to see.
python3 - "$profile" "$work" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["extensionIds"]["chromium"][0])' \
  "$here/../../extension/shared/protocol.json")" <<'EOF'
import json
import plistlib
import sys

profile, work, extension_id = sys.argv[1:4]
with open(profile, "rb") as file:
    payloads = {p["PayloadType"]: {k: v for k, v in p.items() if not k.startswith("Payload")}
                for p in plistlib.load(file)["PayloadContent"]}
browser = payloads["com.google.Chrome"]
extension = payloads[f"com.google.Chrome.extensions.{extension_id}"]
json.dump(browser, open(f"{work}/browser-policy.json", "w"))
json.dump(browser, open(f"{work}/browser-expected.json", "w"))
without_force_install = {k: v for k, v in browser.items() if k != "ExtensionSettings"}
without_force_install["3rdparty"] = {"extensions": {extension_id: extension}}
json.dump(without_force_install, open(f"{work}/extension-policy.json", "w"))
json.dump(extension, open(f"{work}/extension-expected.json", "w"))
EOF

run_chromium() {  # run_chromium POLICY_FILE MODE ARGS...
  local policy="$1"
  shift
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  unshare -m bash -c '
    set -e
    mount -t tmpfs -o mode=0755 tmpfs /etc/chromium
    mkdir -p /etc/chromium/policies/managed
    cp "$1" /etc/chromium/policies/managed/certbridge.json
    chmod 0644 /etc/chromium/policies/managed/certbridge.json
    shift
    HOME="$WORK_HOME" node "$SCRIPT" "$@"' run "$policy" "$@"
}
export WORK_HOME="$work/home" SCRIPT="$here/macos_profile_chromium.mjs"
mkdir -p "$WORK_HOME"

failures=0
run_chromium "$work/browser-policy.json" browser "$work/browser-expected.json" "$work/browser-profile" ||
  failures=$((failures + 1))
run_chromium "$work/extension-policy.json" extension "$work/extension-expected.json" "$work/extension-profile" \
  "$extension_dir" || failures=$((failures + 1))
echo "macOS profile in Chromium: $failures failed run(s)"
[[ $failures -eq 0 ]]
