#!/usr/bin/env bash
# Redis-mode heartbeat and init throughput against a bare Vert.x 202 server, in one run, with wrk as
# the load generator in its own process: bare, heartbeats (over SESSIONS sessions started by seed.py,
# one per subject), inits (a new subject each), bare again. Prints one row per phase: req/s, ratio to
# the first bare run, latency, the cores other processes used meanwhile (not the servers, Redis or
# wrk), CPU time of the server under test and of Redis per request, Redis commands per request
# (INFO commandstats: a script call is evalsha plus each command it runs), and syscalls per request
# of the server under test and of Redis (perf). On a shared machine req/s and CPU time move with the
# other work; the counts do not. The init phase also carries the expiry work of the heartbeat phase's
# subjects (their first deadlines come due), a few commands per hundred requests.
#
# Needs: wrk, redis-server, redis-cli, perf (syscall counts; optional: PERF=0), python3, and the jars
# (./mvnw -pl bench -am package -DskipTests). Settings from the environment, with defaults:
#   THREADS=2 CONNS=64 WARMUP=5 DURATION=15 SESSIONS=10000 REDIS_PORT=6391 PERF=1
#   SERVER_OPTS (JVM options of our server, e.g. -Xmx1g), SERVER_JAR (another build of it, to compare)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/jdk.sh

THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-15}
SESSIONS=${SESSIONS:-10000}
REDIS_PORT=${REDIS_PORT:-6391}
PERF=${PERF:-1}
BARE_PORT=$((REDIS_PORT + 1700))
CM_PORT=$((REDIS_PORT + 1701))
here=bench/redis-wrk
out=$(mktemp -d /tmp/cm-redis-wrk.XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

await_http() {
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$1$2" && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1" >&2
  exit 1
}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$out" >"$out/redis.log" 2>&1 &
pids+=($!)
redis_pid=$!
java -cp bench/target/cm-bench.jar io.cm.bench.BareServer "$BARE_PORT" >"$out/bare.log" 2>&1 &
pids+=($!)
bare_pid=$!
CM_STORE=redis CM_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" CM_PORT="$CM_PORT" CM_DATA_DIR="$out/data" \
  CM_ID_SECRET=bench-secret-shared-by-every-node \
  CM_THROTTLING_INITS_PER_WINDOW=1000000000 CM_THROTTLING_SESSION_REQUESTS_PER_WINDOW=1000000000 \
  java ${SERVER_OPTS:-} -jar "${SERVER_JAR:-server/target/cm-server.jar}" >"$out/server.log" 2>&1 &
pids+=($!)
cm_pid=$!
await_http "$BARE_PORT" /
await_http "$CM_PORT" /health

python3 "$here/seed.py" "$CM_PORT" "$SESSIONS" >"$out/sessions.txt"

# CPU ticks (user + system) of a process, and busy ticks of the whole machine.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }

# phase NAME PORT SCRIPT URL_PATH [SCRIPT_ARG]: a warm-up run, then the measured run.
phase() {
  local name=$1 port=$2 script=$3 path=$4 arg=${5:-}
  local url="http://127.0.0.1:$port$path"
  wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$script" "$url" -- "${arg:-$name-warm-up}" >/dev/null
  redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
  local target=$bare_pid
  [ "$port" = "$CM_PORT" ] && target=$cm_pid
  local perf_pid=""
  if [ "$PERF" = 1 ]; then
    perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_write,syscalls:sys_enter_writev \
      -e syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,context-switches -p "$target" \
      -o "$out/$name.perf" -- sleep "$DURATION" &
    perf_pid=$!
    if [ "$target" = "$cm_pid" ]; then
      perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write -p "$redis_pid" \
        -o "$out/$name.redis-perf" -- sleep "$DURATION" &
      perf_pid="$perf_pid $!"
    fi
  fi
  local busy0 ours0 busy1 ours1 server0 redis0
  busy0=$(busy)
  ours0=$(( $(ticks "$cm_pid") + $(ticks "$bare_pid") + $(ticks "$redis_pid") ))
  server0=$(ticks "$target")
  redis0=$(ticks "$redis_pid")
  /usr/bin/time -f "%U %S" -o "$out/$name.time" \
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$script" "$url" -- "${arg:-$name}" >"$out/$name.wrk"
  busy1=$(busy)
  ours1=$(( $(ticks "$cm_pid") + $(ticks "$bare_pid") + $(ticks "$redis_pid") ))
  echo "$name $(( $(ticks "$target") - server0 )) $(( $(ticks "$redis_pid") - redis0 ))" >>"$out/cpu"
  [ -n "$perf_pid" ] && wait $perf_pid
  redis-cli -p "$REDIS_PORT" INFO commandstats >"$out/$name.redis"
  local wrk_ticks
  wrk_ticks=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($1 + $2) * hz}' "$out/$name.time")
  echo "$name $(( busy1 - busy0 - (ours1 - ours0) - wrk_ticks ))" >>"$out/others"
}

phase bare "$BARE_PORT" "$here/bare.lua" /v2/sessions/idp/bare
if [ -n "${STRACE:-}" ]; then
  # A breakdown of the server's write/read calls by what they go to (sockets, the event loops' wake-up
  # eventfds), sampled for 3 s under heartbeat load. strace slows the server: counts, not speed.
  wrk -t"$THREADS" -c"$CONNS" -d8s -s "$here/heartbeat.lua" "http://127.0.0.1:$CM_PORT/" -- "$out/sessions.txt" \
    >"$out/strace.wrk" &
  sleep 3
  timeout 3 strace -f -qq -e trace=read,write,writev -yy -p "$cm_pid" -o "$out/strace.txt" || true
  wait $!
  # Each call once (an interrupted one is listed again as "resumed"), by what its fd is.
  grep -v resumed "$out/strace.txt" | awk -v redis=":$REDIS_PORT]" '{
      call = $2; sub(/\(.*/, "", call)
      what = index($2, redis) ? "redis" : index($2, "TCP") ? "http" : index($2, "eventfd") ? "wake-up" : "other"
      n[call " " what]++ } END { for (k in n) print n[k], k }' | sort -rn >"$out/strace.summary"
fi
phase heartbeat "$CM_PORT" "$here/heartbeat.lua" / "$out/sessions.txt"
phase init "$CM_PORT" "$here/init.lua" /
phase bare-again "$BARE_PORT" "$here/bare.lua" /v2/sessions/idp/bare

hz=$(getconf CLK_TCK)
bare_rps=$(awk '/^Requests\/sec/{print $2}' "$out/bare.wrk")
printf '%-11s %10s %6s %9s %9s %7s %7s %9s %9s  %s\n' phase req/s ×bare p50 p99 non2xx others "server µs" "Redis µs" \
  "Redis commands per request | syscalls of the server under test per request | of Redis"
for name in bare heartbeat init bare-again; do
  rps=$(awk '/^Requests\/sec/{print $2}' "$out/$name.wrk")
  requests=$(awk '/requests in/{print $1}' "$out/$name.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$out/$name.wrk")
  p99=$(awk '$1=="99%"{print $2}' "$out/$name.wrk")
  non2xx=$(awk '/Non-2xx/{print $5}' "$out/$name.wrk")
  others=$(awk -v n="$name" -v hz="$hz" -v d="$DURATION" '$1==n{printf "%.2f", $2 / hz / d}' "$out/others")
  commands=$(awk -F'[:=,]' -v r="$requests" '/^cmdstat_/ && $1 !~ /config|info/ {
      sub("cmdstat_", "", $1); printf "%s=%.2f ", $1, $3 / r }' "$out/$name.redis")
  syscalls=""
  if [ -f "$out/$name.perf" ]; then
    syscalls=$(awk -F, -v r="$requests" '$3 ~ /sys_enter|context-switches/ { n = $3; sub(/.*sys_enter_?/, "", n);
        if (n == "") n = "all"; if (n == "context-switches") n = "(context switches)"; printf "%s=%.2f ", n, $1 / r }' "$out/$name.perf")
  fi
  if [ -f "$out/$name.redis-perf" ]; then
    syscalls="$syscalls| Redis: $(awk -F, -v r="$requests" '$3 ~ /sys_enter/ { n = $3; sub(/.*sys_enter_?/, "", n);
        if (n == "") n = "all"; printf "%s=%.2f ", n, $1 / r }' "$out/$name.redis-perf")"
  fi
  cpu=$(awk -v n="$name" -v hz="$hz" -v r="$requests" '$1==n{printf "%.1f %.1f", $2 * 1e6 / hz / r, $3 * 1e6 / hz / r}' "$out/cpu")
  printf '%-11s %10.0f %6.2f %9s %9s %7s %7s %9s %9s  %s| %s\n' "$name" "$rps" "$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN{print a / b}')" \
    "$p50" "$p99" "${non2xx:-0}" "$others" ${cpu} "$commands" "$syscalls"
done
echo "(raw outputs in $out)"
