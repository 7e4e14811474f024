#!/usr/bin/env bash
# Runs the host's Windows crypto tests (crypto_test.exe: host/src/crypto/windows, BCrypt and crypt32,
# cross-compiled with mingw-w64) under wine in a private, throw-away wine prefix, and checks every output
# with OpenSSL: the PKCS#10 request (signature, subject, string types, critical key usage), the authenticate
# signature, the parsed certificate fields against `openssl x509`, and the CMS signatures with
# `openssl cms -verify`. The unblock self-test must refuse clearly under wine 8 (its ECDH is a stub).
#   run_windows_crypto_tests.sh TEST_EXE|"" REASON_IF_NOT_BUILT
# Exits 77 (skipped, with the reason) when wine, openssl or the program is missing; with CI set that is a
# failure instead, since CI installs everything.
set -euo pipefail
test_exe=${1:-}
not_built_reason=${2:-"the Windows crypto test program was not built"}

. "$(dirname "$0")/wine_suite.sh"
wine_suite_require "$not_built_reason" "$test_exe"
wine_suite_start

out="$work/out"
mkdir -p "$out"
windows_out="Z:${out//\//\\}"
wine_suite_boot

same() {  # same DESCRIPTION EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then
    echo "ok: $1"
    passed=$((passed + 1))
  else
    printf 'FAILED: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    failed=$((failed + 1))
  fi
}

run_phase() {  # run_phase PHASE: the program's own checks count too
  local phase=$1 output status=0 summary
  echo "--- phase $phase"
  output=$(wine "$test_exe" "$phase" "$windows_out" 2>&1) || status=$?
  wineserver -w
  printf '%s\n' "$output" | tr -d '\r'
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

# --- Phase 1: key, PKCS#10 request, authenticate signature, unblock self-test ---------------------------
run_phase key

check "openssl req -verify accepts the request's signature" \
  openssl req -in "$out/request.pem" -verify -noout
same "the request's subject, as OpenSSL shows it (RFC 2253, UTF-8 kept, specials escaped)" \
  'subject=emailAddress=wang@example.com,CN=王小明,serialNumber=ID-42,OU=R&D\, Team\+1,O=CertBridge 测试,C=CN,DC=example' \
  "$(openssl req -in "$out/request.pem" -noout -subject -nameopt RFC2253,-esc_msb)"
request_asn1=$(openssl asn1parse -in "$out/request.pem")
string_types=$(printf '%s\n' "$request_asn1" | grep -oE '(IA5STRING|PRINTABLESTRING|UTF8STRING) +:.*' | tr -s ' ' | tr '\n' '|')
same "the subject's string types: IA5String for DC and email, PrintableString for C and serialNumber, else UTF8String" \
  'IA5STRING :example|PRINTABLESTRING :CN|UTF8STRING :CertBridge 测试|UTF8STRING :R&D, Team+1|PRINTABLESTRING :ID-42|UTF8STRING :王小明|IA5STRING :wang@example.com|' \
  "$string_types"
request_text=$(openssl req -in "$out/request.pem" -noout -text)
check "the request asks for a critical key usage: digitalSignature, nonRepudiation" \
  grep -qzE 'X509v3 Key Usage: critical[[:space:]]+Digital Signature, Non Repudiation' <<<"$request_text"
check "the request is version 1 (0) and sha256WithRSAEncryption" \
  grep -qzE 'Version: 1 \(0x0\).*Signature Algorithm: sha256WithRSAEncryption' <<<"$request_text"
check "the encryption request asks for keyEncipherment, dataEncipherment" \
  grep -qzE 'X509v3 Key Usage: critical[[:space:]]+Key Encipherment, Data Encipherment' \
  <<<"$(openssl req -in "$out/request-encryption.pem" -noout -text)"
check "the encryption request verifies too" openssl req -in "$out/request-encryption.pem" -verify -noout

# Byte for byte what OpenSSL makes from the same key and subject (PKCS#1 v1.5 signatures are deterministic):
# the test key, saved by the program as a BCRYPT_RSAFULLPRIVATE_BLOB (header, then e, n, p, q, dp, dq, qinv,
# d, big-endian), rebuilt as an RSAPrivateKey with openssl asn1parse -genconf.
private_key_pem() {  # private_key_pem BLOB OUT.pem
  local blob=$1 offset=24 e n p q dp dq qinv d
  hex_at() { od -An -tx1 -v -j "$1" -N "$2" "$blob" | tr -d ' \n'; }
  read -r _ _ e_len n_len p_len q_len <<<"$(od -An -tu4 -N24 "$blob" | tr -s ' \n' ' ')"
  e=$(hex_at $offset "$e_len") && offset=$((offset + e_len))
  n=$(hex_at $offset "$n_len") && offset=$((offset + n_len))
  p=$(hex_at $offset "$p_len") && offset=$((offset + p_len))
  q=$(hex_at $offset "$q_len") && offset=$((offset + q_len))
  dp=$(hex_at $offset "$p_len") && offset=$((offset + p_len))
  dq=$(hex_at $offset "$q_len") && offset=$((offset + q_len))
  qinv=$(hex_at $offset "$p_len") && offset=$((offset + p_len))
  d=$(hex_at $offset "$n_len")
  printf 'asn1=SEQUENCE:key\n[key]\nversion=INTEGER:0\nn=INTEGER:0x%s\ne=INTEGER:0x%s\nd=INTEGER:0x%s\np=INTEGER:0x%s\nq=INTEGER:0x%s\ndp=INTEGER:0x%s\ndq=INTEGER:0x%s\nqinv=INTEGER:0x%s\n' \
    "$n" "$e" "$d" "$p" "$q" "$dp" "$dq" "$qinv" >"$work/key.conf"
  openssl asn1parse -genconf "$work/key.conf" -noout -out "$work/key.der" && openssl pkey -inform DER -in "$work/key.der" -out "$2"
}
private_key_pem "$out/key.blob" "$work/key.pem"
openssl_request() {  # openssl_request SUBJECT KEY_USAGE
  openssl req -new -key "$work/key.pem" -utf8 -subj "$1" -addext "keyUsage=critical,$2" -outform DER \
    -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n')
}
check "the request is byte for byte what openssl req -new makes with the same key and subject" \
  cmp -s <(openssl req -in "$out/request.pem" -outform DER) \
  <(openssl_request '/DC=example/C=CN/O=CertBridge 测试/OU=R&D, Team\+1/serialNumber=ID-42/CN=王小明/emailAddress=wang@example.com' \
    digitalSignature,nonRepudiation)
check "... and so is the encryption request" \
  cmp -s <(openssl req -in "$out/request-encryption.pem" -outform DER) \
  <(openssl_request '/CN=encryption key' keyEncipherment,dataEncipherment)

# The authenticate signature: recompute the message from origin and challenge, verify with OpenSSL.
{ printf '%s' "https://ra.example" | openssl dgst -sha256 -binary
  printf '%s' "challenge-0123456789" | openssl dgst -sha256 -binary; } >"$work/expected-message.bin"
check "the authenticate message is SHA-256(origin) || SHA-256(challenge)" cmp -s "$work/expected-message.bin" "$out/auth-message.bin"
openssl pkey -pubin -inform DER -in "$out/publickey.der" -out "$work/publickey.pem"
check "openssl dgst -verify accepts the authenticate signature (sha256WithRSAEncryption)" \
  openssl dgst -sha256 -verify "$work/publickey.pem" -signature "$out/auth.sig" "$out/auth-message.bin"
check "... and the request carries the same public key" \
  cmp -s <(openssl req -in "$out/request.pem" -noout -pubkey) "$work/publickey.pem"

# Under wine 8 the self-test must fail and say so; elsewhere it must pass and open what it sealed.
unblock=$(tr -d '\r' <"$out/unblock.txt" 2>/dev/null || echo "no unblock.txt")
echo "unblock: $unblock"
if [[ "$(wine --version)" == wine-8.* ]]; then
  check "under wine 8 the unblock refuses with UnblockSelfTestFailed, naming the failing step" \
    grep -qE '^UnblockSelfTestFailed: .*failed the unblock self-test: (ECDH|HKDF)' <<<"$unblock"
else
  check "the unblock either opens what it sealed or refuses clearly, never a wrong SO PIN" \
    grep -qE '^(round trip ok|UnblockSelfTestFailed: .*failed the unblock self-test: )' <<<"$unblock"
fi

# --- Certificates for phase 2, made with OpenSSL ---------------------------------------------------------
certs="$work/certs"
mkdir -p "$certs"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$certs/ca.key" -subj "/O=CertBridge Test/CN=CertBridge Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -days 30 -set_serial 1 -out "$certs/ca.pem" 2>/dev/null
openssl x509 -in "$certs/ca.pem" -outform DER -out "$out/cert-ca.der"
# The signer: the request's key and subject, issued by the CA, with a serial that has a leading zero byte.
openssl x509 -req -in "$out/request.pem" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -set_serial 0x00A1B2C3 \
  -days 20 -copy_extensions copy -outform DER -out "$out/cert-signer.der" 2>/dev/null
# Names that need RFC 2253 escaping, a multi-valued RDN, T61 and BMP strings, a date past 2049.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$certs/names.key" -utf8 -multivalue-rdn \
  -subj '/DC=com/DC=example/C=TW/O=Acme\, Inc. <east>;west/OU= #lead and trail /CN=李四+serialNumber=7/emailAddress=a@b.example' \
  -addext "keyUsage=critical,keyEncipherment" -days 20000 -set_serial 0x7F -out "$certs/names.pem" 2>/dev/null
openssl x509 -in "$certs/names.pem" -outform DER -out "$out/cert-names.der"
# PrintableString where it can, else T61String (Latin-1), else BMPString (UCS-2).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$certs/bmp.key" -utf8 -subj '/CN=Ünïcödé 名前/O=#1 "quoted"\\back/OU=Café' \
  -days 5 -set_serial 0x0102030405060708090A -out "$certs/bmp.pem" 2>/dev/null \
  -config <(printf '[req]\ndistinguished_name=dn\nstring_mask=MASK:0x0806\n[dn]\n')
openssl x509 -in "$certs/bmp.pem" -outform DER -out "$out/cert-bmp.der"

# --- Phase 2: certificate fields, issuers, CMS -----------------------------------------------------------
run_phase sign

epoch_of() { date -u -d "$1" +%s; }
for der in "$out"/cert-*.der; do
  name=$(basename "$der" .der)
  fields="$out/$name.fields"
  if [ ! -f "$fields" ]; then
    echo "FAILED: $name: no fields written"
    failed=$((failed + 1))
    continue
  fi
  field() { tr -d '\r' <"$fields" | grep -m1 "^$1=" | cut -d= -f2-; }
  x509() { openssl x509 -inform DER -in "$der" -noout "$@"; }
  same "$name: subject" "$(x509 -subject -nameopt RFC2253,-esc_msb | cut -d= -f2-)" "$(field subject)"
  same "$name: issuer" "$(x509 -issuer -nameopt RFC2253,-esc_msb | cut -d= -f2-)" "$(field issuer)"
  same "$name: serial" "$(x509 -serial | cut -d= -f2-)" "$(field serial)"
  same "$name: notBefore" "$(epoch_of "$(x509 -startdate | cut -d= -f2-)")" "$(field notBefore)"
  same "$name: notAfter" "$(epoch_of "$(x509 -enddate | cut -d= -f2-)")" "$(field notAfter)"
  check "$name: PEM as OpenSSL writes it" cmp -s <(openssl x509 -inform DER -in "$der") <(tr -d '\r' <"$out/$name.pem")
  # CA and key usage as OpenSSL reads the extensions (no key usage extension: usable for both).
  text=$(x509 -text)
  expected_ca=0
  grep -q 'CA:TRUE' <<<"$text" && expected_ca=1
  usage=$(grep -A1 'X509v3 Key Usage' <<<"$text" | tail -n1 || true)
  expected_signing=1 expected_encryption=1
  if grep -q 'X509v3 Key Usage' <<<"$text"; then
    grep -qE 'Digital Signature|Non Repudiation' <<<"$usage" || expected_signing=0
    grep -qE 'Key Encipherment|Data Encipherment' <<<"$usage" || expected_encryption=0
  fi
  same "$name: isCa, signing, encryption" "$expected_ca $expected_signing $expected_encryption" \
    "$(field isCa) $(field signing) $(field encryption)"
done
same "the signer's commonName is the UTF-8 CN" "王小明" "$(tr -d '\r' <"$out/cert-signer.fields" | grep '^commonName=' | cut -d= -f2-)"
same "the names certificate's commonName is its last CN" "李四" "$(tr -d '\r' <"$out/cert-names.fields" | grep '^commonName=' | cut -d= -f2-)"
same "a BMPString CN is converted to UTF-8" "Ünïcödé 名前" "$(tr -d '\r' <"$out/cert-bmp.fields" | grep '^commonName=' | cut -d= -f2-)"

cms_verify() {  # cms_verify FILE [CONTENT]
  openssl cms -verify -binary -inform DER -in "$1" -CAfile "$certs/ca.pem" -purpose any \
    ${2:+-content "$2"} -out "$work/verified.bin" 2>/dev/null && cmp -s "$work/verified.bin" "$out/data.bin"
}
check "openssl cms -verify accepts the attached signature and gives back the data byte for byte" \
  cms_verify "$out/cms-attached.der"
check "openssl cms -verify accepts the detached signature over the data" \
  cms_verify "$out/cms-detached.der" "$out/data.bin"
cms_print=$(openssl cms -cmsout -print -inform DER -in "$out/cms-attached.der")
signed_attributes=$(sed -n '/signedAttrs:/,/signatureAlgorithm:/p' <<<"$cms_print" | grep -oE 'object: [A-Za-z]+' |
  cut -d' ' -f2 | sort | tr '\n' ' ')
same "the signed attributes are content type, message digest and signing time" \
  "contentType messageDigest signingTime " "$signed_attributes"
same "the signer is named by issuer and serial number, version 1" 1 \
  "$(grep -cE 'd.issuerAndSerialNumber:' <<<"$cms_print" || true)"
same "... and carries the signer and the CA once each" 2 "$(openssl cms -cmsout -print -inform DER -in "$out/cms-attached.der" | grep -c 'cert_info:')"
check "the detached signature holds no content" \
  grep -q 'eContent: <ABSENT>' <<<"$(openssl cms -cmsout -print -inform DER -in "$out/cms-detached.der")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
