#!/usr/bin/env bash
# The resource server against nginx's static figure, in one sitting (TARGETS.md: measure the
# reference in the same sitting and report the ratio).
#
#   bench/resource/vs_nginx.sh                   # builds build/resource-release if needed
#   RUNS=3 DURATION=10 CONNS=16 bench/resource/vs_nginx.sh
#
# Three keep-alive workloads over mTLS (ECDSA P-256, client certificate required, TLS 1.3, access
# logs off), each with CONNS connections for DURATION s, RUNS times (median):
#   nginx      1 worker, GET /datasources.json: the same bytes as gridgate's /datasources, static
#              (read from a file on every request: open/fstat/read/close)
#   nginx-inline  the same bytes from nginx's configuration (`return 200 '...'`): no file I/O, the
#              cheapest nginx can answer them (bench/net's reference is of this kind)
#   cheap      gridgate GET /datasources: validator (cached JWT validation: binding, role, scope,
#              client_id) + a prebuilt body
#   readings   gridgate GET /datasources/efgh5678/import?from=D&to=D: the same validation, 48
#              generated half-hourly readings and a provenance record signed with ES256 per response
# Servers run on CPU 0, the load generator (bench/net's gridgate-load) on CPU 1 when taskset exists.
# Reported: server CPU microseconds per request (utime+stime delta of the server process over the
# run / requests), requests/s, p99 latency, and gridgate/nginx ratios.
# Target (TARGETS.md): a protected request with cached validation at most 1.5x nginx's CPU/request
# (the readings route adds one ES256 signature per response, ~20 us of CPU by openssl speed).
#
# gridgate-load has no option for request headers (yet): the Authorization header is passed by
# ending the URL's path with " HTTP/1.1\r\nAuthorization: Bearer ...\r\nX-Pad: x", which the tool
# copies verbatim into its request line ("GET <path> HTTP/1.1\r\nHost: ..."), giving a well-formed
# request with the header. Every response must be 2xx (gridgate-load counts anything else as an
# error), so a refused token cannot pass for a fast request.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build/resource-release}
BUILD=$(realpath -m "$BUILD")  # absolute: the script cd-s into its work directory
NGINX=${NGINX:-/usr/sbin/nginx}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
DAY=${DAY:-2024-06-21}

LOAD=$BUILD/bench/net/gridgate-load
SERVER=$BUILD/bench/resource/gridgate-resource-bench-server
if [[ ! -x $LOAD || ! -x $SERVER ]]; then
  echo "building gridgate-load and gridgate-resource-bench-server in $BUILD (Release)" >&2
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRIDGATE_WERROR=ON \
    -DGRIDGATE_HARDEN=ON -DGRIDGATE_TESTS=OFF >/dev/null
  cmake --build "$BUILD" --target gridgate-load gridgate-resource-bench-server -j2 >/dev/null
fi
[[ -x $NGINX ]] || { echo "nginx not found at $NGINX" >&2; exit 1; }

WORK=$(mktemp -d /tmp/gridgate-resource-vs-nginx.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

SERVER_CPU=()
LOAD_CPU=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
  SERVER_CPU=(taskset -c 0)
  LOAD_CPU=(taskset -c 1)
fi
CLK_TCK=$(getconf CLK_TCK)

# --- gridgate (it makes the PKI both servers use) ---------------------------------------------
GG_LOG=$WORK/gridgate.log
"${SERVER_CPU[@]}" "$SERVER" --dir "$WORK/pki" --io-threads 1 >"$GG_LOG" 2>&1 &
GG_PID=$!
PIDS+=("$GG_PID")
for _ in $(seq 300); do grep -q LISTENING "$GG_LOG" 2>/dev/null && break; sleep 0.1; done
value() { awk -v k="$1" '$1 == k {print $2}' "$GG_LOG"; }
GG_PORT=$(value LISTENING)
[[ -n $GG_PORT ]] || { echo "gridgate did not start" >&2; cat "$GG_LOG" >&2; exit 1; }
TOKEN=$(value TOKEN)
TLS_ARGS=(--cert "$(value CLIENT_CHAIN)" --key "$(value CLIENT_KEY)" --ca "$(value SERVER_CA)")

# The body nginx serves: exactly gridgate's /datasources answer.
curl -sS --fail --cacert "$(value SERVER_CA)" --cert "$(value CLIENT_CHAIN)" \
  --key "$(value CLIENT_KEY)" -H "Authorization: Bearer $TOKEN" \
  "https://127.0.0.1:$GG_PORT/datasources" -o "$WORK/datasources.json"
# And one readings answer, to report its size.
curl -sS --fail --cacert "$(value SERVER_CA)" --cert "$(value CLIENT_CHAIN)" \
  --key "$(value CLIENT_KEY)" -H "Authorization: Bearer $TOKEN" \
  "https://127.0.0.1:$GG_PORT/datasources/efgh5678/import?from=$DAY&to=$DAY" -o "$WORK/readings.json"

# --- nginx ---------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
# As root, nginx's worker would run as "nobody" and could not read $WORK (mktemp -d: mode 0700),
# answering 403: run it as the invoking user instead (the directive is only valid as root).
NGINX_USER=
# The body inline in nginx's configuration (single-quoted; a ', $ or \ would need escaping).
INLINE_BODY=$(cat "$WORK/datasources.json")
[[ $INLINE_BODY == *[\'\$\\]* ]] && { echo "datasources.json needs escaping for nginx" >&2; exit 1; }
[[ $EUID -eq 0 ]] && NGINX_USER="user root root;"
cat >"$WORK/nginx/nginx.conf" <<EOF
$NGINX_USER
worker_processes 1;
worker_rlimit_nofile 65536;
error_log $WORK/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $(value SERVER_CHAIN);
    ssl_certificate_key $(value SERVER_KEY);
    ssl_client_certificate $(value CLIENT_CA);
    ssl_verify_client on;
    ssl_verify_depth 2;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets on;
    location = /datasources.json {
      default_type application/json;
      add_header Cache-Control no-store;
      alias $WORK/datasources.json;
    }
    location = /datasources-inline.json {
      default_type application/json;
      add_header Cache-Control no-store;
      return 200 '$INLINE_BODY';
    }
  }
}
EOF
"${SERVER_CPU[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" \
  -g "daemon off; pid $WORK/nginx/nginx.pid;" &
NGINX_MASTER=$!
PIDS+=("$NGINX_MASTER")
for _ in $(seq 100); do [[ -n $(pgrep -P "$NGINX_MASTER" || true) ]] && break; sleep 0.1; done
NGINX_WORKER=$(pgrep -P "$NGINX_MASTER" | head -1)
[[ -n $NGINX_WORKER ]] || { echo "nginx did not start" >&2; cat "$WORK/nginx/error.log" >&2; exit 1; }

CR=$'\r'
LF=$'\n'
AUTH=" HTTP/1.1${CR}${LF}Authorization: Bearer $TOKEN${CR}${LF}X-Pad: x"
url() {
  case $1 in
    nginx) echo "https://127.0.0.1:$NGINX_PORT/datasources.json" ;;
    nginx-inline) echo "https://127.0.0.1:$NGINX_PORT/datasources-inline.json" ;;
    cheap) echo "https://127.0.0.1:$GG_PORT/datasources$AUTH" ;;
    readings) echo "https://127.0.0.1:$GG_PORT/datasources/efgh5678/import?from=$DAY&to=$DAY$AUTH" ;;
  esac
}
cpu_pid() { [[ $1 == nginx* ]] && echo "$NGINX_WORKER" || echo "$GG_PID"; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
field() { sed -n "s/.*RESULT.* $1=\([0-9.]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm-up (and a check that every workload answers 2xx).
for s in nginx nginx-inline cheap readings; do
  out=$("${LOAD_CPU[@]}" "$LOAD" --url "$(url $s)" "${TLS_ARGS[@]}" --connections 1 --requests 20)
  [[ $(echo "$out" | field errors) == 0 ]] || { echo "$s: errors in warm-up: $out" >&2; exit 1; }
done

declare -A CPU RPS P99
for run in $(seq "$RUNS"); do
  for s in nginx nginx-inline cheap readings; do
    pid=$(cpu_pid $s)
    t0=$(ticks "$pid")
    out=$("${LOAD_CPU[@]}" "$LOAD" --url "$(url $s)" "${TLS_ARGS[@]}" --connections "$CONNS" \
      --duration "$DURATION")
    t1=$(ticks "$pid")
    req=$(echo "$out" | field requests)
    errs=$(echo "$out" | field errors)
    cpu=$(awk -v d=$((t1 - t0)) -v n="$req" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d * 1e6 / hz / n}')
    CPU[$s]+="$cpu "
    RPS[$s]+="$(echo "$out" | field rps) "
    P99[$s]+="$(echo "$out" | field p99_us) "
    echo "run $run $s: $req requests, $errs errors, $cpu CPU us/request" >&2
  done
done

med() { echo "$1" | tr ' ' '\n' | grep . | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
cpu_n=$(med "${CPU[nginx]}")
echo
echo "resource server vs nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), $(openssl version | cut -d' ' -f1-2), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "keep-alive: $CONNS mTLS connections, ${DURATION}s x $RUNS runs (median); servers on CPU 0, load on CPU 1"
echo "bodies: /datasources $(stat -c %s "$WORK/datasources.json") bytes; one day of readings with its record $(stat -c %s "$WORK/readings.json") bytes"
printf '%-44s %12s %10s %10s %10s\n' "" "CPU us/req" "x nginx" "req/s" "p99 us"
for s in nginx nginx-inline cheap readings; do
  case $s in
    nginx) label="nginx static /datasources.json" ;;
    nginx-inline) label="nginx same bytes, return 200 inline" ;;
    cheap) label="gridgate /datasources (protected)" ;;
    readings) label="gridgate readings, 1 day + signed record" ;;
  esac
  c=$(med "${CPU[$s]}")
  printf '%-44s %12s %10s %10.0f %10s\n' "$label" "$c" "$(ratio "$c" "$cpu_n")" "$(med "${RPS[$s]}")" \
    "$(med "${P99[$s]}")"
done
echo "target: protected request with cached validation <= 1.50 x nginx"
c_inline=$(med "${CPU[nginx-inline]}")
echo "gridgate /datasources vs nginx inline (no file I/O): $(ratio "$(med "${CPU[cheap]}")" "$c_inline") x"
