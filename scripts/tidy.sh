#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clang-tidy over every C++ source of a build tree that exported compile_commands.json.
# Naming (STYLE.md) is an error; the other enabled checks are advice printed as warnings.
#   scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
[[ -f $dir/compile_commands.json ]] || { echo "tidy: $dir/compile_commands.json is missing" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
git ls-files '*.cpp' | xargs -P "$(nproc)" -n 4 clang-tidy -p "$dir" --quiet >"$log" 2>/dev/null || status=$?
errors=$(grep -c 'error:' "$log" || true)
warnings=$(grep -c 'warning:' "$log" || true)
if ((errors > 0)); then
    grep -E 'error:' "$log" | sort -u >&2
    echo "tidy: $errors naming error(s)" >&2
    exit 1
fi
((status == 0)) || { cat "$log" >&2; echo "tidy: clang-tidy failed" >&2; exit 1; }
echo "tidy: no naming errors ($warnings advisory warning(s); see scripts/tidy.sh)"
