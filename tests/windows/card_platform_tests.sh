#!/usr/bin/env bash
# Runs the card library's Windows tests (card_platform_test.exe and card_pcsc_test.exe, cross-compiled with
# mingw-w64) under wine in a private, throw-away wine prefix. The certificates and every field the Windows code must compute
# from them (subject, issuer and serial number DER, SHA-1 key identifier) are made here with OpenSSL, so the
# Windows side (crypt32, BCrypt) is checked against OpenSSL's answers, not its own.
#   card_platform_tests.sh BUILD_DIR|"" REASON_IF_NOT_BUILT
# card_pcsc_test.exe drives the card locator and reader watch through the PC/SC seam with WinSCard's types.
# BUILD_DIR holds both programs and the helper DLLs. Exits 77 (skipped, with the reason) when wine or
# the program is missing; with CI set that is a failure instead, since CI installs everything.
set -euo pipefail
build_dir=${1:-}
not_built_reason=${2:-"the Windows card test program was not built"}

. "$(dirname "$0")/wine_suite.sh"
wine_suite_require "$not_built_reason" "$build_dir/card_platform_test.exe" "$build_dir/card_pcsc_test.exe"
wine_suite_start

data="$work/data"
mkdir -p "$data"
cp "$build_dir/card_platform_test.exe" "$build_dir/card_pcsc_test.exe" "$build_dir/not_a_module.dll" "$build_dir/refusing_module.dll" "$data/"

# A CA with a random 20-byte serial, a leaf with a UTF-8 subject and a serial whose high bit is set (DER adds a
# zero byte), and an EC leaf with serial 1.
quiet() { "$@" 2>/dev/null; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -subj "/C=DE/O=CertBridge/CN=CertBridge Test CA" \
  -days 30 -outform DER -out "$data/ca.der"
openssl x509 -inform DER -in "$data/ca.der" -out "$work/ca.pem"
quiet openssl req -new -newkey rsa:2048 -nodes -keyout "$work/leaf.key" -utf8 \
  -subj "/C=CH/O=Stadt Zürich/CN=Jürgen Müller 王小明" -out "$work/leaf.csr"
quiet openssl x509 -req -in "$work/leaf.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -set_serial 0x80112233445566778899aabb -days 30 -outform DER -out "$data/leaf.der"
quiet openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ec.key" \
  -subj "/CN=CertBridge EC leaf" -out "$work/ec.csr"
quiet openssl x509 -req -in "$work/ec.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -set_serial 1 -days 30 \
  -outform DER -out "$data/ec-leaf.der"

# The DER element at OFFSET (header HL, content L) of FILE, as openssl asn1parse reports them.
element() {  # element FILE OFFSET HL L
  tail -c +$(($2 + 1)) "$1" | head -c $(($3 + $4))
}
# The top-level fields of the TBSCertificate (depth 2), without the [0] version: "offset hl l" per line, in
# order serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo.
tbs_fields() {  # tbs_fields FILE
  openssl asn1parse -inform DER -in "$1" | sed -E 's/l= +/l=/g' |
    awk '/d=2/ && !/cont \[ 0 \]/ { split($1, o, ":"); split($2, h, "="); split($3, l, "="); print o[1], h[2], l[2] }'
}
for name in ca leaf ec-leaf; do
  der="$data/$name.der"
  mapfile -t fields < <(tbs_fields "$der")
  # shellcheck disable=SC2086
  element "$der" ${fields[0]} >"$data/$name.serial.der"
  # shellcheck disable=SC2086
  element "$der" ${fields[2]} >"$data/$name.issuer.der"
  # shellcheck disable=SC2086
  element "$der" ${fields[4]} >"$data/$name.subject.der"
  # shellcheck disable=SC2086
  element "$der" ${fields[5]} >"$work/$name.spki.der"
  # The key bits: the BIT STRING's content after its unused-bits byte.
  read -r offset hl l < <(openssl asn1parse -inform DER -in "$work/$name.spki.der" | sed -E 's/l= +/l=/g' |
    awk '/d=1/ && /BIT STRING/ { split($1, o, ":"); split($2, h, "="); split($3, l, "="); print o[1], h[2], l[2] }')
  tail -c +$((offset + hl + 2)) "$work/$name.spki.der" | head -c $((l - 1)) | openssl dgst -sha1 -binary >"$data/$name.keyid"
done

# The extraction itself, checked against OpenSSL's other views: the serial in hex, the CA's subject key
# identifier extension (the same SHA-1, written by openssl req), and the subject parsed back.
failed=0
serial_hex=$(openssl x509 -inform DER -in "$data/leaf.der" -noout -serial | cut -d= -f2)
[ "$(tail -c +3 "$data/leaf.serial.der" | od -An -tx1 | tr -d ' \n' | tr a-f A-F | sed 's/^00//')" = "$serial_hex" ] ||
  { echo "FAILED: the leaf's serial DER is not openssl's serial $serial_hex"; failed=1; }
ski=$(openssl x509 -inform DER -in "$data/ca.der" -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :\n' | tr A-F a-f)
[ "$(od -An -tx1 "$data/ca.keyid" | tr -d ' \n')" = "$ski" ] ||
  { echo "FAILED: the CA's key identifier is not its subjectKeyIdentifier $ski"; failed=1; }
openssl asn1parse -inform DER -in "$data/leaf.subject.der" | grep -q "Jürgen Müller" ||
  { echo "FAILED: the leaf's subject DER does not hold its common name"; failed=1; }
[ "$failed" -eq 0 ] && echo "ok: the expected fields are OpenSSL's (serial $serial_hex, CA key id $ski)"

wine_suite_boot
run_program() {  # run_program NAME: runs NAME.exe with the data folder; counts a failure in $failed
  local status=0 output summary
  output=$(wine "$data/$1.exe" "Z:${data//\//\\}" 2>&1) || status=$?
  printf '%s\n' "$output" | tr -d '\r'
  summary=$(printf '%s\n' "$output" | tr -d '\r' | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1 || true)
  if [ -z "$summary" ]; then
    echo "FAILED: $1.exe ended without a summary (exit status $status)"
    failed=1
  elif [ "$status" -ne 0 ]; then
    failed=1
  fi
}
echo "--- card_platform_test"
run_program card_platform_test
echo "--- card_pcsc_test"
run_program card_pcsc_test
[ "$failed" -eq 0 ]
