#!/usr/bin/env bash
# Load test + soak, one command: pin registration over HTTP at a fixed concurrency against ONE clustered node
# (scheduler on) while that node crawls a local page every 20 s (the page changes each time, so every crawl
# extracts and reconciles) and plans notifications every 30 s (and delivers them to a pickup folder every
# minute). The node's resident memory is sampled every SAMPLE_SECONDS; at the end it prints requests/s,
# p50/p99, and RSS at start-up, after the warm-up, at its peak and at the end, with the trend over the soak.
#   bench/load.sh                                  # 10-minute soak (the integrator's run, on a quiet machine)
#   SOAK_SECONDS=60 WARMUP_SECONDS=10 bench/load.sh
# Env: SOAK_SECONDS (600), WARMUP_SECONDS (15), SAMPLE_SECONDS (5), LOAD_CONCURRENCY (8), LOAD_APPS (2000:
#      app names cycled, so the database stays bounded), LOAD_PG_PORT (55492), LOAD_PORT (5092), LOAD_PAGE_PORT (5093).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
soak=${SOAK_SECONDS:-600}
warmup=${WARMUP_SECONDS:-15}
every=${SAMPLE_SECONDS:-5}
pgport=${LOAD_PG_PORT:-55492}
port=${LOAD_PORT:-5092}
pageport=${LOAD_PAGE_PORT:-5093}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d /tmp/monitor-load.XXXXXX)

echo "==> building (Release)" >&2
dotnet build "$root/bench/ModelMonitor.Bench/ModelMonitor.Bench.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
monitor=(dotnet "$root/src/ModelMonitor/bin/Release/net10.0/monitor.dll")
bench=(dotnet "$root/bench/ModelMonitor.Bench/bin/Release/net10.0/ModelMonitor.Bench.dll")

echo "==> PostgreSQL on 127.0.0.1:$pgport" >&2
"$root/deploy/postgres.sh" start "$work/pg" "$pgport"
host= pages= sampler=
cleanup() {
  trap - EXIT INT TERM
  for p in $sampler $pages; do kill "$p" 2>/dev/null || true; done
  [ -n "$host" ] && kill -TERM "$host" 2>/dev/null && wait "$host" 2>/dev/null || true
  "$root/deploy/postgres.sh" stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

psql=(psql -h 127.0.0.1 -p "$pgport" -U postgres -v ON_ERROR_STOP=1 -qtA)
"${psql[@]}" -d postgres -c "create database monitor"
export ConnectionStrings__Monitor="Host=127.0.0.1;Port=$pgport;Database=monitor;Username=postgres;Maximum Pool Size=100"
export Auth__AdminToken="load-admin-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning
# Names with '.' or '-' cannot be exported by bash; they go to the host through env.
hostenv=("Logging__LogLevel__ModelMonitor.Scheduling.JobLog=Information" "Logging__LogLevel__ModelMonitor.Sources.Crawler=Information")
export Logging__Console__FormatterOptions__SingleLine=true
export Mail__PickupDirectory="$work/mail" TZ=UTC
"${monitor[@]}" migrate >&2

# The models the pins name (own dates; one retires within 90 days, so planning has digests to write).
"${psql[@]}" -d monitor <<'SQL'
insert into model_versions (provider, model, version, status, retires_on, retires_on_is_estimate, retires_on_precision, replacements, first_seen_at, updated_at) values
  ('openai', 'gpt-4o-2024-08-06', '', 'Active', null, false, 'Day', '{}', now(), now()),
  ('openai', 'gpt-4o-2024-05-13', '', 'Deprecated', (now() + interval '40 days')::date, false, 'Day', '{gpt-4o-2024-08-06}', now(), now()),
  ('openai', 'gpt-4o-mini-2024-07-18', '', 'Active', null, false, 'Day', '{}', now(), now()),
  ('anthropic', 'claude-3-5-sonnet-20241022', '', 'Deprecated', (now() + interval '80 days')::date, true, 'Day', '{claude-sonnet-4-5}', now(), now()),
  ('azure-openai', 'gpt-4o', '2024-11-20', 'Active', null, false, 'Day', '{}', now(), now()),
  ('azure-openai', 'gpt-4o', '2024-08-06', 'Active', null, false, 'Day', '{}', now(), now());
insert into model_aliases (provider, alias, target, valid_from) values ('openai', 'gpt-4o', 'gpt-4o-2024-08-06', now());
SQL

# A small lifecycle page in Cohere's layout (own wording); write_page N moves one date, so each crawl applies.
mkdir -p "$work/pages"
write_page() {
  local day=$(( ($1 % 28) + 1 ))
  cat >"$work/pages/lifecycle.md.tmp" <<PAGE
## Retirement log

### 2025-01-15: Older rerank models

These rerank models are being retired.

| Shutdown Date | Deprecated Model | Recommended Replacement |
|---|---|---|
| 2027-06-$(printf %02d "$day") | \`rerank-english-v2.0\` | \`rerank-v3.5\` |
| 2027-06-30 | \`rerank-multilingual-v2.0\` | \`rerank-v3.5\` |

### 2024-11-01: Early embedding models

| Shutdown Date | Deprecated Model | Recommended Replacement |
|---|---|---|
| 2027-03-31 | \`embed-english-v2.0\` | \`embed-v4.0\` |
| 2027-03-31 | \`embed-multilingual-v2.0\` | \`embed-v4.0\` |
PAGE
  mv "$work/pages/lifecycle.md.tmp" "$work/pages/lifecycle.md"
}
write_page 0
python3 -m http.server "$pageport" --bind 127.0.0.1 --directory "$work/pages" >"$work/pages.log" 2>&1 &
pages=$!

# Only the local source; the configured internet sources are switched off.
for s in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))['Sources']))" "$root/appsettings.json"); do
  hostenv+=("Sources__${s}__Enabled=false")
done
hostenv+=(Sources__load__Provider=cohere Sources__load__Kind=page "Sources__load__Url=http://127.0.0.1:$pageport/lifecycle.md"
  "Sources__load__Schedule=0/20 * * * * ?" "Scheduling__Crons__notify-plan=5/30 * * * * ?" Scheduling__Enabled=true)

echo "==> host on $ASPNETCORE_URLS (scheduler on: crawl every 20 s, planning every 30 s)" >&2
started=$(date +%s.%N)
env "${hostenv[@]}" "${monitor[@]}" run >"$work/host.log" 2>&1 &
host=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$host" 2>/dev/null || { cat "$work/host.log" >&2; exit 1; }
  sleep 0.1
done
ready=$(date +%s.%N)
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$host/status"; }
echo "$(rss)" >"$work/rss.idle"

# Sample RSS (KiB) every $every s, and change the page each sample so the next crawl has work to do.
(
  n=0
  while kill -0 "$host" 2>/dev/null; do
    echo "$(date +%s) $(rss)" >>"$work/rss.log"
    n=$((n + 1)); write_page "$n"
    sleep "$every"
  done
) &
sampler=$!

postmaster=$(head -n 1 "$work/pg/postmaster.pid")
"${bench[@]}" pins --url "http://127.0.0.1:$port" --admin-token "$Auth__AdminToken" --cpu-of "host=$host,postgres=$postmaster" \
  --concurrency "${LOAD_CONCURRENCY:-8}" --seconds "$soak" --warmup "$warmup" --apps "${LOAD_APPS:-2000}" | tee "$work/bench.out"
kill "$sampler" 2>/dev/null || true

echo
echo "soak       ${soak} s measured after ${warmup} s warm-up, RSS sampled every ${every} s"
awk -v idle="$(cat "$work/rss.idle")" -v warm="$warmup" -v startup="$(awk -v a="$started" -v b="$ready" "BEGIN { print b - a }")" '
  NR == 1 { t0 = $1 }
  { t = $1 - t0; if (t >= warm) { n++; if (n == 1) first = $2; last = $2; if ($2 > peak) peak = $2; ts[n] = t; rss[n] = $2 } }
  function slope(from, to,   i, k, sx, sy, sxx, sxy) {
    for (i = from; i <= to; i++) { k++; sx += ts[i]; sy += rss[i]; sxx += ts[i] * ts[i]; sxy += ts[i] * rss[i] }
    return k > 1 ? (k * sxy - sx * sy) / (k * sxx - sx * sx) * 60 / 1024 : 0
  }
  END {
    printf "start-up   %.1f s to a healthy /health\n", startup
    printf "RSS        idle %.0f MiB, after warm-up %.0f MiB, peak %.0f MiB, end %.0f MiB (%d samples)\n", idle / 1024, first / 1024, peak / 1024, last / 1024, n
    # The heap grows to the GC budget of the load first; a leak keeps growing after that, so the second half tells.
    printf "RSS trend  %+.2f MiB/min over the soak, %+.2f MiB/min over its second half (least squares)\n", slope(1, n), slope(int(n / 2) + 1, n)
  }' "$work/rss.log"
crawls=$(grep -c "Job crawl finished" "$work/host.log" || true)
plans=$(grep -c "Job notify-plan finished" "$work/host.log" || true)
delivers=$(grep -c "Job notify-deliver finished" "$work/host.log" || true)
applied=$(grep -c "load: applied" "$work/host.log" || true)
failed=$(grep -c "Job .* failed" "$work/host.log" || true)
mails=$(ls "$work/mail" 2>/dev/null | wc -l)
echo "background $crawls crawls ($applied applied), $plans planning runs, $delivers delivery runs, $mails digest files, $failed failed jobs"
if [ "$failed" -gt 0 ]; then grep "failed" "$work/host.log" | head -n 5 >&2; fi
