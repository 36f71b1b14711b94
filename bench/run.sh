#!/usr/bin/env bash
# `make bench`: every benchmark against its reference, measured in the same sitting, with the
# ratios TARGETS.md asks for. Reports only; never fails on a ratio (a benchmark that cannot run,
# e.g. nginx missing, says so and the others go on).
#
#   make bench                              # release build, then all of it (about 15 minutes)
#   ONLY="jose validator" bench/run.sh       # a subset: jose validator net resource authz micro
#   BUILD=build/release bench/run.sh        # default; must be a Release build of this tree
#
# What runs, in order (each script's header says exactly what it measures and how):
#   jose       bench/jose/compare_openssl.sh       JWS verify/s vs `openssl speed`
#   validator  bench/validator/compare_openssl.sh  whole-token validation vs `openssl speed`
#   net        bench/net/vs_nginx.sh               HTTPS server CPU/request, RSS, handshakes vs nginx
#   resource   bench/resource/vs_nginx.sh          protected meter-data requests vs nginx
#   authz      authz_load                          token/introspection/full flow CPU vs nginx
#   micro      Google Benchmark binaries of x509, provenance, store (absolute figures)
# docs/PERFORMANCE.md holds the recorded figures and how each maps to a target.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build/release}
ONLY=${ONLY:-"jose validator net resource authz micro"}
cd "$ROOT"

targets=(bench_jose bench_validator gridgate-load gridgate-bench-server
         gridgate-resource-bench-server authz_load bench_x509 bench_provenance store_bench gridgate)
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake --preset release >/dev/null || exit 1
fi
echo "== building benchmarks in $BUILD" >&2
cmake --build "$BUILD" --target "${targets[@]}" -j "$(nproc)" >/dev/null || exit 1

status=0
section() { printf '\n==================== %s ====================\n' "$1"; }
wants() { [[ " $ONLY " == *" $1 "* ]]; }
run() {
  if ! "$@"; then
    echo "(did not complete: $*)"
    status=1
  fi
}

section "machine"
echo "$(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
openssl version
nginx -v 2>&1 || echo "nginx: not installed (the HTTP comparisons will be skipped)"
uptime

if wants jose; then
  section "jose: JWS verify vs openssl speed"
  run bench/jose/compare_openssl.sh "$BUILD/bench/jose/bench_jose"
fi
if wants validator; then
  section "validator: whole-token validation vs openssl speed"
  run bench/validator/compare_openssl.sh "$BUILD/bench/validator/bench_validator"
fi
if wants net; then
  section "net: HTTPS server vs nginx"
  BUILD=$BUILD run bench/net/vs_nginx.sh
fi
if wants resource; then
  section "resource: protected meter data vs nginx"
  BUILD=$BUILD run bench/resource/vs_nginx.sh
fi
if wants authz; then
  section "authz: token endpoint, introspection and full flow vs nginx"
  run "$BUILD/bench/authz/authz_load" --gridgate "$BUILD/src/cli/gridgate"
fi
if wants micro; then
  section "micro: x509, provenance, store (absolute, CPU time)"
  for b in x509/bench_x509 provenance/bench_provenance store/store_bench; do
    run "$BUILD/bench/$b" --benchmark_min_time=0.2
  done
fi

# Ratios are reported, never gated: exit 0 unless a benchmark could not run at all.
exit $status
