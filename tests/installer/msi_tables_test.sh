#!/usr/bin/env bash
# Golden tables of both MSIs: `msiinfo export` of the tables that decide what an installation does (files,
# registry values, components, features, properties, upgrade rules, the custom actions and sequence that
# turn ALLOWEDORIGINS and FORCEINSTALL into features, and the Environment table that puts the installation
# folder on PATH), compared with the files checked in under tests/installer/msi_tables/. An unintended
# change to what the MSIs install shows as a diff here.
# Values that change with every release are masked: the version, the ProductCode derived from it, and the
# sizes of certbridge-host.exe and certbridge.exe.
#   msi_tables_test.sh PER_MACHINE_MSI PER_USER_MSI VERSION [REASON_IF_NOT_BUILT]
# After an intended change, regenerate the golden files (and review the diff before committing):
#   CERTBRIDGE_UPDATE_GOLDEN=1 ctest --preset ci -R installer-msi-tables
set -euo pipefail
per_machine=$1
per_user=$2
version=$3
not_built=${4:-the MSIs were not built}
golden_dir="$(cd "$(dirname "$0")" && pwd)/msi_tables"
tables=(File Registry Component Feature FeatureComponents Property Upgrade CustomAction InstallExecuteSequence
  Environment)

skip() {
  if [ -n "${CI:-}" ]; then echo "FAILED: $1 (CI installs everything: run tests/install-dependencies.sh)"; exit 1; fi
  echo "SKIPPED: $1"
  exit 77
}
command -v msiinfo >/dev/null || skip "msiinfo not found (Debian package msitools)"
[ -f "$per_machine" ] && [ -f "$per_user" ] || skip "$not_built"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The three header lines stay first; rows are sorted so the comparison does not depend on table order.
normalized_table() {  # normalized_table MSI TABLE
  local product_code
  local product_code raw="$work/raw.idt"
  product_code=$(msiinfo export "$1" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductCode" {print $2}')
  msiinfo export "$1" "$2" | tr -d '\r' |
    awk -F'\t' -v OFS='\t' -v table="$2" '
      # File table: FileSize (column 4) of the programs changes with every build.
      table == "File" && $1 == "HostExe" { $4 = "@HOST_SIZE@" }
      table == "File" && $1 == "CliExe" { $4 = "@CLI_SIZE@" }
      { print }' |
    sed -e "s/$product_code/@PRODUCT_CODE@/g" -e "s/\b${version//./\\.}\b/@VERSION@/g" >"$raw"
  head -n 3 "$raw"
  tail -n +4 "$raw" | LC_ALL=C sort
}

failures=0
for scope in per-machine per-user; do
  msi=$per_machine
  [ "$scope" = per-user ] && msi=$per_user
  mkdir -p "$work/$scope"
  for table in "${tables[@]}"; do
    normalized_table "$msi" "$table" >"$work/$scope/$table.idt"
    golden="$golden_dir/$scope/$table.idt"
    if [ -n "${CERTBRIDGE_UPDATE_GOLDEN:-}" ]; then
      mkdir -p "$golden_dir/$scope"
      cp "$work/$scope/$table.idt" "$golden"
      echo "updated: $golden"
    elif diff -u "$golden" "$work/$scope/$table.idt"; then
      echo "ok: $scope $table table as checked in"
    else
      echo "FAILED: $scope $table table differs from $golden (diff above; see this script's header to regenerate)"
      failures=$((failures + 1))
    fi
  done
done

# Facts a reviewer should not have to find in the tables by eye.
property() { msiinfo export "$1" Property | tr -d '\r' | awk -F'\t' -v name="$2" '$1 == name {print $2}'; }
check() { if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi; }
check "both MSIs carry the project version $version" \
  test "$(property "$per_machine" ProductVersion)/$(property "$per_user" ProductVersion)" = "$version/$version"
check "the per-machine MSI installs for all users (ALLUSERS=1)" test "$(property "$per_machine" ALLUSERS)" = 1
check "the per-user MSI does not (no ALLUSERS)" test -z "$(property "$per_user" ALLUSERS)"
check "the two MSIs have different, fixed UpgradeCodes" \
  test "$(property "$per_machine" UpgradeCode)" != "$(property "$per_user" UpgradeCode)"
for msi in "$per_machine" "$per_user"; do
  check "$(basename "$msi"): ALLOWEDORIGINS, FORCEINSTALL and their saved copies are secure properties" \
    grep -qx "ALLOWEDORIGINS;CMDLINE_ALLOWEDORIGINS;CMDLINE_FORCEINSTALL;FORCEINSTALL;WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED" \
    <<<"$(property "$msi" SecureCustomProperties)"
done

# PATH: the installation folder appended on install and taken out on uninstall, with the programs' component.
environment_row() { msiinfo export "$1" Environment | tr -d '\r' | awk -F'\t' 'NR > 3 { print $2 "|" $3 "|" $4 }'; }
check "the per-machine MSI appends its folder to the system PATH" \
  test "$(environment_row "$per_machine")" = '=-*PATH|[~];[INSTALLDIR]|HostFiles'
check "the per-user MSI appends its folder to the user's PATH (HKCU\Environment)" \
  test "$(environment_row "$per_user")" = '=-PATH|[~];[INSTALLDIR]|HostFiles'
sequence_number() {
  msiinfo export "$1" InstallExecuteSequence | tr -d '\r' | awk -F'\t' -v action="$2" '$1 == action { print $3 }'
}
in_order() {  # in_order MSI ACTION... : every action scheduled, in that order
  local previous=-1 action number
  for action in "${@:2}"; do
    number=$(sequence_number "$1" "$action")
    [ -n "$number" ] && [ "$number" -gt "$previous" ] || { echo "  $action: '${number}' after $previous"; return 1; }
    previous=$number
  done
}
for msi in "$per_machine" "$per_user"; do
  check "$(basename "$msi"): RemoveEnvironmentStrings between RemoveRegistryValues and RemoveFiles" \
    in_order "$msi" InstallInitialize RemoveRegistryValues RemoveEnvironmentStrings RemoveFiles
  check "$(basename "$msi"): WriteEnvironmentStrings after WriteRegistryValues, before InstallFinalize" \
    in_order "$msi" InstallFiles WriteRegistryValues WriteEnvironmentStrings InstallFinalize
done
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
