#!/usr/bin/env bash
# gridgate's HTTPS server against nginx, in one sitting (TARGETS.md: always measure the reference in
# the same sitting and report the ratio).
#
#   bench/net/vs_nginx.sh                      # builds build/net-release if needed
#   RUNS=3 DURATION=10 CONNS=16 bench/net/vs_nginx.sh
#   NICE=-10 bench/net/vs_nginx.sh             # on a busy shared machine (root)
#
# Both servers serve the same small JSON over mTLS (ECDSA P-256 certificates, client certificate
# required, TLS 1.3, session tickets on, access logs off): nginx with one worker, gridgate with one
# I/O thread (gridgate-bench-server). The load generator (gridgate-load, mTLS keep-alive) drives
# each in turn; the servers run on CPU 0 and the load generator on CPU 1 when taskset exists.
#
# Reported, for each server and as gridgate/nginx ratios:
#   - server CPU microseconds per request: /proc/<pid>/stat utime+stime delta over a keep-alive run
#     of DURATION s with CONNS connections, divided by the requests served; median of RUNS runs
#   - idle RSS, and the RSS added by IDLE_CONNS idle TLS connections (each did one request)
#   - new mTLS handshakes per second (full handshakes, one request each, HS_CONNS in parallel),
#     and server CPU microseconds per handshake
# Targets (TARGETS.md): CPU/request <= 1.5x nginx; idle RSS < 15 MB; 1000 idle TLS connections add
# < 64 MB; handshakes/s >= 80% of nginx's.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build/net-release}
BUILD=$(realpath -m "$BUILD")  # absolute: the script cd-s into its work directory
NGINX=${NGINX:-/usr/sbin/nginx}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
IDLE_CONNS=${IDLE_CONNS:-1000}
HS_CONNS=${HS_CONNS:-4}
HS_DURATION=${HS_DURATION:-5}

LOAD=$BUILD/bench/net/gridgate-load
SERVER=$BUILD/bench/net/gridgate-bench-server
if [[ ! -x $LOAD || ! -x $SERVER ]]; then
  echo "building gridgate-load and gridgate-bench-server in $BUILD (Release)" >&2
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRIDGATE_WERROR=ON \
    -DGRIDGATE_HARDEN=ON -DGRIDGATE_TESTS=OFF >/dev/null
  cmake --build "$BUILD" --target gridgate-load gridgate-bench-server -j2 >/dev/null
fi
[[ -x $NGINX ]] || { echo "nginx not found at $NGINX" >&2; exit 1; }

WORK=$(mktemp -d /tmp/gridgate-vs-nginx.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# On a shared machine, NICE=-10 (as root) keeps other jobs from distorting the figures.
PRIO=()
[[ -n ${NICE:-} ]] && PRIO=(nice -n "$NICE")
SERVER_CPU=("${PRIO[@]}")
LOAD_CPU=("${PRIO[@]}")
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
  SERVER_CPU+=(taskset -c 0)
  LOAD_CPU+=(taskset -c 1)
fi
CLK_TCK=$(getconf CLK_TCK)

# --- PKI (openssl CLI) --------------------------------------------------------------------------
cd "$WORK"
cat >openssl.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = URI:https://client.example/app
EOF
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
for ca in server-ca client-ca; do
  openssl req -x509 -config openssl.cnf -extensions v3_ca "${ec[@]}" -keyout $ca.key -out $ca.pem \
    -days 2 -subj "/CN=$ca" 2>/dev/null
done
leaf() {  # name ca extensions
  openssl req -new -config openssl.cnf "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 2 -extfile openssl.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
  cat "$1.pem" "$2.pem" >"$1.chain.pem"
}
leaf server server-ca server
leaf client client-ca client
TLS_ARGS=(--cert "$WORK/client.chain.pem" --key "$WORK/client.key" --ca "$WORK/server-ca.pem")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- servers ------------------------------------------------------------------------------------
BODY='{"meter":"m-1","unit":"kWh","readings":[1.25,1.5,0.75]}'
NGINX_PORT=$(free_port)
mkdir -p nginx
cat >nginx/nginx.conf <<EOF
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
    ssl_certificate $WORK/server.chain.pem;
    ssl_certificate_key $WORK/server.key;
    ssl_client_certificate $WORK/client-ca.pem;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;
    ssl_session_tickets on;
    location = /json {
      default_type application/json;
      return 200 '$BODY';
    }
  }
}
EOF
"${SERVER_CPU[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" \
  -g "daemon off; pid $WORK/nginx/nginx.pid;" &
NGINX_MASTER=$!
PIDS+=("$NGINX_MASTER")

GG_LOG=$WORK/gridgate.log
"${SERVER_CPU[@]}" "$SERVER" --port 0 --cert "$WORK/server.chain.pem" --key "$WORK/server.key" \
  --client-ca "$WORK/client-ca.pem" --io-threads 1 >"$GG_LOG" 2>&1 &
GG_PID=$!
PIDS+=("$GG_PID")

for _ in $(seq 100); do
  grep -q LISTENING "$GG_LOG" 2>/dev/null && [[ -n $(pgrep -P "$NGINX_MASTER" || true) ]] && break
  sleep 0.1
done
GG_PORT=$(awk '/LISTENING/ {print $2}' "$GG_LOG")
NGINX_WORKER=$(pgrep -P "$NGINX_MASTER" | head -1)
[[ -n $GG_PORT && -n $NGINX_WORKER ]] || { echo "servers did not start" >&2; cat "$GG_LOG" "$WORK/nginx/error.log" >&2; exit 1; }

url() { [[ $1 == nginx ]] && echo "https://127.0.0.1:$NGINX_PORT/json" || echo "https://127.0.0.1:$GG_PORT/json"; }
cpu_pid() { [[ $1 == nginx ]] && echo "$NGINX_WORKER" || echo "$GG_PID"; }
rss_pids() { [[ $1 == nginx ]] && echo "$NGINX_MASTER $NGINX_WORKER" || echo "$GG_PID"; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
rss_kb() { local t=0; for p in $(rss_pids "$1"); do t=$((t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $t; }
field() { sed -n "s/.*RESULT.* $1=\([0-9.]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm-up: one connection, a few requests each, then the idle RSS.
for s in nginx gridgate; do
  "${LOAD_CPU[@]}" "$LOAD" --url "$(url $s)" "${TLS_ARGS[@]}" --connections 1 --requests 10 >/dev/null
done
sleep 0.5
IDLE_RSS_nginx=$(rss_kb nginx)
IDLE_RSS_gridgate=$(rss_kb gridgate)

# --- 1000 idle TLS connections ------------------------------------------------------------------
for s in nginx gridgate; do
  before=$(rss_kb $s)
  out=$WORK/idle-$s.log
  "${LOAD_CPU[@]}" "$LOAD" --mode idle --url "$(url $s)" "${TLS_ARGS[@]}" --connections "$IDLE_CONNS" \
    --hold 120 >"$out" 2>&1 &
  holder=$!
  for _ in $(seq 600); do grep -q READY "$out" && break; sleep 0.1; done
  sleep 0.5
  after=$(rss_kb $s)
  ready=$(awk '/READY/ {print $2}' "$out")
  kill "$holder"; wait "$holder" 2>/dev/null || true
  printf -v "IDLE_ADD_$s" '%s' $((after - before))
  printf -v "IDLE_READY_$s" '%s' "${ready:-0}"
  sleep 1
done

# --- keep-alive CPU per request -----------------------------------------------------------------
declare -A CPU RPS P99
for run in $(seq "$RUNS"); do
  for s in nginx gridgate; do
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

# --- new mTLS handshakes ------------------------------------------------------------------------
declare -A HS HSCPU
for s in nginx gridgate; do
  pid=$(cpu_pid $s)
  t0=$(ticks "$pid")
  out=$("${LOAD_CPU[@]}" "$LOAD" --mode handshake --url "$(url $s)" "${TLS_ARGS[@]}" \
    --connections "$HS_CONNS" --duration "$HS_DURATION")
  t1=$(ticks "$pid")
  n=$(echo "$out" | field requests)
  HS[$s]=$(echo "$out" | field rps)
  HSCPU[$s]=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$CLK_TCK" 'BEGIN {printf "%.0f", d * 1e6 / hz / n}')
  echo "handshakes $s: $n in ${HS_DURATION}s, errors $(echo "$out" | field errors)" >&2
done

# --- report -------------------------------------------------------------------------------------
cpu_n=$(echo "${CPU[nginx]}" | tr ' ' '\n' | grep . | median)
cpu_g=$(echo "${CPU[gridgate]}" | tr ' ' '\n' | grep . | median)
rps_n=$(echo "${RPS[nginx]}" | tr ' ' '\n' | grep . | median)
rps_g=$(echo "${RPS[gridgate]}" | tr ' ' '\n' | grep . | median)
p99_n=$(echo "${P99[nginx]}" | tr ' ' '\n' | grep . | median)
p99_g=$(echo "${P99[gridgate]}" | tr ' ' '\n' | grep . | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

echo
echo "gridgate vs nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), $(openssl version | cut -d' ' -f1-2), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "keep-alive: $CONNS mTLS connections, ${DURATION}s x $RUNS runs (median); servers on CPU 0, load on CPU 1"
printf '%-34s %12s %12s %10s  %s\n' "" nginx gridgate "gg/nginx" target
printf '%-34s %12s %12s %10s  %s\n' "server CPU us/request" "$cpu_n" "$cpu_g" "$(ratio "$cpu_g" "$cpu_n")" "<= 1.50"
printf '%-34s %12.0f %12.0f %10s\n' "requests/s" "$rps_n" "$rps_g" "$(ratio "$rps_g" "$rps_n")"
printf '%-34s %12s %12s\n' "p99 latency us" "$p99_n" "$p99_g"
printf '%-34s %12s %12s %10s  %s\n' "idle RSS MB" "$(mb "$IDLE_RSS_nginx")" "$(mb "$IDLE_RSS_gridgate")" "" "gridgate < 15"
printf '%-34s %12s %12s %10s  %s\n' "RSS added by $IDLE_CONNS idle TLS conns MB" \
  "$(mb "$IDLE_ADD_nginx")" "$(mb "$IDLE_ADD_gridgate")" "" "gridgate < 64 (held: $IDLE_READY_nginx / $IDLE_READY_gridgate)"
printf '%-34s %12.0f %12.0f %10s  %s\n' "new mTLS handshakes/s ($HS_CONNS conns)" "${HS[nginx]}" "${HS[gridgate]}" \
  "$(ratio "${HS[gridgate]}" "${HS[nginx]}")" ">= 0.80"
printf '%-34s %12s %12s %10s\n' "server CPU us/handshake" "${HSCPU[nginx]}" "${HSCPU[gridgate]}" \
  "$(ratio "${HSCPU[gridgate]}" "${HSCPU[nginx]}")"
echo "(nginx RSS: master + worker; nginx CPU: the worker)"
