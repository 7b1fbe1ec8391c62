#!/usr/bin/env bash
# The floor of the regression-run benchmark on this machine: a client that does nothing but the HTTP calls
# (Node's keep-alive agent, J at a time, no suite, no assertions, no results) against the same fake server,
# N × 2 chat completions. Its request span is what any client can hope for here; `eval`'s span is compared to it.
#
# Usage: N=2000 J=64 LATENCY_MS=50 bench/http-floor.sh    (env BENCH_DIR, PORT as in eval-vs-promptfoo.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$ROOT/../shared/bench}
N=${N:-500} J=${J:-16} LATENCY_MS=${LATENCY_MS:-100} PORT=${PORT:-18080}
WORK=$(mktemp -d)

PORT=$PORT LATENCY_MS=$LATENCY_MS node "$BENCH_DIR/fake-openai.js" > "$WORK/server-stats.json" 2> "$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -sf "127.0.0.1:$PORT/stats" > /dev/null && break; sleep 0.1; done

N=$N J=$J PORT=$PORT node - <<'JS' > "$WORK/client.json"
const http = require('http');
const N = +process.env.N, J = +process.env.J, port = +process.env.PORT;
const agent = new http.Agent({ keepAlive: true, maxSockets: J });
const total = N * 2, t0 = Date.now();
let next = 0, done = 0;
function call() {
  if (next >= total) return;
  const i = next++, c = (i >> 1) + 1;
  const body = JSON.stringify({ model: i % 2 ? 'model-new' : 'model-old', temperature: 0, max_tokens: 64,
    messages: [{ role: 'user', content: `Case ${c}: summarize ticket T${c}` }] });
  const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer sk-dummy' } }, (res) => {
    let text = '';
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => { JSON.parse(text); if (++done === total) finish(); else call(); });
  });
  req.on('error', (e) => { console.error(e.message); process.exit(1); });
  req.end(body);
}
function finish() { console.log(JSON.stringify({ clientWallS: (Date.now() - t0) / 1000, responses: done })); agent.destroy(); }
for (let k = 0; k < J; k++) call();
JS

kill "$SERVER"; wait "$SERVER" || true
node - "$WORK" "$N" "$J" "$LATENCY_MS" "$(cut -d' ' -f1 /proc/loadavg)" <<'JS'
const fs = require('fs');
const [work, N, J, L, load1] = process.argv.slice(2).map((v, i) => (i ? +v : v));
const srv = JSON.parse(fs.readFileSync(`${work}/server-stats.json`, 'utf8'));
const client = JSON.parse(fs.readFileSync(`${work}/client.json`, 'utf8'));
const ideal = (N * 2 * L / 1000) / J, span = (srv.lastResponseAt - srv.firstRequestAt) / 1000;
console.log(JSON.stringify({ tool: 'http-floor', N, J, latencyMs: L, load1, serverRequests: srv.chat, serverMaxInFlight: srv.maxInFlight,
  idealS: ideal, requestSpanS: span, spanEfficiency: +(ideal / span).toFixed(3), clientWallS: client.clientWallS }));
JS
