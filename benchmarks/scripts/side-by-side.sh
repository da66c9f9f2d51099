#!/usr/bin/env bash
# Side-by-side figures of BENCHMARKS.md, each pair in the same run (the machine is noisy, so the
# ratio is what counts). Needs the benchmarks jar (./mvnw -B -pl benchmarks -am package -DskipTests),
# Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432 (user postgres, trust) with its client
# tools, and for `nchan` Debian's nginx + libnginx-mod-nchan. Loopback only; every step is bounded.
#
# Usage: benchmarks/scripts/side-by-side.sh redis|pgbench|nchan|polling|all  [clients]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
jar=benchmarks/target/benchmarks.jar
results=benchmarks/results
mkdir -p "$results"
what="${1:-all}"
clients="${2:-4}"
redis_url="${TRACKING_TEST_REDIS:-redis://127.0.0.1:6379}"
pg_url="${TRACKING_TEST_POSTGRES:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}"

log() { printf '[side-by-side] %s\n' "$*" >&2; }

machine() {
  { date -u; echo "nproc: $(nproc)"; free -g | head -2; java -version 2>&1 | head -1; uptime; } >&2
}

# Keeps the header and the name and requests/s of redis-benchmark's CSV, naming the test $1 (a long
# EVALSHA command line would otherwise be the name).
short_csv() {
  awk -F'","' -v name="$1" 'NR == 1 { print; next } { print "\"" name "\",\"" $2 "\"" }'
}

redis() {
  # payload the size of a status event as the bus sends it ("status\n" + the event's JSON)
  local payload='status
{"order_id":"3f2c9a4e-order-1042","seq":3,"status":"preparing","previous":"accepted","reason":null,"at":"2026-11-24T10:00:00.123Z"}'
  log "redis-benchmark -t set -P 16 (50 clients, 1,000,000 requests)"
  redis-benchmark -h 127.0.0.1 -p 6379 -t set -P 16 -n 1000000 --csv | tee "$results/redis-benchmark-set.csv"
  # redis-benchmark 7.0 has no built-in publish test (-t publish prints nothing): the command is given explicitly
  log "redis-benchmark PUBLISH (50 clients, 200,000 requests, no pipelining, a status-event payload)"
  redis-benchmark -h 127.0.0.1 -p 6379 -n 200000 --csv PUBLISH bench:sbs:chan "$payload" \
    | tee "$results/redis-benchmark-publish.csv"
  # the same server-side work as RedisLocationStore.putIfNewer: its Lua script, pipelined, 1,000 drivers,
  # first one fix per call, then 64 fixes per call (what group commit sends under load)
  local sha stamp fix
  sha=$(redis-cli -h 127.0.0.1 -p 6379 SCRIPT LOAD "$(java -cp "$jar" org.ordertracking.benchmarks.PrintPutIfNewerScript)")
  stamp=31557015962733600123000000   # 2026-11-24T10:00:00.123Z as the script's stamp
  fix='33.8938,35.5018,8.0,,,31557015962733600200000000'   # the rest of a stored position (docs/redis.md)
  log "redis-benchmark EVALSHA putIfNewer script, 1 fix per call, -P 16 (50 clients, 500,000 requests)"
  redis-benchmark -h 127.0.0.1 -p 6379 -P 16 -n 500000 -r 1000 --csv EVALSHA "$sha" 2 \
    'bench:sbs:driver:{__rand_int__}:pos' 'bench:sbs:driver:{__rand_int__}:seen_at' \
    30000 600000 "$stamp" "$stamp$fix" | short_csv "EVALSHA putIfNewer, 1 fix per call" \
    | tee "$results/redis-benchmark-evalsha-putifnewer.csv"
  local keys=() args=() i
  for i in $(seq 1 64); do
    keys+=("bench:sbs:driver:{__rand_int__}:pos" "bench:sbs:driver:{__rand_int__}:seen_at")
    args+=("$stamp" "$stamp$fix")
  done
  log "redis-benchmark EVALSHA putIfNewer script, 64 fixes per call, -P 16 (50 clients, 20,000 requests; fixes/s = requests/s x 64)"
  redis-benchmark -h 127.0.0.1 -p 6379 -P 16 -n 20000 -r 1000 --csv EVALSHA "$sha" 128 "${keys[@]}" 30000 600000 "${args[@]}" \
    | short_csv "EVALSHA putIfNewer, 64 fixes per call (requests/s; x64 for fixes/s)" \
    | tee "$results/redis-benchmark-evalsha-putifnewer-64.csv"
  redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'bench:sbs:*' | xargs -r -n 500 redis-cli -h 127.0.0.1 -p 6379 DEL >/dev/null
  log "our RedisLocationStore and RedisEventBus"
  java -Dtracking.test.redis="$redis_url" -jar "$jar" RedisBenchmark -f 1 -wi 2 -i 3 \
    -rf json -rff "$results/RedisBenchmark.json" | tee "$results/RedisBenchmark.txt" | grep -E '^(Benchmark|[A-Z][A-Za-z]+\.)'
}

pgbench_run() {
  log "pgbench TPC-B-like, $clients clients, on scratch database bench_tmp"
  dropdb -h 127.0.0.1 -U postgres --if-exists bench_tmp
  createdb -h 127.0.0.1 -U postgres bench_tmp
  pgbench -h 127.0.0.1 -U postgres -i -s 1 -q bench_tmp >/dev/null 2>&1
  pgbench -h 127.0.0.1 -U postgres -c "$clients" -j 2 -T 20 bench_tmp 2>/dev/null | tee "$results/pgbench-c$clients.txt"
  dropdb -h 127.0.0.1 -U postgres --if-exists bench_tmp
  log "our JdbcOrderRepository transitions, $clients threads, PostgreSQL"
  java -Dtracking.test.postgres="$pg_url" -jar "$jar" JdbcTransitionBenchmark -p database=postgresql \
    -t "$clients" -f 1 -wi 2 -i 3 -rf json -rff "$results/JdbcTransitionBenchmark-postgresql-t$clients.json" \
    | tee "$results/JdbcTransitionBenchmark-postgresql-t$clients.txt" | grep -E '^(Benchmark|[A-Z][A-Za-z]+\.)'
}

nchan_run() {
  local streams="${STREAMS:-10000}" orders="${ORDERS:-1000}" rate="${RATE:-1000}" duration="${DURATION:-20}"
  local publishers="${PUBLISHERS:-$(( rate / 500 > 4 ? (rate / 500 < 32 ? rate / 500 : 32) : 4 ))}"
  local prefix=/tmp/nchan-bench conf="$root/benchmarks/nchan/nginx.conf"
  mkdir -p "$prefix/logs"
  nginx -p "$prefix" -c "$conf" -s quit 2>/dev/null || true
  sleep 1
  nginx -p "$prefix" -c "$conf"
  sleep 1
  local workers
  workers=$(pgrep -d, -P "$(cat "$prefix/logs/nginx.pid")")
  log "nchan: $streams streams over $orders channels, $rate events/s"
  java -cp "$jar" org.ordertracking.benchmarks.load.LoadHarness --target nchan --url http://127.0.0.1:8091 \
    --server-pids "$workers" --streams "$streams" --orders "$orders" --rate "$rate" --duration "$duration" \
    --publishers "$publishers" \
    --out "$results/load-nchan-s$streams-o$orders-r$rate.json" | tail -40
  nginx -p "$prefix" -c "$conf" -s quit
  log "ours: $streams streams over $orders orders, $rate events/s"
  java -cp "$jar" org.ordertracking.benchmarks.load.LoadHarness --start-server --streams "$streams" \
    --orders "$orders" --rate "$rate" --duration "$duration" --publishers "$publishers" --out "$results/load-ours-s$streams-o$orders-r$rate.json" | tail -40
}

polling() {
  log "polling (every 10 s) versus SSE, 100 active orders, PostgreSQL repository"
  java -Dtracking.test.postgres="$pg_url" -cp "$jar" org.ordertracking.benchmarks.load.LoadHarness --start-server \
    --store postgres --mode polling-compare --orders 100 --streams 100 --clients 1 \
    --out "$results/polling-vs-sse.json" | tail -40
}

machine
case "$what" in
  redis) redis ;;
  pgbench) pgbench_run ;;
  nchan) nchan_run ;;
  polling) polling ;;
  all) redis; pgbench_run; polling; nchan_run ;;
  *) echo "usage: $0 redis|pgbench|nchan|polling|all [clients]" >&2; exit 2 ;;
esac
