#!/usr/bin/env bash
# Monitor's side of the regression-run benchmark in ../shared/bench (see its README.md): the same suite
# (make-suite.sh) against the same fake OpenAI-compatible server (fake-openai.js), run by `monitor eval`
# under /usr/bin/time -v. Prints one JSON line shaped like run-promptfoo.sh's (also saved as $WORK/summary.json).
#
# Usage: N=2000 J=64 LATENCY_MS=50 bench/eval-vs-promptfoo.sh
# Env:   BENCH_DIR (default ../shared/bench beside the repository), PORT (18080), WORK (run folder),
#        BUILD: `native` (default) publishes the native command-line build a CI step runs (-p:MonitorCli=true,
#        Native AOT) into bench/.build-native; `full` publishes the service's executable (Release, ReadyToRun, as a
#        deployment would: without it the JIT's warm-up is a large share of a 4,000-call run) into bench/.build;
#        MONITOR (path of a built `monitor` executable, instead of publishing one).
# Compare with promptfoo by running, interleaved (A B A B), `N=… J=… LATENCY_MS=… $BENCH_DIR/run-promptfoo.sh`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$ROOT/../shared/bench}
N=${N:-500} J=${J:-16} LATENCY_MS=${LATENCY_MS:-100} PORT=${PORT:-18080}
WORK=${WORK:-$(mktemp -d)/monitor-N$N-J$J-L$LATENCY_MS}
rm -rf "$WORK" && mkdir -p "$WORK"

BUILD=${BUILD:-native}
if [[ -z "${MONITOR:-}" ]]; then
  case "$BUILD" in
    native)
      dotnet publish "$ROOT/src/ModelMonitor/ModelMonitor.csproj" -c Release -r linux-x64 -p:MonitorCli=true \
        -nologo -v q -clp:ErrorsOnly -o "$ROOT/bench/.build-native" >&2
      MONITOR="$ROOT/bench/.build-native/monitor" ;;
    full)
      # BuildingMigrationsAssembly=true skips the migrations assembly: eval needs no database.
      dotnet publish "$ROOT/src/ModelMonitor/ModelMonitor.csproj" -c Release -r linux-x64 --self-contained false \
        -p:PublishReadyToRun=true -p:BuildingMigrationsAssembly=true -nologo -v q -clp:ErrorsOnly -o "$ROOT/bench/.build" >&2
      MONITOR="$ROOT/bench/.build/monitor" ;;
    *) echo "BUILD must be native or full, not '$BUILD'" >&2; exit 64 ;;
  esac
fi

N=$N PORT=$PORT "$BENCH_DIR/make-suite.sh" > "$WORK/suite.yaml"

PORT=$PORT LATENCY_MS=$LATENCY_MS node "$BENCH_DIR/fake-openai.js" > "$WORK/server-stats.json" 2> "$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "127.0.0.1:$PORT/stats" > /dev/null && break; sleep 0.1; done

# One endpoint for both models, allowed the full concurrency; no database (the shipped settings name a local one,
# whose state on a shared machine would otherwise decide how long the price lookup takes).
# Workstation GC: a one-shot CLI process needs no per-core server heaps.
export ConnectionStrings__Monitor= Endpoints__bench__Kind=openai Endpoints__bench__BaseUrl="http://127.0.0.1:$PORT/v1" \
  Endpoints__bench__ApiKey=sk-dummy-not-a-real-key Endpoints__bench__MaxConcurrency="$J" \
  DOTNET_gcServer=${DOTNET_gcServer:-0}

LOAD1=$(cut -d' ' -f1 /proc/loadavg)
t0=$(date +%s%N); rc=0
/usr/bin/time -v -o "$WORK/time.txt" \
  "$MONITOR" eval --suite "$WORK/suite.yaml" --baseline bench:model-old --candidate bench:model-new \
  --concurrency "$J" --output "$WORK/results.json" --no-progress > "$WORK/eval.log" 2>&1 || rc=$?   # exit 1: not ready
t1=$(date +%s%N)

kill "$SERVER"; wait "$SERVER" || true; trap - EXIT   # the server prints its stats on SIGTERM

node - "$WORK" "$N" "$J" "$LATENCY_MS" "$(( (t1 - t0) / 1000000 ))" "$rc" "$LOAD1" "$(( t0 / 1000000 ))" "$MONITOR" <<'JS' | tee "$WORK/summary.json"
const fs = require('fs');
const [work, N, J, L, wallMs, rc, load1, startMs, monitor] = process.argv.slice(2).map((v, i) => (i && i < 8 ? +v : v));
const srv = JSON.parse(fs.readFileSync(`${work}/server-stats.json`, 'utf8'));
const tv = fs.readFileSync(`${work}/time.txt`, 'utf8'), num = (re) => +re.exec(tv)[1];
const rss = num(/Maximum resident set size \(kbytes\): (\d+)/);
const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
const out = JSON.parse(fs.readFileSync(`${work}/results.json`, 'utf8'));
const byModel = {};
for (const r of out.results) {
  const m = (byModel[r.model] ??= { pass: 0, fail: 0, error: 0 });
  r.status === 'passed' ? m.pass++ : r.status === 'failed' ? m.fail++ : m.error++;
}
const ideal = (N * 2 * L / 1000) / J, wall = wallMs / 1000;
const span = (srv.lastResponseAt - srv.firstRequestAt) / 1000;  // first request in .. last response out
console.log(JSON.stringify({ tool: 'monitor', monitor, N, J, latencyMs: L, exitCode: rc, load1, wallS: wall, cpuS: +cpu.toFixed(2),
  peakRssMiB: +(rss / 1024).toFixed(1), serverRequests: srv.chat, serverMaxInFlight: srv.maxInFlight, serverDrifted: srv.drifted,
  serverErrors: srv.errors, idealS: ideal, efficiency: +(ideal / wall).toFixed(3), requestSpanS: span, spanEfficiency: +(ideal / span).toFixed(3),
  // Before the first request (process start, host, suite) and after the last response (verdict, results file, exit).
  toFirstRequestS: (srv.firstRequestAt - startMs) / 1000, afterLastResponseS: (startMs + wallMs - srv.lastResponseAt) / 1000,
  verdict: out.report?.verdict, regressions: out.report?.regressions?.length, byModel }));
JS
