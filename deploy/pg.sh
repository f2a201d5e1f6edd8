#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for one checkout.
#
#   deploy/pg.sh start  [DIR]        initdb (first time), start on a Unix socket, print the DSNs
#   deploy/pg.sh stop   [DIR]        stop it (pg_ctl, which signals the postmaster's pid)
#   deploy/pg.sh kill   [DIR]        stop it at once (immediate mode), for fault tests
#   deploy/pg.sh remove [DIR]        stop it and delete its files, wherever they are
#   deploy/pg.sh env    [DIR]        print the DSNs of a running cluster again
#   deploy/pg.sh createdb DIR NAME   create database NAME (if missing) in a running cluster
#
# DIR defaults to .pg in the checkout. start prints shell assignments:
#   IMS_ADMIN_DSN   a superuser DSN, for `imsd migrate` and `imsd token create`
#   IMS_DB          the runtime DSN (role ims_app: owns nothing, no BYPASSRLS), for `imsd`
#   IMS_PG_DIR      DIR;  IMS_PG_SOCKDIR  the socket folder;  IMS_PG_PORT  the port
#   IMS_PG_HOST_DSN 'host=… port=… user=…' without a database, to build other DSNs from
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user
# (or `nobody` when there is none). When that user cannot reach DIR (a checkout in root's
# 0700 home), the cluster's files live in /tmp/ims-pg-NAME-HASH instead, named after DIR,
# and DIR/location records where; `remove` deletes both.
# Every failure says what failed and exits non-zero.
set -euo pipefail

die() {
    echo "pg.sh: $*" >&2
    exit 1
}
trap 'rc=$?; echo "pg.sh: failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

cmd=${1:-}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$top/.pg}
case "$cmd" in
start | stop | kill | remove | env | createdb) ;;
*)
    echo "usage: pg.sh start|stop|kill|remove|env [DIR] | pg.sh createdb DIR NAME" >&2
    exit 2
    ;;
esac

# stop, kill and remove of a cluster that was never made succeed and do nothing.
if [ ! -d "$dir" ]; then
    case "$cmd" in
    stop | kill | remove) exit 0 ;;
    start) mkdir -p "$dir" || die "cannot create $dir" ;;
    *) die "no cluster in $dir (run pg.sh start first)" ;;
    esac
fi
dir=$(cd "$dir" && pwd)

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && pgbin=$d
done
[ -n "$pgbin" ] || die "no PostgreSQL server found (deploy/install-deps.sh installs it)"

pg_user=$(id -un)
if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then pg_user=postgres; else pg_user=nobody; fi
fi

# Commands that touch the cluster's files run as its user, from a folder it can enter.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u "$pg_user" -- "$@")
    else
        "$@"
    fi
}

# Where the files are: DIR itself, or the folder DIR/location names.
home=$dir
if [ -f "$dir/location" ]; then
    home=$(cat "$dir/location")
elif [ "$cmd" = start ] && [ "$(id -u)" = 0 ]; then
    chown "$pg_user" "$dir"
    if ! runuser -u "$pg_user" -- test -w "$dir" 2>/dev/null; then
        name=$(basename "$(dirname "$dir")")-$(basename "$dir")
        name=$(printf '%s' "$name" | tr -d '.' | tr -c 'A-Za-z0-9_-' '_' | cut -c1-40)
        home=/tmp/ims-pg-$name-$(printf '%s' "$dir" | sha256sum | cut -c1-10)
        echo "pg.sh: $pg_user cannot enter $dir; the cluster's files live in $home" >&2
        echo "$home" >"$dir/location"
    fi
fi

sockdir=$home/sock
# sun_path holds 107 bytes: a deep folder gets its socket in a short one of /tmp.
if [ ${#sockdir} -gt 80 ]; then
    sockdir=$(cat "$dir/sockdir" 2>/dev/null || true)
    if [ -z "$sockdir" ] || [ ! -d "$sockdir" ]; then
        [ "$cmd" = start ] || die "the socket folder of $dir is gone"
        sockdir=$(mktemp -d /tmp/ims-pg.XXXXXX)
        echo "$sockdir" >"$dir/sockdir"
    fi
fi

print_env() {
    local port
    port=$(cat "$home/port" 2>/dev/null) || die "no cluster in $home (run pg.sh start first)"
    echo "IMS_ADMIN_DSN='host=$sockdir port=$port dbname=ims user=$pg_user'"
    echo "IMS_DB='host=$sockdir port=$port dbname=ims user=ims_app'"
    echo "IMS_PG_DIR='$dir'"
    echo "IMS_PG_SOCKDIR='$sockdir'"
    echo "IMS_PG_PORT='$port'"
    echo "IMS_PG_HOST_DSN='host=$sockdir port=$port user=$pg_user'"
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
    die "no free port found"
}

stop_cluster() {
    local mode=$1
    if [ -f "$home/data/postmaster.pid" ]; then
        as_owner "$pgbin/pg_ctl" -D "$home/data" -m "$mode" -w stop >/dev/null ||
            die "pg_ctl stop ($mode) of $home/data failed"
    fi
}

case "$cmd" in
start)
    mkdir -p "$home" "$sockdir" || die "cannot create $home or $sockdir"
    if [ "$(id -u)" = 0 ]; then
        chown "$pg_user" "$home" "$sockdir"
        chmod 0755 "$home"
    fi
    if [ ! -f "$home/data/PG_VERSION" ]; then
        as_owner "$pgbin/initdb" -D "$home/data" -U "$pg_user" --auth=trust -E UTF8 \
            --locale=C >"$home/initdb.log" 2>&1 || {
            cat "$home/initdb.log" >&2
            die "initdb of $home/data failed"
        }
    fi
    # A restarted cluster keeps its port, so DSNs handed out before stay valid.
    port=$(cat "$home/port" 2>/dev/null || true)
    [ -n "$port" ] || port=$(free_port)
    echo "$port" >"$home/port"
    # listen_addresses='' : Unix socket only; the port only names the socket file.
    as_owner "$pgbin/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$sockdir' -p $port -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=128MB" \
        start >/dev/null || {
        tail -20 "$home/postgres.log" >&2 || true
        die "PostgreSQL did not start (log: $home/postgres.log)"
    }
    if ! as_owner "$pgbin/psql" -h "$sockdir" -p "$port" -U "$pg_user" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'ims'" | grep -q 1; then
        as_owner "$pgbin/createdb" -h "$sockdir" -p "$port" -U "$pg_user" ims ||
            die "createdb ims failed"
    fi
    print_env
    ;;
stop) stop_cluster fast ;;
kill) stop_cluster immediate ;;
remove)
    stop_cluster fast
    [ "$home" != "$dir" ] && rm -rf "$home"
    if [ -f "$dir/sockdir" ]; then rm -rf "$(cat "$dir/sockdir")"; fi
    rm -rf "$dir"
    ;;
env) print_env ;;
createdb)
    name=${3:-}
    [ -n "$name" ] || die "createdb: give a database name"
    port=$(cat "$home/port" 2>/dev/null) || die "no cluster in $home (run pg.sh start first)"
    if ! as_owner "$pgbin/psql" -h "$sockdir" -p "$port" -U "$pg_user" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        as_owner "$pgbin/createdb" -h "$sockdir" -p "$port" -U "$pg_user" "$name" ||
            die "createdb $name failed"
    fi
    ;;
esac
