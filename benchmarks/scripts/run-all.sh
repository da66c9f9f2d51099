#!/usr/bin/env bash
# Every figure of BENCHMARKS.md, in one bounded run (~20 minutes on the 2-core reference machine).
# Results land in benchmarks/results/. Needs the jar (./mvnw -B -pl benchmarks -am package -DskipTests),
# Redis and PostgreSQL on their standard loopback ports, Debian's nginx + libnginx-mod-nchan.
#
# Usage: benchmarks/scripts/run-all.sh [jmh|sbs|load|issue17|all]
# (`issue17` is benchmarks/scripts/issue17.sh all: issue 17's targets for both servers, with their table)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
jar=benchmarks/target/benchmarks.jar
results=benchmarks/results
mkdir -p "$results"
harness="java -cp $jar org.ordertracking.benchmarks.load.LoadHarness"
what="${1:-all}"

log() { printf '[run-all] %s\n' "$*" >&2; }

machine() {
  { echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "nproc: $(nproc)"; free -g | head -2
    java -version 2>&1 | head -3; echo "uptime: $(uptime)"
    echo "other JVMs: $(pgrep -fa java | grep -v benchmarks.jar | cut -c1-120 | wc -l)"; } | tee -a "$results/machine.txt"
}

jmh() {
  log "JMH: core benchmarks"
  java -jar "$jar" 'WireCodecBenchmark|LocationBenchmark|\.TransitionBenchmark|FanoutBenchmark|LocationIngestBenchmark' \
    -f 1 -rf json -rff "$results/jmh-core.json" | tee "$results/jmh-core.txt" | grep -E '^(Benchmark|[A-Z][A-Za-z]+\.)'
  log "JMH: JDBC transitions, 1 thread, H2 and PostgreSQL"
  java -jar "$jar" JdbcTransitionBenchmark -f 1 -t 1 -rf json -rff "$results/jmh-jdbc-t1.json" \
    | tee "$results/jmh-jdbc-t1.txt" | grep -E '^(Benchmark|[A-Z][A-Za-z]+\.)'
}

sbs() {
  benchmarks/scripts/side-by-side.sh redis
  benchmarks/scripts/side-by-side.sh pgbench 4
  benchmarks/scripts/side-by-side.sh polling
}

load() {
  for rate in 1000 5000 20000; do
    RATE=$rate STREAMS=10000 ORDERS=1000 DURATION=20 benchmarks/scripts/side-by-side.sh nchan
  done
  log "fan-out: 10,000 streams over 20 orders (500 streams each), 300 events/s = 150,000 deliveries/s offered"
  PUBLISHERS=32 RATE=300 STREAMS=10000 ORDERS=20 DURATION=20 benchmarks/scripts/side-by-side.sh nchan
  log "idle: 19,000 streams held by one server process"
  $harness --start-server --streams 19000 --orders 1900 --clients 4 --hold 5 --connect-rate 3000 \
    --out "$results/load-ours-idle-19000.json" | tail -5
  log "churn: 10,000 streams reconnecting every ~5 s (2,000/s) while 1,000 events/s flow"
  $harness --start-server --streams 10000 --orders 1000 --clients 4 --rate 1000 --churn-ms 5000 \
    --connect-rate 6000 --duration 30 --out "$results/load-ours-churn.json" | tail -5
  log "mixed: 10,000 streams, 1,000 status events/s, 20,000 batch fixes/s and 1,000 WebSocket fixes/s at once"
  $harness --start-server --streams 10000 --orders 1000 --rate 1000 --fixes 20000 --drivers 1000 --ws-fixes 1000 \
    --ws-drivers 100 --duration 20 --out "$results/load-ours-mixed.json" | tail -5
  log "server profile at 10,000 streams and 5,000 events/s (JFR)"
  $harness --start-server --server-jfr /tmp/bench-server-load.jfr --streams 10000 --orders 1000 --rate 5000 \
    --duration 20 --out /tmp/bench-server-load.json | tail -3
  sleep 5
  { echo "# bench server under 10,000 streams and 5,000 status events/s, JFR execution samples"
    echo "## top frames"; python3 benchmarks/scripts/jfr-top.py /tmp/bench-server-load.jfr -n 20
    echo "## inclusive"; python3 benchmarks/scripts/jfr-top.py /tmp/bench-server-load.jfr --inclusive -n 80 \
      | grep -i 'ordertracking\|jetty\|jackson\|concurrent'; } > "$results/profiles/server-load.txt"
  log "fixes: batch endpoint (batches of 20) and driver WebSockets"
  $harness --start-server --streams 0 --orders 100 --fixes 100000 --batch 20 --drivers 2000 \
    --fix-publishers 8 --ws-fixes 2000 --ws-drivers 100 --duration 20 --out "$results/load-ours-fixes.json" | tail -5
}

machine
case "$what" in
  jmh) jmh ;;
  sbs) sbs ;;
  load) load ;;
  issue17) benchmarks/scripts/issue17.sh all ;;
  all) jmh; sbs; load ;;
  *) echo "usage: $0 jmh|sbs|load|issue17|all" >&2; exit 2 ;;
esac
machine
