#!/usr/bin/env bash
# Runs the Windows certificate-registration tests (certificate_registry_test.exe, cross-compiled with
# mingw-w64) under wine in a private, throw-away wine prefix. Each phase is a new Windows process, and the
# wine server is let go between phases, so every "verify" phase reads CurrentUser\MY back from the
# prefix's registry files on disk, as a browser starting later would. Between phases the script also reads
# those files itself (user.reg) to see the certificates arrive and leave, independently of crypt32.
#   run_windows_tests.sh TEST_EXE|"" REASON_IF_NOT_BUILT
# Exits 77 (skipped, with the reason) when wine or the cross-compiled program is missing; with CI set that
# is a failure instead, since CI installs everything.
set -euo pipefail
test_exe=${1:-}
not_built_reason=${2:-"the Windows test program was not built"}

. "$(dirname "$0")/wine_suite.sh"
wine_suite_require "$not_built_reason" "$test_exe"
wine_suite_start

# Test certificates, made here with OpenSSL; their thumbprints from coreutils, not from Windows code.
certs="$work/certificates"
mkdir -p "$certs"
for name in card-a card-b card-c card-d user-own; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$certs/$name.key" \
    -subj "/CN=CertBridge test $name/O=CertBridge" -days 30 -outform DER -out "$certs/$name.der" 2>/dev/null
  sha1sum "$certs/$name.der" | cut -d' ' -f1 >"$certs/$name.sha1"
  sha256sum "$certs/$name.der" | cut -d' ' -f1 >"$certs/$name.sha256"
done
windows_certs="Z:${certs//\//\\}"

wine_suite_boot


# Runs one phase as its own process, then waits for the wine server to exit (it writes the registry to the
# prefix's files then), so the next phase starts a new server that reads it back from disk.
run_phase() {
  local phase=$1 output status=0
  echo "--- phase $phase"
  output=$(wine "$test_exe" "$phase" "$windows_certs" 2>&1) || status=$?
  wineserver -w
  printf '%s\n' "$output" | tr -d '\r'
  local summary
  summary=$(printf '%s\n' "$output" | tr -d '\r' | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1 || true)
  if [ -z "$summary" ]; then
    echo "FAILED: phase $phase ended without a summary (exit status $status)"
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + ${summary%% passed*}))
  local phase_failed=${summary#*passed, }
  failed=$((failed + ${phase_failed%% failed}))
  if [ "$status" -ne 0 ] && [ "${phase_failed%% failed}" -eq 0 ]; then
    echo "FAILED: phase $phase exited with status $status"
    failed=$((failed + 1))
  fi
}

# The registry key of a certificate in CurrentUser\MY, as the prefix's user.reg holds it on disk.
in_user_registry() {  # in_user_registry NAME
  local thumbprint
  thumbprint=$(tr 'a-f' 'A-F' <"$certs/$1.sha1")
  grep -qiF "[Software\\\\Microsoft\\\\SystemCertificates\\\\MY\\\\Certificates\\\\$thumbprint]" "$WINEPREFIX/user.reg"
}
not_in_user_registry() { ! in_user_registry "$1"; }

run_phase user-setup
check "user.reg holds the user's own certificates" in_user_registry user-own
check "user.reg does not hold card A yet" not_in_user_registry card-a
run_phase register
check "user.reg holds card A and card B after register" in_user_registry card-a
check "... card B" in_user_registry card-b
run_phase verify-registered
run_phase unregister
check "user.reg no longer holds card A after unregister" not_in_user_registry card-a
check "... nor card B" not_in_user_registry card-b
check "user.reg still holds the user's certificates" in_user_registry user-own
check "... and the user's copy of card C" in_user_registry card-c
run_phase verify-unregistered
run_phase shared-interface

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
