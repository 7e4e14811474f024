#!/usr/bin/env bash
# The MSIs installed for real under wine (private, throw-away prefix), checked the way IT would check them
# on a client: `reg query` of every key the package writes, the files, the host started as Chrome starts it.
#   per-machine: install with ALLOWEDORIGINS and FORCEINSTALL=1 over broken values left in the registry (the
#                install must still succeed: 0, never 1603), two upgrades (a changed ALLOWEDORIGINS applied,
#                then kept by an upgrade that does not name it; one Add/Remove Programs entry), a refused
#                downgrade, and an uninstall that removes what the MSI wrote and leaves the policies IT set by
#                other means; the installation folder on the system PATH exactly once through all of it (a new
#                console finds the programs by name), and out of it after the uninstall, the rest intact;
#   per-user:    install under HKCU and %LocalAppData% (nothing in HKLM), the folder on the user's PATH
#                (HKCU\Environment) once, an upgrade with FORCEINSTALL=0 that turns the forced install off,
#                and uninstall, which takes the folder off that PATH; mistyped properties install without
#                error; an ADDLOCAL given by IT is followed as written.
#   certbridge:  the help-desk command, run by name in a new console after the install, and its doctor
#                finding the host the MSI registered for Chrome.
#   msi_wine_test.sh MSI_DIR VERSION REASON_IF_NOT_BUILT -- BUILD_MSI_ARGS...
# BUILD_MSI_ARGS: the cmake -D arguments of installer/windows/build_msi.cmake, to build the later versions
# the upgrades need from the same staged files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
msi_dir=$1
version=$2
not_built=$3
shift 4
build_msi_args=("$@")
. "$here/../windows/wine_suite.sh"

per_machine="$msi_dir/certbridge-$version-x64-per-machine.msi"
per_user="$msi_dir/certbridge-$version-x64-per-user.msi"
wine_suite_require "$not_built" "$per_machine" "$per_user"
command -v python3 >/dev/null || wine_suite_skip "python3 not found"
started=$(date +%s)
wine_suite_start

protocol_json=$(printf '%s\n' "${build_msi_args[@]}" | sed -n 's/^-DPROTOCOL_JSON=//p')
chrome_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["extensionIds"]["stores"]["chromeWebStore"]["chromiumId"])' "$protocol_json")
edge_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["extensionIds"]["stores"]["edgeAddons"]["chromiumId"])' "$protocol_json")
firefox_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["extensionIds"]["firefox"])' "$protocol_json")

# Two later versions of the same package (the same files) for the upgrades.
IFS=. read -r major minor patch <<<"$version"
v2="$major.$minor.$((patch + 1))"
v3="$major.$minor.$((patch + 2))"
for next in "$v2" "$v3"; do
  cmake "${build_msi_args[@]}" -DSTAGED=ON -DVERSION="$next" \
    -DPER_MACHINE_MSI="$work/certbridge-$next-per-machine.msi" -DPER_USER_MSI="$work/certbridge-$next-per-user.msi" \
    -P "$here/../../installer/windows/build_msi.cmake"
done
wine_suite_boot

msiexec() {  # msiexec ARGS... : the exit status of msiexec; its log in $work/msiexec.log
  local status=0
  wine msiexec "$@" /qn /l*v 'Z:'"${work//\//\\}"'\msiexec.log' >/dev/null 2>&1 || status=$?
  wineserver -w
  return "$status"
}
installs() { msiexec /i "$@"; }
# A refused installation: Windows exits with 1603 after the failed launch condition; wine 8 stops at the
# same condition but exits with 67, so any failure counts here and the installed version is checked too.
refused() {
  local status=0
  msiexec /i "$@" || status=$?
  echo "  msiexec exit status: $status"
  [ "$status" -ne 0 ]
}
installed_version() {
  wine reg query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null | tr -d '\r' |
    awk '/DisplayName    REG_SZ    CertBridge$/ { found = 1 } found && /DisplayVersion/ { print $3; exit }'
}

# reg_value ROOT\KEY NAME : the data of one value ("" when absent); NAME "" is the default value.
reg_value() {
  local args=(/v "$2")
  [ -z "$2" ] && args=(/ve)
  # `reg query` lines: 4 spaces, name, 4 spaces, type, 4 spaces, data.
  wine reg query "$1" "${args[@]}" 2>/dev/null | tr -d '\r' |
    awk -v name="${2:-(Default)}" '{
      prefix = "    " name "    "
      if (index($0, prefix) == 1) { rest = substr($0, length(prefix) + 1); print substr(rest, index(rest, "    ") + 4) }
    }'
}
reg_type() {
  wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v name="$2" '$1 == name {print $2}'
}
has_value() { [ -n "$(wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v name="$2" '$1 == name')" ]; }
no_value() { ! has_value "$@"; }
no_key() { ! wine reg query "$1" >/dev/null 2>&1; }
is() { [ "$1" = "$2" ] || { echo "  got: '$1', expected: '$2'"; return 1; }; }
arp_entries() {
  wine reg query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null | tr -d '\r' |
    grep -c 'DisplayName    REG_SZ    CertBridge$' || true
}
host_status() { python3 "$here/start_host_like_chrome.py" "$@" >"$work/status.json"; }

# PATH as Windows Installer's WriteEnvironmentStrings leaves it: system (HKLM) and user (HKCU\Environment).
system_environment='HKLM\System\CurrentControlSet\Control\Session Manager\Environment'
user_environment='HKCU\Environment'
path_entries() { reg_value "$1" PATH | tr ';' '\n' | sed '/^$/d'; }  # one entry a line, empty ones left out
times_on_path() { is "$(path_entries "$1" | grep -cxF "$2" || true)" "$3"; }  # times_on_path KEY FOLDER COUNT
# The other entries of PATH, in their order, are those it had before: path_kept KEY FOLDER ENTRIES_BEFORE
path_kept() { is "$(path_entries "$1" | grep -vxF "$2" || true)" "$3"; }
# A new console (cmd.exe started afresh, in a folder that holds no program) runs PROGRAM by its name alone.
found_on_path() {  # found_on_path PROGRAM EXPECTED_OUTPUT
  local output
  output=$(cd "$work" && wine cmd /d /c "$1" --version 2>/dev/null | tr -d '\r')
  grep -qF "$2" <<<"$output" || { echo "  '$1 --version' in a new console printed: $output"; return 1; }
}

# The help desk's first command after an install: the Chrome registration row of `certbridge doctor`.
doctor_finds_chrome_registration() {
  local report
  report=$(cd "$work" && wine cmd /d /c certbridge doctor --json --lang en 2>/dev/null | tr -d '\r')
  python3 -c '
import json, sys
rows = [row for row in json.loads(sys.argv[1])["rows"] if row["check"] == "manifest" and row["subject"] == "Google Chrome"]
sys.exit(0 if rows and rows[0]["status"] == "ok" else 1)' "$report" ||
    { echo "  certbridge doctor --json printed: ${report:0:2000}"; return 1; }
}

chrome_policy='SOFTWARE\Policies\Google\Chrome'
edge_policy='SOFTWARE\Policies\Microsoft\Edge'
firefox_policy='SOFTWARE\Policies\Mozilla\Firefox'
origins_a='https://ra.example.com https://ra-test.example.com:8443'
origins_b='https://ra.example.org'

echo "== per-machine install over broken and foreign policy values"
# Broken leftovers: wrong types where the MSI writes strings, and a remembered choice of the wrong type.
wine reg add 'HKLM\SOFTWARE\Policies\CertBridge' /v AllowedOrigins /t REG_BINARY /d 00ff00ff /f >/dev/null
wine reg add "HKLM\\$chrome_policy\\3rdparty\\extensions\\$chrome_id\\policy\\allowedOrigins" /v 1 /t REG_DWORD /d 7 /f >/dev/null
wine reg add 'HKLM\SOFTWARE\CertBridge\Installer' /v ForceInstall /t REG_DWORD /d 12 /f >/dev/null
# Policies IT set by other means: they must survive install, upgrade and uninstall.
wine reg add "HKLM\\$chrome_policy\\ExtensionInstallForcelist" /v 1 /t REG_SZ /d 'aaaabbbbccccddddeeeeffffgggghhhh;https://clients2.google.com/service/update2/crx' /f >/dev/null
wine reg add "HKLM\\$chrome_policy\\3rdparty\\extensions\\$chrome_id\\policy" /v allowedOriginsMode /t REG_SZ /d replace /f >/dev/null
system_path_before=$(path_entries "$system_environment")
system_path_value_before=$(reg_value "$system_environment" PATH)
system_path_type_before=$(reg_type "$system_environment" PATH)
check "per-machine install succeeds over broken values (exit status 0, not 1603)" \
  installs "$per_machine" ALLOWEDORIGINS="$origins_a" FORCEINSTALL=1
machine_folder='C:\Program Files\CertBridge\'
check "the installation folder is on the system PATH once" times_on_path "$system_environment" "$machine_folder" 1
check "... appended: the rest of the system PATH is as before" \
  path_kept "$system_environment" "$machine_folder" "$system_path_before"
check "... which keeps its type $system_path_type_before (its %SystemRoot% entries still expand)" \
  is "$(reg_type "$system_environment" PATH)" "$system_path_type_before"
check "nothing added to the user's PATH" is "$(path_entries "$user_environment")" ""
check "a new console runs certbridge-host by its name (PATH)" found_on_path certbridge-host "certbridge-host $version"
check "a new console runs certbridge by its name" found_on_path certbridge "certbridge $version"
check "certbridge doctor there finds the host the MSI registered for Chrome" doctor_finds_chrome_registration
check "host program installed in Program Files" test -f "$WINEPREFIX/drive_c/Program Files/CertBridge/certbridge-host.exe"
for manifest in chrome edge firefox; do
  check "$manifest manifest installed beside it" test -f "$WINEPREFIX/drive_c/Program Files/CertBridge/com.certbridge.host.$manifest.json"
done
check "Chrome's manifest lists the Edge Add-ons ID too (one manifest content for every store)" \
  grep -q "chrome-extension://$edge_id/" "$WINEPREFIX/drive_c/Program Files/CertBridge/com.certbridge.host.chrome.json"
check "Edge's manifest lists the Edge Add-ons ID" \
  grep -q "chrome-extension://$edge_id/" "$WINEPREFIX/drive_c/Program Files/CertBridge/com.certbridge.host.edge.json"
check "Chrome finds the manifest (HKLM NativeMessagingHosts)" \
  is "$(reg_value 'HKLM\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host' '')" 'C:\Program Files\CertBridge\com.certbridge.host.chrome.json'
check "Edge finds its manifest" \
  is "$(reg_value 'HKLM\SOFTWARE\Microsoft\Edge\NativeMessagingHosts\com.certbridge.host' '')" 'C:\Program Files\CertBridge\com.certbridge.host.edge.json'
check "Firefox finds its manifest" \
  is "$(reg_value 'HKLM\SOFTWARE\Mozilla\NativeMessagingHosts\com.certbridge.host' '')" 'C:\Program Files\CertBridge\com.certbridge.host.firefox.json'
check "the host's policy holds ALLOWEDORIGINS as REG_SZ (the broken binary value replaced)" \
  is "$(reg_type 'HKLM\SOFTWARE\Policies\CertBridge' AllowedOrigins) $(reg_value 'HKLM\SOFTWARE\Policies\CertBridge' AllowedOrigins)" "REG_SZ $origins_a"
for id in "$chrome_id" "$edge_id"; do
  check "Chrome's policy for extension $id: allowedOrigins entry 1" \
    is "$(reg_value "HKLM\\$chrome_policy\\3rdparty\\extensions\\$id\\policy\\allowedOrigins" 1)" "$origins_a"
  check "Edge's policy for extension $id: allowedOrigins entry 1" \
    is "$(reg_value "HKLM\\$edge_policy\\3rdparty\\extensions\\$id\\policy\\allowedOrigins" 1)" "$origins_a"
done
check "Firefox's policy for $firefox_id: allowedOrigins entry 1" \
  is "$(reg_value "HKLM\\$firefox_policy\\3rdparty\\Extensions\\$firefox_id\\allowedOrigins" 1)" "$origins_a"
check "Chrome force-installs from the Chrome Web Store (entry 9731)" \
  is "$(reg_value "HKLM\\$chrome_policy\\ExtensionInstallForcelist" 9731)" "$chrome_id;https://clients2.google.com/service/update2/crx"
check "Edge force-installs from Edge Add-ons (entry 9731)" \
  is "$(reg_value "HKLM\\$edge_policy\\ExtensionInstallForcelist" 9731)" "$edge_id;https://edge.microsoft.com/extensionwebstorebase/v1/crx"
check "Firefox force-installs through ExtensionSettings" \
  is "$(reg_value "HKLM\\$firefox_policy\\ExtensionSettings\\$firefox_id" installation_mode)" force_installed
check "IT's own forced-install entry 1 is untouched" \
  is "$(reg_value "HKLM\\$chrome_policy\\ExtensionInstallForcelist" 1)" 'aaaabbbbccccddddeeeeffffgggghhhh;https://clients2.google.com/service/update2/crx'
check "the installed host, started as Chrome starts it, answers status with version $version" \
  host_status HKLM "$chrome_id" "$version"
check "... and as Edge's store copy of the extension" host_status HKLM "$edge_id" "$version"
check "the host serves https://ra.example.com (only ALLOWEDORIGINS allows it) and names HKLM policy as its source" \
  host_status HKLM "$chrome_id" "$version" https://ra.example.com
check "one Add/Remove Programs entry" is "$(arp_entries)" 1

echo "== upgrade to $v2 with a changed ALLOWEDORIGINS"
check "upgrade to $v2 succeeds" installs "$work/certbridge-$v2-per-machine.msi" ALLOWEDORIGINS="$origins_b"
check "the host's policy has the new origins" is "$(reg_value 'HKLM\SOFTWARE\Policies\CertBridge' AllowedOrigins)" "$origins_b"
check "Chrome's extension policy has the new origins" \
  is "$(reg_value "HKLM\\$chrome_policy\\3rdparty\\extensions\\$chrome_id\\policy\\allowedOrigins" 1)" "$origins_b"
check "forced install kept (FORCEINSTALL remembered, not repeated)" has_value "HKLM\\$chrome_policy\\ExtensionInstallForcelist" 9731
check "the installation folder is still on the system PATH once" times_on_path "$system_environment" "$machine_folder" 1

echo "== upgrade to $v3 naming no property"
check "upgrade to $v3 succeeds" installs "$work/certbridge-$v3-per-machine.msi"
check "the changed ALLOWEDORIGINS is kept for the host" is "$(reg_value 'HKLM\SOFTWARE\Policies\CertBridge' AllowedOrigins)" "$origins_b"
check "... and for Firefox" is "$(reg_value "HKLM\\$firefox_policy\\3rdparty\\Extensions\\$firefox_id\\allowedOrigins" 1)" "$origins_b"
check "forced install kept" has_value "HKLM\\$edge_policy\\ExtensionInstallForcelist" 9731
check "still one Add/Remove Programs entry" is "$(arp_entries)" 1
check "still once on the system PATH" times_on_path "$system_environment" "$machine_folder" 1
# The later packages carry the same build of the host, which reports the version it was built with.
check "the host installed by the upgrade answers status" host_status HKLM "$chrome_id" "$version"
check "... and serves the kept origin https://ra.example.org from HKLM policy" \
  host_status HKLM "$chrome_id" "$version" https://ra.example.org
check "a downgrade to $version is refused" refused "$per_machine"
check "... and $v3 stays installed" is "$(installed_version)" "$v3"
check "... and the installed host still answers" host_status HKLM "$chrome_id" "$version"
check "... and its folder is on the system PATH once" times_on_path "$system_environment" "$machine_folder" 1

echo "== per-machine uninstall"
check "uninstall succeeds" msiexec /x "$work/certbridge-$v3-per-machine.msi"
check "program folder removed" test ! -e "$WINEPREFIX/drive_c/Program Files/CertBridge"
check "Chrome's NativeMessagingHosts key removed" no_key 'HKLM\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host'
check "Firefox's NativeMessagingHosts key removed" no_key 'HKLM\SOFTWARE\Mozilla\NativeMessagingHosts\com.certbridge.host'
check "the host's policy value removed" no_value 'HKLM\SOFTWARE\Policies\CertBridge' AllowedOrigins
check "Edge's extension policy entry removed" no_value "HKLM\\$edge_policy\\3rdparty\\extensions\\$edge_id\\policy\\allowedOrigins" 1
check "Firefox's ExtensionSettings entry removed" no_key "HKLM\\$firefox_policy\\ExtensionSettings\\$firefox_id"
check "the MSI's forced-install entries removed" no_value "HKLM\\$chrome_policy\\ExtensionInstallForcelist" 9731
check "IT's forced-install entry 1 is still there" has_value "HKLM\\$chrome_policy\\ExtensionInstallForcelist" 1
check "IT's allowedOriginsMode policy is still there" \
  is "$(reg_value "HKLM\\$chrome_policy\\3rdparty\\extensions\\$chrome_id\\policy" allowedOriginsMode)" replace
check "the remembered choices removed" no_value 'HKLM\SOFTWARE\CertBridge\Installer' AllowedOrigins
check "no Add/Remove Programs entry" is "$(arp_entries)" 0
check "the installation folder is off the system PATH" times_on_path "$system_environment" "$machine_folder" 0
check "... and the rest of the system PATH is as before the installation" \
  is "$(path_entries "$system_environment")" "$system_path_before"
check "... still of type $system_path_type_before" is "$(reg_type "$system_environment" PATH)" "$system_path_type_before"
# wine 8's RemoveEnvironmentStrings takes the folder out but leaves its separator behind (one ";" more at the
# end of the value for every removal, the upgrades' included), and wine's cmd.exe stops searching PATH at
# an empty entry, where Windows skips it. The value is put back as it was, so that the checks below measure
# the next package, not that leftover; for the same reason a console finds programs by name only after a
# fresh installation here, not after an upgrade.
restore_system_path() {
  local after
  after=$(reg_value "$system_environment" PATH)
  if [ "$after" != "$system_path_value_before" ]; then
    echo "note: after the uninstall the system PATH is '$after' (before: '$system_path_value_before')"
    wine reg add "$system_environment" /v PATH /t "$system_path_type_before" /d "$system_path_value_before" /f >/dev/null
  fi
}
restore_system_path

echo "== per-user install"
check "per-user install succeeds" installs "$per_user" ALLOWEDORIGINS="$origins_a" FORCEINSTALL=1
user_manifest=$(reg_value 'HKCU\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host' '')
user_host="$(dirname "$(winepath -u "$user_manifest" 2>/dev/null || echo /nonexistent/x)")/certbridge-host.exe"
check "the per-user host program is installed beside its manifests" test -f "$user_host"
check "Chrome finds the manifest in HKCU, under %LocalAppData%\\Programs" \
  grep -q '\\AppData\\Local\\Programs\\CertBridge\\com.certbridge.host.chrome.json$' <<<"$user_manifest"
check "nothing registered in HKLM" no_key 'HKLM\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host'
user_folder=${user_manifest%com.certbridge.host.chrome.json}
check "the per-user folder is on the user's PATH (HKCU\Environment) once" times_on_path "$user_environment" "$user_folder" 1
check "the system PATH is untouched" is "$(path_entries "$system_environment")" "$system_path_before"
check "a new console runs certbridge-host by its name (the user's PATH)" \
  found_on_path certbridge-host "certbridge-host $version"
check "the host's policy in HKCU" is "$(reg_value 'HKCU\SOFTWARE\Policies\CertBridge' AllowedOrigins)" "$origins_a"
check "Edge's extension policy in HKCU" \
  is "$(reg_value "HKCU\\$edge_policy\\3rdparty\\extensions\\$edge_id\\policy\\allowedOrigins" 1)" "$origins_a"
check "Edge force-installs for this user" has_value "HKCU\\$edge_policy\\ExtensionInstallForcelist" 9731
check "the per-user host answers status" host_status HKCU "$chrome_id" "$version"
check "... and serves https://ra.example.com from HKCU policy" host_status HKCU "$chrome_id" "$version" https://ra.example.com
check "per-user upgrade to $v2 with FORCEINSTALL=0 succeeds" installs "$work/certbridge-$v2-per-user.msi" FORCEINSTALL=0
check "... the forced installs are gone" no_value "HKCU\\$edge_policy\\ExtensionInstallForcelist" 9731
check "... Firefox's too" no_key "HKCU\\$firefox_policy\\ExtensionSettings\\$firefox_id"
check "... ALLOWEDORIGINS is kept" is "$(reg_value 'HKCU\SOFTWARE\Policies\CertBridge' AllowedOrigins)" "$origins_a"
check "... the folder is still on the user's PATH once" times_on_path "$user_environment" "$user_folder" 1
check "per-user uninstall succeeds" msiexec /x "$work/certbridge-$v2-per-user.msi"
check "per-user registration removed" no_key 'HKCU\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host'
check "per-user policy removed" no_value 'HKCU\SOFTWARE\Policies\CertBridge' AllowedOrigins
check "per-user program removed" test ! -e "$user_host"
check "the per-user folder is off the user's PATH" times_on_path "$user_environment" "$user_folder" 0
check "... and the system PATH was never touched" is "$(path_entries "$system_environment")" "$system_path_before"

echo "== mistyped properties"
# The MSI checks neither value: the host and the extension report a bad origin and ignore it. A typo must
# never fail the installation.
check "install with a mistyped ALLOWEDORIGINS and FORCEINSTALL=yes succeeds" \
  installs "$per_user" ALLOWEDORIGINS='ra.example.com;https://' FORCEINSTALL=yes
check "the origins are written as typed, for the host and the extension to report" \
  is "$(reg_value 'HKCU\SOFTWARE\Policies\CertBridge' AllowedOrigins)" 'ra.example.com;https://'
check "the host reports the mistyped origins in its environment answer and keeps serving" \
  host_status HKCU "$chrome_id" "$version" https://ra.certbridge.example --policy-problem
check "FORCEINSTALL other than 1 forces nothing" no_key "HKCU\\$chrome_policy\\ExtensionInstallForcelist"
check "uninstall succeeds" msiexec /x "$per_user"

echo "== ADDLOCAL given by IT"
check "install with ADDLOCAL=Host and ALLOWEDORIGINS succeeds" installs "$per_user" ADDLOCAL=Host ALLOWEDORIGINS="$origins_a"
check "ADDLOCAL is followed as written: the host is registered" \
  grep -q 'com.certbridge.host.chrome.json$' <<<"$(reg_value 'HKCU\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host' '')"
check "... and no policy written, since ADDLOCAL does not name AllowedOriginsPolicy" \
  no_value 'HKCU\SOFTWARE\Policies\CertBridge' AllowedOrigins
check "uninstall succeeds" msiexec /x "$per_user"

echo "$passed passed, $failed failed ($(($(date +%s) - started)) s)"
[ "$failed" -eq 0 ]
