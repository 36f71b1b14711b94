#!/usr/bin/env bash
# `gridgate provenance decode|verify` on the fixed vectors: exit codes and reasons.
# Usage: cli_test.sh GRIDGATE_BINARY TESTDATA_DIR
set -u
gg=$1
td=$2/provenance
edp=https://registry.core.trust.ib1.org/scheme/perseus/role/energy-data-provider
failures=0

expect() {  # expect RC PATTERN -- command...
  local want=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL: $* -> exit $rc (want $want), output lacks '$pattern':"
    echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok: $*"
  fi
}

expect 0 "^VERIFIED" -- "$gg" provenance verify "$td/vectors/response.json" --root "$td/pki/root.pem" \
  --require-role "$edp"
expect 0 "organisation: Example Energy Ltd" -- "$gg" provenance verify "$td/vectors/record.json" \
  --root "$td/pki/root.pem"
expect 0 '"verified": true' -- "$gg" provenance verify "$td/vectors/nested.json" \
  --root "$td/pki/root.pem" --json
expect 1 "lacks role" -- "$gg" provenance verify "$td/vectors/nested.json" --root "$td/pki/root.pem" \
  --require-role "$edp"
expect 1 "lacks role" -- "$gg" provenance verify "$td/vectors/role-missing.json" \
  --root "$td/pki/root.pem" --require-role "$edp"
expect 1 "origins do not match" -- "$gg" provenance verify "$td/vectors/bad-origins.json" \
  --root "$td/pki/root.pem"
expect 1 "not yet valid" -- "$gg" provenance verify "$td/vectors/bad-signed-before-validity.json" \
  --root "$td/pki/root.pem"
expect 1 "dated in the future" -- "$gg" provenance verify "$td/vectors/bad-signed-after-expiry.json" \
  --root "$td/pki/root.pem"
expect 1 "canonical" -- "$gg" provenance verify "$td/vectors/bad-uppercase-escape.json" \
  --root "$td/pki/root.pem"
expect 1 "trust framework" -- "$gg" provenance verify "$td/vectors/record.json" \
  --root "$td/pki/root.pem" --trust-framework https://registry.core.sandbox.trust.ib1.org/trust-framework
expect 1 "signing root" -- "$gg" provenance verify "$td/vectors/record.json" --root "$td/pki/edp.pem"
expect 1 "cannot open" -- "$gg" provenance verify "$td/vectors/missing.json" --root "$td/pki/root.pem"
expect 0 "NOT VERIFIED" -- "$gg" provenance decode "$td/vectors/bad-origins.json"
expect 0 '"verified": false' -- sh -c "\"$gg\" provenance decode --json - < \"$td/vectors/nested.json\""
expect 0 "process  cHJvY2Vzcy0wMDAwMDAx" -- "$gg" provenance decode "$td/vectors/nested.json"
expect 1 "not in the canonical" -- "$gg" provenance decode "$td/vectors/bad-whitespace.json"

echo "$failures failed"
[ "$failures" -eq 0 ]
