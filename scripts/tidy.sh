#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clang-tidy over the C++ sources a build tree compiles (its compile_commands.json).
# Naming (STYLE.md) is an error; the other enabled checks are advice printed as warnings.
#   scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
[[ -f $dir/compile_commands.json ]] || { echo "tidy: $dir/compile_commands.json is missing" >&2; exit 2; }
log=$(mktemp)
built=$(mktemp)
trap 'rm -f "$log" "$built"' EXIT
status=0
# Only what this tree compiles: a source it does not build (the benchmarks without
# HIVE_BUILD_BENCH) has no include paths here; `scripts/tidy.sh build-bench` checks those.
grep -o '"file": *"[^"]*"' "$dir/compile_commands.json" | sed 's/^"file": *"//; s/"$//' | sort -u >"$built"
sources=()
skipped=0
while IFS= read -r file; do
    if grep -qxF "$PWD/$file" "$built"; then sources+=("$file"); else skipped=$((skipped + 1)); fi
done < <(git ls-files '*.cpp')
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$dir" --quiet >"$log" 2>/dev/null || status=$?
errors=$(grep -c 'error:' "$log" || true)
warnings=$(grep -c 'warning:' "$log" || true)
if ((errors > 0)); then
    grep -E 'error:' "$log" | sort -u >&2
    echo "tidy: $errors naming error(s)" >&2
    exit 1
fi
((status == 0)) || { cat "$log" >&2; echo "tidy: clang-tidy failed" >&2; exit 1; }
echo "tidy: no naming errors in ${#sources[@]} sources ($warnings advisory warning(s); $skipped not built in $dir)"
