#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster in a folder of the checkout.
#
#   deploy/pg.sh start [DIR]   initdb (first time), start on a Unix socket in DIR, print the DSNs
#   deploy/pg.sh stop  [DIR]   stop it (by the postmaster's pid)
#   deploy/pg.sh env   [DIR]   print the DSNs of a running cluster again
#   deploy/pg.sh kill  [DIR]   stop it at once (immediate mode), for fault tests
#
# DIR defaults to .pg in the checkout. start prints shell assignments:
#   IMS_ADMIN_DSN   a superuser DSN, for `imsd migrate` and `imsd token create`
#   IMS_DB          the runtime DSN (role ims_app: owns nothing, no BYPASSRLS), for `imsd`
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user
# (or `nobody` when there is none).
set -euo pipefail

cmd=${1:-}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$top/.pg}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && pgbin=$d
done
if [ -z "$pgbin" ]; then
    echo "pg.sh: no PostgreSQL server found (apt-get install postgresql)" >&2
    exit 1
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$pg_user" -- "$@"
    else
        "$@"
    fi
}

pg_user=$(id -un)
if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then pg_user=postgres; else pg_user=nobody; fi
fi

# The socket lives in DIR unless its path would pass the 107-byte limit of sun_path.
sockdir=$dir/sock
if [ ${#sockdir} -gt 80 ]; then
    sockdir=$(cat "$dir/sockdir" 2>/dev/null || true)
    if [ -z "$sockdir" ] || [ ! -d "$sockdir" ]; then
        sockdir=$(mktemp -d /tmp/ims-pg.XXXXXX)
        echo "$sockdir" >"$dir/sockdir"
    fi
fi

print_env() {
    local port
    port=$(cat "$dir/port")
    echo "IMS_ADMIN_DSN='host=$sockdir port=$port dbname=ims user=$pg_user'"
    echo "IMS_DB='host=$sockdir port=$port dbname=ims user=ims_app'"
    echo "IMS_PG_DIR='$dir'"
}

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "pg.sh: no free port found" >&2
    exit 1
}

case "$cmd" in
start)
    mkdir -p "$sockdir"
    if [ "$(id -u)" = 0 ]; then
        chown "$pg_user" "$dir" "$sockdir"
        chmod 0755 "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$pgbin/initdb" -D "$dir/data" -U "$pg_user" --auth=trust -E UTF8 \
            --locale=C >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            exit 1
        }
    fi
    # A restarted cluster keeps its port, so DSNs handed out before stay valid.
    port=$(cat "$dir/port" 2>/dev/null || true)
    [ -n "$port" ] || port=$(free_port)
    echo "$port" >"$dir/port"
    # listen_addresses='' : Unix socket only; the port only names the socket file.
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$sockdir' -p $port -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=128MB" \
        start >/dev/null || {
        tail -20 "$dir/postgres.log" >&2
        exit 1
    }
    if ! as_owner "$pgbin/psql" -h "$sockdir" -p "$port" -U "$pg_user" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'ims'" | grep -q 1; then
        as_owner "$pgbin/createdb" -h "$sockdir" -p "$port" -U "$pg_user" ims
    fi
    print_env
    ;;
stop | kill)
    mode=fast
    [ "$cmd" = kill ] && mode=immediate
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null
    fi
    ;;
env)
    print_env
    ;;
*)
    echo "usage: pg.sh start|stop|kill|env [DIR]" >&2
    exit 2
    ;;
esac
