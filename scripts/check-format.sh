#!/usr/bin/env bash
# Fails if any C++ source of the project is not clang-format clean.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(find src tests fuzz bench examples -name '*.h' -o -name '*.cc' 2>/dev/null | grep -v node_modules || true)
[ -n "$files" ] || exit 0
bad=0
for f in $files; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not clang-formatted: $f (run: make format)"
    bad=1
  fi
done
exit $bad
