#!/usr/bin/env bash
# JWS verify/s of gridgate beside `openssl speed` on the same machine, in the same sitting.
#
#   bench/jose/compare_openssl.sh [path/to/bench_jose]     # default build/release/bench/jose/bench_jose
#   ROUNDS=5 SECONDS_PER_RUN=3 bench/jose/compare_openssl.sh
#
# Builds nothing: build the release benchmark first (cmake --preset release && cmake --build
# --preset release --target bench_jose). Each round runs `openssl speed -seconds 3 ecdsap256
# ed25519 rsa2048` and then the benchmark's BM_Verify/* cases; the table shows the median of the
# rounds (alternating the two sides keeps a noisy, shared machine from favouring either). Both
# sides count CPU time (openssl speed: user CPU time; Google Benchmark items_per_second: CPU
# time). gridgate's figure is the per-request cost: Jws::parse of a ~650-byte access token,
# SHA-256 of the signing input, r||s -> DER for ECDSA, and the verification; openssl speed
# verifies a precomputed 20-byte digest with a reused context. Target: ES256 >= 90 % of
# ecdsap256. Reports only; never fails on a ratio.
set -euo pipefail
bin=${1:-build/release/bench/jose/bench_jose}
if [ ! -x "$bin" ]; then
  echo "no benchmark binary at $bin; build it with the release preset first" >&2
  exit 2
fi
seconds=${SECONDS_PER_RUN:-3}
rounds=${ROUNDS:-3}
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT

echo "cpu:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
  openssl speed -seconds "$seconds" ecdsap256 ed25519 rsa2048 2>/dev/null | awk '
    /^rsa 2048 bits/       {print "openssl rsa2048", $NF}
    /ecdsa \(nistp256\)/   {print "openssl ecdsap256", $NF}
    /EdDSA \(Ed25519\)/    {print "openssl ed25519", $NF}' >>"$samples"
  "$bin" --benchmark_filter='^BM_Verify/' --benchmark_min_time="$seconds" --benchmark_format=csv \
    2>/dev/null | awk -F, '$1 ~ /^"BM_Verify\// {gsub(/"|BM_Verify\//, "", $1); print "gridgate", $1, $7}' \
    >>"$samples"
  echo "round $i/$rounds done (load $(cut -d' ' -f1 /proc/loadavg))"
done

median() {  # median of the values whose first two fields are "$1 $2"
  awk -v a="$1" -v b="$2" '$1 == a && $2 == b {print $3}' "$samples" | sort -g |
    awk '{v[NR] = $1} END {if (NR) printf "%.0f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
row() {  # alg, reference name
  local ours ref r="-"
  ours=$(median gridgate "$1")
  ref=$( [ -n "$2" ] && median openssl "$2" || true)
  if [ -n "$ours" ] && [ -n "$ref" ]; then r=$(awk -v a="$ours" -v b="$ref" 'BEGIN {printf "%.2f", a / b}'); fi
  printf '%-7s %14s %14s  %-18s %6s\n' "$1" "${ours:--}" "${ref:--}" "${2:-(none)}" "$r"
}
printf '\nmedian of %d rounds, verify/s\n%-7s %14s %14s  %-18s %6s\n' "$rounds" alg gridgate openssl reference ratio
row ES256 ecdsap256
row ES384 ""
row PS256 rsa2048
row RS256 rsa2048
row EdDSA ed25519
ours=$(median gridgate ES256)
ref=$(median openssl ecdsap256)
if [ -n "$ours" ] && [ -n "$ref" ]; then
  awk -v a="$ours" -v b="$ref" 'BEGIN { r = a / b
    printf "\nES256 verify (parse + verify): %.0f%% of openssl speed ecdsap256 (target >= 90%%): %s\n",
      100 * r, (r >= 0.9 ? "met" : "NOT met") }'
fi
