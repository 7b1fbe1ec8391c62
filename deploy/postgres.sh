#!/usr/bin/env bash
# A private PostgreSQL cluster on loopback, for the local run and the tests.
#   postgres.sh start DATADIR PORT [--fast]   initdb if needed, then start (--fast: for tests: no fsync, and
#                                             at most about 100 MB of write-ahead log)
#   postgres.sh stop DATADIR                  stop it (immediately) and leave the data in place
#   postgres.sh remove DATADIR                stop it (immediately) and delete DATADIR
# Uses the installed server binaries (/usr/lib/postgresql/*/bin). When they are missing and we are root,
# installs Debian's postgresql package; otherwise says how. The server refuses to run as root, so as
# root it runs as the 'postgres' user.
set -euo pipefail

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

BIN=$(find_bin || true)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "postgres.sh: installing PostgreSQL server binaries (apt-get install postgresql)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    # Debian's package starts its own cluster where it can; we use a private one instead.
    command -v pg_ctlcluster >/dev/null && pg_ctlcluster --force "$(ls /usr/lib/postgresql | sort -V | tail -n 1)" main stop >/dev/null 2>&1 || true
    BIN=$(find_bin)
  else
    echo "postgres.sh: PostgreSQL server binaries not found. Install them with: sudo apt-get install -y postgresql" >&2
    exit 69
  fi
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}
data=${2:-}
usage="usage: postgres.sh start DATADIR PORT [--fast] | stop DATADIR | remove DATADIR"
[ -n "$cmd" ] && [ -n "$data" ] || { echo "$usage" >&2; exit 64; }

case "$cmd" in
  start)
    port=${3:?usage: postgres.sh start DATADIR PORT [--fast]}
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$data"
      # The postgres user must be able to reach the folder.
      d=$(dirname "$(readlink -f "$data")")
      while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    fi
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$data.initdb.log" 2>&1 \
        || { cat "$data.initdb.log" >&2; exit 1; }
      rm -f "$data.initdb.log"
    fi
    opts="-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=300"
    # Tests clone many small databases; the default max_wal_size (1 GB) let the log grow to a gigabyte beside them.
    [ "${4:-}" = "--fast" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=64MB -c min_wal_size=32MB"
    as_owner "$BIN/pg_ctl" -D "$data" -l "$data/server.log" -o "$opts" -w -t 60 start >/dev/null \
      || { tail -n 20 "$data/server.log" >&2; exit 1; }
    ;;
  stop|remove)
    [ -f "$data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    if [ "$cmd" = remove ]; then rm -rf "$data"; fi
    ;;
  *)
    echo "$usage" >&2; exit 64 ;;
esac
