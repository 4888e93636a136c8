#!/usr/bin/env bash
# CI: the whole suite on SQLite (`make test`), then again on a PostgreSQL server started here.
#
# Runs as root on a clean clone with Python 3.11, make and the package registries. Installs what
# the browser tests need (Chromium and a CJK font) so they run instead of skipping.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
export PYTHONUNBUFFERED=1

say() { printf '\n=== %s ===\n' "$*"; }
warn() { printf '\n!!! %s !!!\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
    # Waits for another apt process rather than failing on its lock.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"
}

APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq && APT_UPDATED=1
    fi
}

# --- system packages ---------------------------------------------------------------------------


# --- PostgreSQL --------------------------------------------------------------------------------

say "PostgreSQL"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    warn "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    exit 1
fi
echo "server binaries: $PG_BIN"
id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

PG_DIR="$(mktemp -d /tmp/maque-ci-pg.XXXXXX)"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/server.log"
chown postgres "$PG_DIR"
chmod 700 "$PG_DIR"
as_postgres() { runuser -u postgres -- "$@"; }

stop_postgres() {
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
}
trap stop_postgres EXIT

PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
    || as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
# A throwaway server: durability off, listening on loopback only.
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    || { cat "$PG_LOG" >&2; exit 1; }
for _ in $(seq 1 60); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 1
done
"$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT"
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres maque
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

say "pytest (PostgreSQL)"
MAQUE_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/maque" "$ROOT/.venv/bin/python" -m pytest ${PYTEST_ARGS:-}
echo "CI passed on SQLite and PostgreSQL"
