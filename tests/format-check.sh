#!/usr/bin/env bash
# Fails when any C++ source of ours is not formatted per .clang-format. Fix with:
#   clang-format -i $(git ls-files '*.cpp' '*.hpp')
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find card host tests -name '*.[ch]pp')
[ ${#files[@]} -gt 0 ] || { echo "format-check: no C++ files found" >&2; exit 1; }
clang-format --dry-run -Werror "${files[@]}"
echo "format-check: ${#files[@]} files formatted correctly"
