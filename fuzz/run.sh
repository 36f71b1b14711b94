#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for N seconds each on a working copy of its corpus.
# New crash inputs are written to fuzz/<module>/corpus/<target>/ by hand after triage.
set -euo pipefail
build=${1:-build/fuzz}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/fuzz/corpus-work"
mkdir -p "$work"
status=0
while IFS= read -r bin; do
  name=$(basename "$bin"); name=${name#fuzz_}
  seed=$(find "$root/fuzz" -type d -path "*/corpus/$name" | head -n 1)
  mkdir -p "$work/$name"
  [ -n "$seed" ] && cp -n "$seed"/* "$work/$name/" 2>/dev/null || true
  echo "== $name ($seconds s)"
  "$bin" -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$work/$name-" \
    "$work/$name" || status=1
done < <(find "$build/fuzz" -type f -executable -name 'fuzz_*' | sort)
exit $status
