#!/usr/bin/env bash
# Fails if any C++ source of the project is not clang-format clean (one clang-format process for
# the whole tree; it names each file that needs `make format`).
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src tests fuzz bench examples \( -name '*.h' -o -name '*.cc' \) \
                       -not -path '*/node_modules/*' 2>/dev/null | sort)
[ ${#files[@]} -gt 0 ] || exit 0
out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
  grep -oE '^[^: ]+\.(h|cc):' <<<"$out" | sort -u | sed 's/:$//; s/^/not clang-formatted (run: make format): /'
  exit 1
fi
