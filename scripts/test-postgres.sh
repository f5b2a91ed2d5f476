#!/usr/bin/env bash
# A throwaway PostgreSQL for the storage tests: initdb into a temporary folder, listen on a
# unix socket in that folder only (no TCP), trust authentication, stopped and deleted by `stop`.
#   scripts/test-postgres.sh start   prints  EQM_TEST_POSTGRES_URL=postgresql:///…
#   scripts/test-postgres.sh stop
set -euo pipefail

state_file="${EQM_TEST_POSTGRES_STATE:-${TMPDIR:-/tmp}/eqm-test-postgres.state}"

bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "test-postgres: PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/bootstrap.sh)" >&2
        exit 1
    fi
    echo "$dir"
}

# initdb refuses to run as root: run the server as the postgres system user when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin dir port
    bin=$(bindir)
    [[ -f "$state_file" ]] && stop >/dev/null 2>&1 || true
    dir=$(mktemp -d "${TMPDIR:-/tmp}/eqm-pg.XXXXXX")
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    port=$(( 20000 + RANDOM % 20000 ))
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c max_connections=50" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres eqm_test
    printf '%s\n%s\n' "$dir" "$port" >"$state_file"
    echo "EQM_TEST_POSTGRES_URL=postgresql:///eqm_test?host=$dir&port=$port&user=postgres"
}

stop() {
    [[ -f "$state_file" ]] || return 0
    local bin dir
    bin=$(bindir)
    dir=$(sed -n 1p "$state_file")
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir" "$state_file"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
