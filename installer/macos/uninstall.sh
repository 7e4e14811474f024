#!/bin/bash
# Removes CertBridge from this Mac: exactly the files CertBridge.pkg installed, then its receipt.
#
#   sudo "@UNINSTALL_PATH@" [--purge]
#
# --purge also removes the host configuration an admin wrote (@CONFIG_PATH@).
# Per-user state is each user's own: `certbridge-host uninstall --user` (before this script) removes the
# manifests a user registered, and ~/Library/Logs/CertBridge holds the host's log. Running as root through
# folders users own could be led elsewhere by a symbolic link, so this script does not go there.
# --target-volume DIR removes from a copy of a volume instead of "/" (for testing; no receipt is forgotten).
set -euo pipefail

readonly app_bundle="@APP_BUNDLE_PATH@"
readonly paths_d_file="@PATHS_D_FILE@"
readonly manifest_name="@MANIFEST_NAME@"
readonly manifest_dirs=(
@MANIFEST_DIRS@
)
readonly config="@CONFIG_PATH@"
readonly self="@UNINSTALL_PATH@"
readonly pkg_id="@PKG_ID@"

purge=false
root=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --purge) purge=true; shift ;;
    --target-volume) root="${2:?--target-volume needs a directory}"; root="${root%/}"; shift 2 ;;
    *) sed -n '4,6p' "$0" >&2; exit 2 ;;
  esac
done
if [[ -z "$root" && "$(id -u)" -ne 0 ]]; then
  echo "uninstall.sh: run it with sudo" >&2
  exit 1
fi

remove() {
  if [[ -e "$1" || -L "$1" ]]; then
    rm -rf -- "$1"
    echo "removed $1"
  fi
}

for dir in "${manifest_dirs[@]}"; do
  remove "$root$dir/$manifest_name"
done
remove "$root$app_bundle"  # the host, and certbridge beside it
remove "$root$paths_d_file"  # certbridge on PATH
if $purge; then
  remove "$root$config"
fi
remove "$root$self"
# The folder goes only when nothing is left in it (without --purge, the admin's config.json stays).
if rmdir "$root$(dirname "$app_bundle")" 2>/dev/null; then
  echo "removed $root$(dirname "$app_bundle")"
fi
if [[ -z "$root" ]]; then
  pkgutil --forget "$pkg_id" || echo "uninstall.sh: no receipt for $pkg_id (already forgotten)"
fi
