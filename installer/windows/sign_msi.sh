#!/usr/bin/env bash
# Signs an MSI with Authenticode (osslsigncode), as the release does before IT gets it: Windows shows the
# publisher instead of "Unknown publisher", and SmartScreen, AppLocker or Intune rules can trust the signer.
#   CERTBRIDGE_SIGNING_PASSWORD=... sign_msi.sh IN.msi OUT.msi SIGNING.p12 [TIMESTAMP_URL]
# SIGNING.p12: the code-signing certificate and key (with its chain). The password is read from the
# environment and handed to osslsigncode through a pipe, never on a command line (where `ps` would show it).
# TIMESTAMP_URL: an RFC 3161 time-stamping service (e.g. the certificate vendor's), so the signature stays
# valid after the certificate expires; release builds always give one. Verify with:
#   osslsigncode verify -in OUT.msi [-CAfile CHAIN.pem]
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: CERTBRIDGE_SIGNING_PASSWORD=... $0 IN.msi OUT.msi SIGNING.p12 [TIMESTAMP_URL]" >&2
  exit 2
fi
in=$1 out=$2 pkcs12=$3 timestamp=${4:-}
[ -f "$in" ] || { echo "sign_msi: no such MSI: $in" >&2; exit 2; }
[ -f "$pkcs12" ] || { echo "sign_msi: no such PKCS#12 file: $pkcs12" >&2; exit 2; }
[ -n "${CERTBRIDGE_SIGNING_PASSWORD+set}" ] || { echo "sign_msi: CERTBRIDGE_SIGNING_PASSWORD is not set" >&2; exit 2; }
timestamp_args=()
[ -n "$timestamp" ] && timestamp_args=(-ts "$timestamp")
printf '%s' "$CERTBRIDGE_SIGNING_PASSWORD" |
  osslsigncode sign -pkcs12 "$pkcs12" -readpass - -h sha256 -n "CertBridge" -i "https://certbridge.example" \
    "${timestamp_args[@]}" -in "$in" -out "$out"
