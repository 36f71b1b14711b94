#!/usr/bin/env bash
# Installs every Debian 12 package that gridgate's build, tests and sandbox need, and the npm
# packages of the end-to-end tests. Idempotent: when everything is present it installs nothing.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config make git
  libboost-dev libssl-dev nlohmann-json3-dev libexpected-dev libtomlplusplus-dev libspdlog-dev
  libcli11-dev libsqlite3-dev libhiredis-dev libargon2-dev libcpp-httplib-dev
  # tests, fuzzing, benchmarks, formatting
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev clang-format clang-tidy
  # real peers the tests start
  openssl curl ca-certificates sqlite3 redis-server nginx-light chromium
  systemd  # systemd-analyze: the deployment test checks the unit file
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all Debian packages present"
fi

# The packaged nginx and redis start system services on install; the tests start their own on
# free ports, so the system ones are not needed (and would only hold ports 80 and 6379).
for svc in nginx redis-server; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" >/dev/null 2>&1 || true
  fi
done

# npm packages of the end-to-end tests (openid-client, playwright-core), pinned by the lock file.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$here/tests/e2e/package.json" ]; then
  if [ ! -d "$here/tests/e2e/node_modules" ] || \
     [ "$here/tests/e2e/package-lock.json" -nt "$here/tests/e2e/node_modules" ]; then
    echo "install-deps: npm ci in tests/e2e"
    (cd "$here/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
fi
