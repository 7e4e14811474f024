#!/usr/bin/env bash
# installer/windows/sign_msi.sh with a throw-away code-signing certificate: the signed MSI verifies against
# that certificate and still reads as an MSI, an MSI changed after signing does not verify, and a wrong
# password fails the signing (without the password on any command line).
#   msi_signing_test.sh MSI REASON_IF_NOT_BUILT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
msi=$1
not_built=$2
skip() {
  if [ -n "${CI:-}" ]; then echo "FAILED: $1 (CI installs everything: run tests/install-dependencies.sh)"; exit 1; fi
  echo "SKIPPED: $1"
  exit 77
}
command -v osslsigncode >/dev/null || skip "osslsigncode not found (Debian package osslsigncode)"
command -v msiinfo >/dev/null || skip "msiinfo not found (Debian package msitools)"
[ -f "$msi" ] || skip "$not_built"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=CertBridge test code signing" \
  -addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
export CERTBRIDGE_SIGNING_PASSWORD="throw-away test password"
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/signing.p12" \
  -passout env:CERTBRIDGE_SIGNING_PASSWORD

check "sign_msi.sh signs the MSI" bash "$here/../../installer/windows/sign_msi.sh" "$msi" "$work/signed.msi" "$work/signing.p12"
verify() { osslsigncode verify -in "$1" -CAfile "$work/cert.pem" >"$work/verify.log" 2>&1; }
check "the signature verifies against the signing certificate" verify "$work/signed.msi"
check "the signer is the test certificate" grep -q "CertBridge test code signing" "$work/verify.log"
check "the signed file is still an MSI with the same product" \
  test "$(msiinfo export "$work/signed.msi" Property | grep ProductCode)" = "$(msiinfo export "$msi" Property | grep ProductCode)"
check "the unsigned MSI does not verify" bash -c "! osslsigncode verify -in '$msi' -CAfile '$work/cert.pem' >/dev/null 2>&1"
# A changed byte inside the signed content (the embedded cabinet) must break the signature.
cp "$work/signed.msi" "$work/tampered.msi"
offset=$(grep -abo 'certbridge-host' "$work/tampered.msi" | head -1 | cut -d: -f1 || true)
printf 'X' | dd of="$work/tampered.msi" bs=1 seek="${offset:-4096}" conv=notrunc status=none
check "an MSI changed after signing does not verify" bash -c "! osslsigncode verify -in '$work/tampered.msi' -CAfile '$work/cert.pem' >/dev/null 2>&1"
check "a wrong password fails the signing" bash -c \
  "! CERTBRIDGE_SIGNING_PASSWORD=wrong bash '$here/../../installer/windows/sign_msi.sh' '$msi' '$work/wrong.msi' '$work/signing.p12' 2>/dev/null"
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
