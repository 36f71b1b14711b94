#!/usr/bin/env bash
# The validator's benchmarks beside `openssl speed ecdsap256`, in the same sitting.
#
#   bench/validator/compare_openssl.sh [path/to/bench_validator]
#   ROUNDS=5 SECONDS_PER_RUN=2 bench/validator/compare_openssl.sh
#
# Build first: cmake -S . -B build/validator-release -G Ninja -DCMAKE_BUILD_TYPE=Release &&
# cmake --build build/validator-release --target bench_validator. Each round runs
# `openssl speed -seconds N ecdsap256` and then every validator benchmark; the table shows, per
# benchmark, the fastest round (CPU time: on a shared machine the minimum is the least disturbed
# figure, and both sides are treated alike). Reports only; never fails on a ratio.
set -euo pipefail
bin=${1:-build/validator-release/bench/validator/bench_validator}
[ -x "$bin" ] || { echo "no benchmark binary at $bin" >&2; exit 2; }
seconds=${SECONDS_PER_RUN:-2}
rounds=${ROUNDS:-5}
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT

echo "cpu:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
  # openssl speed prints verifies per second of user CPU time; store ns per verify.
  openssl speed -seconds "$seconds" ecdsap256 2>/dev/null |
    awk '/ecdsa \(nistp256\)/ {printf "openssl_ecdsap256_verify %.1f\n", 1e9 / $NF}' >>"$samples"
  "$bin" --benchmark_min_time="$seconds" --benchmark_format=csv 2>/dev/null |
    awk -F, 'NR > 1 {gsub(/"/, "", $1); print $1, $4}' >>"$samples"
  echo "round $i/$rounds (load $(cut -d' ' -f1 /proc/loadavg))"
done

best() { awk -v n="$1" '$1 == n {print $2}' "$samples" | sort -g | head -1; }
printf '\nfastest of %d rounds, CPU ns per call\n' "$rounds"
for name in $(awk '{print $1}' "$samples" | sort -u); do
  printf '%-32s %12.0f\n' "$name" "$(best "$name")"
done
ref=$(best openssl_ecdsap256_verify)
for name in BM_UncachedJwt BM_DistinctJwts; do
  ours=$(best "$name")
  [ -n "$ours" ] && [ -n "$ref" ] && awk -v a="$ours" -v b="$ref" -v n="$name" 'BEGIN {
    printf "%s: %.0f%% of openssl speed ecdsap256 verify throughput (target >= 85%%)\n", n, 100 * b / a }'
done
cached=$(best runCached/jwt)
[ -n "$cached" ] && awk -v c="$cached" 'BEGIN { printf "cached check (jwt): %.2f us (target < 2 us)\n", c / 1000 }'
