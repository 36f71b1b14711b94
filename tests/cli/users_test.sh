#!/usr/bin/env bash
# `gridgate users add|list|remove` on a real SQLite file: the password goes in on stdin and is
# never printed nor stored as such; names are checked; duplicates, unknown users and a missing
# password are clean failures with the documented exit codes.
set -uo pipefail
gg=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/state/gridgate.db
mkdir -p "$dir/state"
pw='correct horse battery staple 7'
fails=0
check() {  # check "what" expected_rc actual_rc
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: exit $3, expected $2"
    fails=$((fails + 1))
  fi
}
contains() {  # contains "what" haystack needle
  if ! grep -qF -- "$3" <<<"$2"; then
    echo "FAIL: $1: output lacks '$3': $2"
    fails=$((fails + 1))
  fi
}
lacks() {
  if grep -qF -- "$3" <<<"$2"; then
    echo "FAIL: $1: output has '$3'"
    fails=$((fails + 1))
  fi
}
fast=(--argon2-time-cost 1 --argon2-memory-kib 1024)

out=$(printf '%s\n' "$pw" | "$gg" users add alice --db "$db" --display-name "Alice Example" \
        --password-stdin "${fast[@]}" 2>&1)
check "add alice" 0 $?
contains "add alice" "$out" "added alice (subject user-"
lacks "add alice prints no password" "$out" "$pw"

out=$(printf '%s\n' "other pw" | "$gg" users add alice --db "$db" --password-stdin "${fast[@]}" 2>&1)
check "duplicate" 1 $?
contains "duplicate" "$out" "a user with this name exists"

out=$("$gg" users add bob --db "$db" --password-stdin "${fast[@]}" </dev/null 2>&1)
check "no password on stdin" 2 $?
contains "no password on stdin" "$out" "no password on standard input"

out=$("$gg" users add bob --db "$db" "${fast[@]}" </dev/null 2>&1)
check "prompt without a terminal" 2 $?
contains "prompt without a terminal" "$out" "use --password-stdin"

out=$(printf '%s\n' "$pw" | "$gg" users add 'bad name<' --db "$db" --password-stdin "${fast[@]}" 2>&1)
check "bad username" 2 $?

out=$("$gg" users list --db "$db" 2>&1)
check "list" 0 $?
contains "list" "$out" "alice"
contains "list" "$out" "Alice Example"
lacks "list has no bad name" "$out" "bad name"
lacks "list prints no password" "$out" "$pw"

# The store keeps an Argon2id hash, never the password.
if grep -qaF -- "$pw" "$db" "$db-wal" 2>/dev/null; then
  echo "FAIL: the password is in the database file"
  fails=$((fails + 1))
fi
hash=$(sqlite3 "$db" "select * from users" 2>&1)
contains "stored hash" "$hash" '$argon2id$'

out=$("$gg" users remove alice --db "$db" 2>&1)
check "remove" 0 $?
out=$("$gg" users remove alice --db "$db" 2>&1)
check "remove again" 1 $?
contains "remove again" "$out" "no such user"
out=$("$gg" users list --db "$db" 2>&1)
check "list after remove" 0 $?
lacks "list after remove" "$out" "alice"

out=$("$gg" users list 2>&1)
check "missing --db" 106 $?  # CLI11's exit code for a missing required option

if [ $fails -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "gridgate users: all checks passed"
