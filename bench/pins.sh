#!/usr/bin/env bash
# Pin-registration benchmark, one command: a private PostgreSQL (fsync on, as in production), the schema
# migrated, a small catalog, the host built in Release and started on loopback (scheduler off), then
# `ModelMonitor.Bench pins` drives PUT app (5 pins, a new app each time) at a fixed concurrency and prints
# requests/s and p50/p99 latency. Everything is stopped and removed at the end.
# Env: BENCH_CONCURRENCY (8), BENCH_SECONDS (20), BENCH_WARMUP (15), BENCH_PG_PORT (55491), BENCH_PORT (5091),
#      BENCH_PG_FAST=1 to run PostgreSQL with fsync off (as the tests do), BENCH_CONNECTION_OPTIONS to append
#      Npgsql settings to the connection string (e.g. "Max Auto Prepare=50").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgport=${BENCH_PG_PORT:-55491}
port=${BENCH_PORT:-5091}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d /tmp/monitor-bench.XXXXXX)

echo "==> building (Release)" >&2
dotnet build "$root/bench/ModelMonitor.Bench/ModelMonitor.Bench.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
monitor=(dotnet "$root/src/ModelMonitor/bin/Release/net10.0/monitor.dll")
bench=(dotnet "$root/bench/ModelMonitor.Bench/bin/Release/net10.0/ModelMonitor.Bench.dll")

echo "==> PostgreSQL on 127.0.0.1:$pgport" >&2
"$root/deploy/postgres.sh" start "$work/pg" "$pgport" ${BENCH_PG_FAST:+--fast}
host=
cleanup() {
  trap - EXIT INT TERM
  [ -n "$host" ] && kill -TERM "$host" 2>/dev/null && wait "$host" 2>/dev/null || true
  "$root/deploy/postgres.sh" stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

psql=(psql -h 127.0.0.1 -p "$pgport" -U postgres -v ON_ERROR_STOP=1 -qtA)
"${psql[@]}" -d postgres -c "create database monitor"
export ConnectionStrings__Monitor="Host=127.0.0.1;Port=$pgport;Database=monitor;Username=postgres;Maximum Pool Size=100${BENCH_CONNECTION_OPTIONS:+;$BENCH_CONNECTION_OPTIONS}"
export Auth__AdminToken="bench-admin-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export Scheduling__Enabled=false ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning
"${monitor[@]}" migrate >&2

# The models the benchmark pins (own dates), so every pin resolves as in real use: exact, alias, Azure version.
"${psql[@]}" -d monitor <<'SQL'
insert into model_versions (provider, model, version, status, retires_on, retires_on_is_estimate, retires_on_precision, replacements, first_seen_at, updated_at) values
  ('openai', 'gpt-4o-2024-08-06', '', 'Active', null, false, 'Day', '{}', now(), now()),
  ('openai', 'gpt-4o-2024-05-13', '', 'Deprecated', '2026-12-15', false, 'Day', '{gpt-4o-2024-08-06}', now(), now()),
  ('openai', 'gpt-4o-mini-2024-07-18', '', 'Active', null, false, 'Day', '{}', now(), now()),
  ('anthropic', 'claude-3-5-sonnet-20241022', '', 'Deprecated', '2027-02-01', true, 'Day', '{claude-sonnet-4-5}', now(), now()),
  ('azure-openai', 'gpt-4o', '2024-11-20', 'Active', null, false, 'Day', '{}', now(), now()),
  ('azure-openai', 'gpt-4o', '2024-08-06', 'Active', null, false, 'Day', '{}', now(), now());
insert into model_aliases (provider, alias, target, valid_from) values ('openai', 'gpt-4o', 'gpt-4o-2024-08-06', now());
SQL

echo "==> host on $ASPNETCORE_URLS" >&2
"${monitor[@]}" run >"$work/host.log" 2>&1 &
host=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$host" 2>/dev/null || { cat "$work/host.log" >&2; exit 1; }
  sleep 0.2
done

postmaster=$(head -n 1 "$work/pg/postmaster.pid")
"${bench[@]}" pins --url "http://127.0.0.1:$port" --admin-token "$Auth__AdminToken" --cpu-of "host=$host,postgres=$postmaster" \
  --concurrency "${BENCH_CONCURRENCY:-8}" --seconds "${BENCH_SECONDS:-20}" --warmup "${BENCH_WARMUP:-15}"
