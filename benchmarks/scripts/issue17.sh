#!/usr/bin/env bash
# Issue 17's measurements in one command: every target of the issue, our server and nchan in the same
# run, then the targets table (target, ours, nchan, ratio, met / missed by how much). Needs a QUIET
# machine (the targets compare against nchan: a busy machine compares noise), the jar
# (./mvnw -B -pl benchmarks -am package -DskipTests), Redis on 127.0.0.1:6379 and PostgreSQL on
# 127.0.0.1:5432 (the two-node run) and Debian's nginx-light + libnginx-mod-nchan (without nginx the
# nchan runs are skipped and their columns say "—"). Loopback only; every run is bounded in time.
# About 23 minutes at the issue's sizes on the 2-core reference machine (runs 2 and 3).
#
# Usage: benchmarks/scripts/issue17.sh [all|load|saturation|idle|mix|nodes|table] [results-dir]
#   results-dir defaults to benchmarks/results/issue17-<UTC time>; `table` only rewrites its tables.
# Sizes (environment; the defaults are the issue's):
#   STREAMS=10000 ORDERS=1000 DURATION=20 LOAD_RATES="1000 5000"     the 1,000/s and 5,000/s pairs
#   RATES="1000 2000 3500 5000 7500 10000" SAT_DURATION=15           the saturation steps
#   IDLE_STREAMS=19000                                               memory per idle stream
#   MIX_STREAMS=10000 MIX_DRIVERS=2000 MIX_RATE=200 MIX_DURATION=60 MIX_STEP_M=30 MIX_WS_SHARE=0.5
#   NODES_STREAMS=10000 NODES_ORDERS=1000 NODES_RATE=1000 NODES_DURATION=30
#   PORT=8090 (our server; the two-node run also uses PORT+1; nchan listens on 8091, see nginx.conf)
#   WARMUP=20 seconds of load before each measured window (both servers): our JVM is still compiling
#     its hot paths for the first ~20 s (5 s left C2 with a quarter of the samples in the window)
#   EXTRA="…" harness options added to every run of ours, e.g. "--server-heap 512m"
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
jar=benchmarks/target/benchmarks.jar
what="${1:-all}"
out="${2:-benchmarks/results/issue17-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
redis_url="${TRACKING_TEST_REDIS:-redis://127.0.0.1:6379}"
pg_url="${TRACKING_TEST_POSTGRES:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}"
WARMUP="${WARMUP:-20}"
harness="java -Dtracking.test.redis=$redis_url -Dtracking.test.postgres=$pg_url -cp $jar org.ordertracking.benchmarks.load.LoadHarness --warmup $WARMUP"

STREAMS="${STREAMS:-10000}" ORDERS="${ORDERS:-1000}" DURATION="${DURATION:-20}"
LOAD_RATES="${LOAD_RATES:-1000 5000}"
RATES="${RATES:-1000 2000 3500 5000 7500 10000}" SAT_DURATION="${SAT_DURATION:-15}"
IDLE_STREAMS="${IDLE_STREAMS:-19000}"
MIX_STREAMS="${MIX_STREAMS:-10000}" MIX_DRIVERS="${MIX_DRIVERS:-2000}" MIX_RATE="${MIX_RATE:-200}"
MIX_DURATION="${MIX_DURATION:-60}" MIX_STEP_M="${MIX_STEP_M:-30}" MIX_WS_SHARE="${MIX_WS_SHARE:-0.5}"
NODES_STREAMS="${NODES_STREAMS:-10000}" NODES_ORDERS="${NODES_ORDERS:-1000}" NODES_RATE="${NODES_RATE:-1000}"
NODES_DURATION="${NODES_DURATION:-30}"
PORT="${PORT:-8090}" EXTRA="${EXTRA:-}"

log() { printf '[issue17] %s\n' "$*" >&2; }

machine() {
  { echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "nproc: $(nproc)"; free -m | head -2
    java -version 2>&1 | head -1; echo "uptime: $(uptime)"
    echo "other JVMs: $(pgrep -fa java | grep -vc benchmarks.jar || true)"; } >> "$out/machine.txt"
}

# the publisher threads side-by-side.sh uses for a rate: rate/500, between 4 and 32
publishers() { local r=$(( $1 / 500 )); (( r < 4 )) && r=4; (( r > 32 )) && r=32; echo "$r"; }

have_nchan() { command -v nginx >/dev/null && [ -e /usr/lib/nginx/modules/ngx_nchan_module.so ]; }
nchan_prefix=/tmp/nchan-bench
nchan_conf="$root/benchmarks/nchan/nginx.conf"
nchan_up() {
  mkdir -p "$nchan_prefix/logs"
  nginx -p "$nchan_prefix" -c "$nchan_conf" -s quit 2>/dev/null || true
  sleep 1
  nginx -p "$nchan_prefix" -c "$nchan_conf"
  sleep 1
  pgrep -d, -P "$(cat "$nchan_prefix/logs/nginx.pid")"
}
nchan_down() { nginx -p "$nchan_prefix" -c "$nchan_conf" -s quit 2>/dev/null || true; sleep 1; }

# nchan: <out-file> <harness options…>; skipped (with a note) without nginx + nchan
nchan() {
  local file="$1"; shift
  if ! have_nchan; then
    log "nchan not installed (apt-get install nginx-light libnginx-mod-nchan): skipping $file"
    return 0
  fi
  local workers; workers=$(nchan_up)
  $harness --target nchan --url http://127.0.0.1:8091 --server-pids "$workers" "$@" --out "$out/$file" \
    > "$out/${file%.json}.log" 2>&1 || log "failed: see $out/${file%.json}.log"
  nchan_down
}

# ours: <out-file> <harness options…>
ours() {
  local file="$1"; shift
  # shellcheck disable=SC2086 # EXTRA is a list of options
  $harness --start-server --url "http://127.0.0.1:$PORT/tracking" --server-log "$out/bench-server.log" $EXTRA "$@" \
    --out "$out/$file" > "$out/${file%.json}.log" 2>&1 || log "failed: see $out/${file%.json}.log"
}

load() {
  for rate in $LOAD_RATES; do
    local p; p=$(publishers "$rate")
    log "$rate events/s over $STREAMS streams ($ORDERS orders): nchan, then ours"
    nchan "load-nchan-r$rate.json" --streams "$STREAMS" --orders "$ORDERS" --rate "$rate" --duration "$DURATION" --publishers "$p"
    ours "load-ours-r$rate.json" --streams "$STREAMS" --orders "$ORDERS" --rate "$rate" --duration "$DURATION" --publishers "$p"
  done
}

saturation() {
  # every step for both servers, each pair back to back; the table takes, per server, the highest
  # rate before the first step with p99 > 50 ms or < 95 % of the offered rate published
  for rate in $RATES; do
    local p; p=$(publishers "$rate")
    log "saturation step $rate events/s: nchan, then ours"
    nchan "sat-nchan-r$rate.json" --streams "$STREAMS" --orders "$ORDERS" --rate "$rate" --duration "$SAT_DURATION" --publishers "$p"
    ours "sat-ours-r$rate.json" --streams "$STREAMS" --orders "$ORDERS" --rate "$rate" --duration "$SAT_DURATION" --publishers "$p"
  done
}

idle() {
  log "$IDLE_STREAMS idle streams: memory per stream, nchan then ours"
  nchan idle-nchan.json --streams "$IDLE_STREAMS" --orders $(( IDLE_STREAMS / 10 )) --clients 4 --hold 5 --connect-rate 3000
  ours idle-ours.json --streams "$IDLE_STREAMS" --orders $(( IDLE_STREAMS / 10 )) --clients 4 --hold 5 --connect-rate 3000
}

mix() {
  log "realistic mix: $MIX_DRIVERS drivers (a fix every 5 s, ${MIX_WS_SHARE} of them over WebSocket), $MIX_STREAMS streams, $MIX_RATE status events/s"
  ours mix-ours.json --mode mix --streams "$MIX_STREAMS" --drivers "$MIX_DRIVERS" --rate "$MIX_RATE" \
    --step-m "$MIX_STEP_M" --ws-share "$MIX_WS_SHARE" --duration "$MIX_DURATION"
}

nodes() {
  log "two nodes over Redis and PostgreSQL: $NODES_RATE events/s posted to node A, $NODES_STREAMS streams split over B and A"
  ours nodes2-ours.json --nodes 2 --store postgres --streams "$NODES_STREAMS" --orders "$NODES_ORDERS" \
    --rate "$NODES_RATE" --duration "$NODES_DURATION" --publishers "$(publishers "$NODES_RATE")"
}

table() {
  python3 benchmarks/scripts/summarize.py "$out" --targets > "$out/SUMMARY.md"
  java -cp "$jar" org.ordertracking.benchmarks.load.Issue17Report "$out" > "$out/TARGETS.md"
  log "targets: $out/TARGETS.md (all figures: $out/SUMMARY.md)"
  cat "$out/TARGETS.md"
}

[ -f "$jar" ] || { echo "no $jar: ./mvnw -B -pl benchmarks -am package -DskipTests" >&2; exit 2; }
case "$what" in
  all) machine; load; saturation; idle; mix; nodes; machine; table ;;
  load|saturation|idle|mix|nodes) machine; "$what"; machine; table ;;
  table) table ;;
  *) echo "usage: $0 all|load|saturation|idle|mix|nodes|table [results-dir]" >&2; exit 2 ;;
esac
