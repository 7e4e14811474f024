# Shared start of the scripts that run Windows test programs under wine (sourced, not run):
#   . "$(dirname "$0")/wine_suite.sh"
#   wine_suite_require "REASON_IF_NOT_BUILT" FILE...   skip (exit 77, with the reason) unless every FILE exists
#                                                      and wine, wineserver and openssl are there; with CI set
#                                                      a skip is a failure instead, since CI installs everything
#   wine_suite_start                                   a private, throw-away wine prefix under $work, removed
#                                                      (with its wine server) when the script exits
#   wine_suite_boot                                    makes the prefix (wineboot) and waits for it
#   check DESCRIPTION COMMAND...                       runs COMMAND: "ok: ..." or "FAILED: ...", counted in
#                                                      $passed and $failed
# Console programs need no display, no Mono and no Gecko: none is installed into the prefix.

wine_suite_skip() {
  if [ -n "${CI:-}" ]; then
    echo "FAILED: $1 (CI installs everything: run tests/install-dependencies.sh)"
    exit 1
  fi
  echo "SKIPPED: $1"
  exit 77
}

wine_suite_require() {
  local reason=$1 file
  shift
  for file in "$@"; do
    [ -n "$file" ] && [ -f "$file" ] || wine_suite_skip "$reason"
  done
  command -v wine >/dev/null && command -v wineserver >/dev/null ||
    wine_suite_skip "wine not found (Debian packages wine, wine64)"
  command -v openssl >/dev/null || wine_suite_skip "openssl not found"
}

wine_suite_cleanup() {
  # Only this prefix's wine server: other wine users on the machine have their own.
  wineserver -k 2>/dev/null || true
  rm -rf "$work"
}

wine_suite_start() {
  work=$(mktemp -d)
  export WINEPREFIX="$work/wineprefix" WINEDEBUG=-all
  export WINEDLLOVERRIDES="mscoree,mshtml="
  unset DISPLAY WAYLAND_DISPLAY
  trap wine_suite_cleanup EXIT
}

wine_suite_boot() {
  echo "wine: $(wine --version), prefix $WINEPREFIX"
  wine wineboot --init >/dev/null 2>&1
  wineserver -w
}

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then
    echo "ok: $1"
    passed=$((passed + 1))
  else
    echo "FAILED: $1"
    failed=$((failed + 1))
  fi
}
