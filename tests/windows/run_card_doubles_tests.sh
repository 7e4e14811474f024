#!/usr/bin/env bash
# Runs the checks of the card TEST DOUBLES (mock_card/README.md: the mock PKCS#11 module and the mock
# winscard.dll) under wine, in a private, throw-away wine prefix, with the environment a wine test of
# certbridge-host.exe sets to use them:
#   WINEDLLOVERRIDES="winscard=n"          the winscard.dll beside the program, not wine's builtin stub
#   CERTBRIDGE_MOCK_CARD_STATE=Z:\...\card.state   the simulated card, shared by both doubles and by every process
# Each phase is a process of its own, as successive host processes are. Signatures the doubles make are
# verified here with OpenSSL, against the modulus the module reported.
#   run_card_doubles_tests.sh CARD_DOUBLES_FOLDER|"" REASON_IF_NOT_BUILT
# Exits 77 (skipped, with the reason) when wine or the cross-compiled program is missing; with CI set that
# is a failure instead, since CI installs everything.
set -euo pipefail
doubles=${1:-}
not_built_reason=${2:-"the card test doubles were not built"}

. "$(dirname "$0")/wine_suite.sh"
wine_suite_require "$not_built_reason" "$doubles/card_doubles_test.exe"
wine_suite_start
. "$(dirname "$0")/mock_card/card_doubles.sh"

windows_path() { local path=$1; echo "Z:${path//\//\\}"; }

# The program and the doubles together in one folder, as certbridge-host.exe and the mock winscard.dll would be.
program="$work/program"
mkdir -p "$program" "$work/files"
cp "$doubles/card_doubles_test.exe" "$program/"
card_doubles_install "$doubles" "$program"
state="$work/card.state"
card_doubles_use "$state"  # a new, empty file: the doubles make a fresh card in it

# A certificate for the module to store (any will do: the module does not parse it).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/files/certificate.key" -subj "/CN=CertBridge mock card test" \
  -days 30 -outform DER -out "$work/files/certificate.der" 2>/dev/null

wine_suite_boot


run_phase() {
  local phase=$1 output status=0
  echo "--- phase $phase"
  output=$(wine "$program/card_doubles_test.exe" "$phase" "$(windows_path "$work/files")" 2>&1) || status=$?
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

# An RSA public key from the modulus the module reported (exponent 65537), as PEM for openssl dgst.
public_key_from_modulus() {  # public_key_from_modulus MODULUS_FILE OUT_PEM
  printf 'asn1=SEQUENCE:key\n[key]\nn=INTEGER:0x%s\ne=INTEGER:0x010001\n' "$(od -An -v -tx1 "$1" | tr -d ' \n')" \
    >"$work/key.cnf"
  openssl asn1parse -genconf "$work/key.cnf" -out "$work/key.der" -noout >/dev/null &&
    openssl rsa -RSAPublicKey_in -inform DER -in "$work/key.der" -pubout -out "$2" 2>/dev/null
}
verifies() {  # verifies MESSAGE SIGNATURE
  openssl dgst -sha256 -verify "$work/files/public.pem" -signature "$2" "$1" >/dev/null 2>&1
}
tampered_fails() {
  cp "$work/files/message.bin" "$work/tampered.bin"
  printf 'x' >>"$work/tampered.bin"
  ! verifies "$work/tampered.bin" "$work/files/signature.bin"
}
no_pin_in_state() { ! grep -qE '123456|654321|87654321' "$state"; }

run_phase fresh
check "the fresh card's state file holds no PIN" no_pin_in_state
run_phase pins
check "after PIN changes the state file still holds no PIN" no_pin_in_state
run_phase keys
check "the module's modulus makes an RSA public key" public_key_from_modulus "$work/files/modulus.bin" "$work/files/public.pem"
check "OpenSSL verifies the card's PKCS#1 v1.5 SHA-256 signature" verifies "$work/files/message.bin" "$work/files/signature.bin"
check "... and rejects it for another message" tampered_fails
run_phase persisted
check "OpenSSL verifies the signature made by the next process with the same key" \
  verifies "$work/files/message2.bin" "$work/files/signature2.bin"
run_phase removal
check "the shell pulls the card" mock_card_pull "$state"
run_phase pulled
check "the shell puts it back" mock_card_insert "$state"
check "... as a new insertion" grep -qx 'insertion 3' "$state"
run_phase readers
run_phase concurrent

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
