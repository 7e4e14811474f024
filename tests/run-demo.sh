#!/usr/bin/env bash
# The demo, end to end, in one command: build the host and the extension, start the virtual test bed
# (private pcscd + virtual reader with a card + SoftHSM2 tokens) and the demo RA portal (with its OpenSSL
# test CA), register the host for Chromium under a throw-away HOME, then in headless Chromium with the real
# extension and host: run the portal's environment check, and the smart-card flows apply -> download on
# another computer -> renew on the virtual card (the PIN typed into CertBridge's own window). Prints each
# step and the resulting certificates, saves screenshots. Everything it started is torn down on exit.
#
#   bash tests/run-demo.sh [--preset dev|ci] [--serve]
#     --preset   CMake preset to configure and build (default: dev; build dir build/<preset>)
#     --serve    after the check, keep the test bed and portal running until Ctrl-C (to look around
#                with a browser that has the extension loaded; the bed's variables are printed)
#
# Exit status: 0 when every row of the check is OK and every flow completed, 1 when a row needs attention
# or a flow failed, other values when the demo could not run. Needs root (the test bed) and the packages of tests/install-dependencies.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly REPO=$PWD

preset=dev
serve=no
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --serve) serve=yes; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run-demo: unknown option $1" >&2; exit 2 ;;
  esac
done
readonly BUILD="$REPO/build/$preset"

say() { printf '\n==> %s\n' "$*"; }

if [ -f tests/install-dependencies.sh ]; then
  say "Checking dependencies (tests/install-dependencies.sh)"
  bash tests/install-dependencies.sh
fi

say "Configuring and building (preset $preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target certbridge-host extension -j "$(nproc)"

WORK=$(mktemp -d /tmp/certbridge-demo.XXXXXX)
PORTAL_PID=""
cleanup() {
  local status=$?
  [ -n "$PORTAL_PID" ] && kill "$PORTAL_PID" 2>/dev/null && wait "$PORTAL_PID" 2>/dev/null
  bash tests/testbed/testbed.sh stop "$WORK/bed" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Starting the virtual test bed"
# --owner: the bed also goes away if this script is killed outright.
bash tests/testbed/testbed.sh start "$WORK/bed" --owner $$ >/dev/null
# shellcheck disable=SC1091
source "$WORK/bed/env"
echo "reader \"$CERTBRIDGE_TESTBED_READER\" with a card, token \"$CERTBRIDGE_TESTBED_TOKEN\"; pcscd socket $PCSCLITE_CSOCK_NAME"

say "Starting the demo portal"
# Renewal normally opens 60 days before expiry; the demo renews certificates it has just issued, so the
# window is the whole validity. The SO PIN the CA gave its cards (the unlock page's authorization) is the
# test bed's, passed in the environment, never on a command line.
CERTBRIDGE_DEMO_CARD_ADMIN_PIN="$CERTBRIDGE_TESTBED_SO_PIN" \
  node tests/demo-portal/server.mjs --build-dir "$BUILD" --url-file "$WORK/portal.url" --renewal-window-days 730 \
  >"$WORK/portal.log" 2>&1 &
PORTAL_PID=$!
for _ in $(seq 100); do [ -s "$WORK/portal.url" ] && break; sleep 0.1; done
[ -s "$WORK/portal.url" ] || { cat "$WORK/portal.log" >&2; echo "run-demo: the portal did not start" >&2; exit 3; }
PORTAL_URL=$(cat "$WORK/portal.url")
echo "portal: $PORTAL_URL (environment check: ${PORTAL_URL}environment-check; card flows: ${PORTAL_URL}apply ...)"

say "Registering the host for Chromium under a throw-away HOME"
mkdir -p "$WORK/home"
HOME="$WORK/home" "$BUILD/host/certbridge-host" install --user --browser chromium --host-path "$BUILD/host/certbridge-host"

say "Running the environment check in headless Chromium"
readonly SCREENSHOTS="$BUILD/demo"
status=0
# The browser, and so the host it starts, inherit the test bed's variables sourced above.
node tests/browser/show-environment-check.mjs --url "$PORTAL_URL" --home "$WORK/home" \
  --extension "$BUILD/dist/extension" --screenshots "$SCREENSHOTS" || status=$?

say "Card flows in headless Chromium: apply -> download on another computer -> renew"
flows=0
node tests/browser/show-card-flows.mjs --url "$PORTAL_URL" --home "$WORK/home" --extension "$BUILD/dist/extension" \
  --host "$BUILD/host/certbridge-host" --bed "$WORK/bed" --screenshots "$SCREENSHOTS" || flows=$?
[ "$status" -ne 0 ] || status=$flows
if [ -n "${CERTBRIDGE_LOG_DIR:-}" ] && [ "$status" -ne 0 ] && ls "$CERTBRIDGE_LOG_DIR"/* >/dev/null 2>&1; then
  echo; echo "host log:"; tail -n 20 "$CERTBRIDGE_LOG_DIR"/*
fi

if [ "$serve" = yes ]; then
  say "Serving until Ctrl-C"
  echo "portal: ${PORTAL_URL}environment-check"
  echo "test bed variables (for a browser started by hand): $WORK/bed/env"
  while kill -0 "$PORTAL_PID" 2>/dev/null; do sleep 1; done
fi
exit "$status"
