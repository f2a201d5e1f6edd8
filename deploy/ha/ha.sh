#!/usr/bin/env bash
# High availability on one machine, every port on loopback, for tests and demonstrations:
#
#   etcd (Debian etcd-server)            the consensus store Patroni keeps its leader key in
#   pg1, pg2 managed by Patroni          PostgreSQL streaming replication, synchronous mode:
#                                        a commit returns once the standby has flushed it
#   HAProxy (TCP mode)                   two frontends: "pg" forwards to the node whose
#                                        Patroni answers 200 on /primary; "ims" spreads
#                                        clients over the two daemons
#   imsd1, imsd2                         reach the primary through a multi-host DSN naming
#                                        both nodes with target_session_attrs=read-write
#                                        (IMS_HA_ROUTE=multihost, the default) or through
#                                        HAProxy's "pg" frontend (IMS_HA_ROUTE=haproxy)
#
#   deploy/ha/ha.sh start [NAME]   start all of it (a build of imsd is needed: IMS_BUILD or
#                                  build/release), migrate, print shell assignments (below)
#   deploy/ha/ha.sh stop  [NAME]   stop every process by its pid and delete the files
#   deploy/ha/ha.sh env   [NAME]   print the assignments again
#
# The files live in /tmp/ims-ha-NAME-HASH (HASH from the checkout's path), where the
# `postgres` user can reach them when run as root (PostgreSQL and Patroni run as that user
# then). start prints:
#   IMS_HA_SERVER       HAProxy's address, for clients (h2c)
#   IMS_HA_ADMIN_DSN    superuser DSN naming both nodes, target_session_attrs=read-write
#   IMS_HA_DB           the runtime DSN the daemons use
#   IMS_HA_DIR          the folder; IMS_HA_PG1_PORT, IMS_HA_PG2_PORT, IMS_HA_REST1_PORT,
#                       IMS_HA_REST2_PORT (Patroni's REST API), IMS_HA_IMSD1, IMS_HA_IMSD2
# Pid files: DIR/{etcd,patroni1,patroni2,imsd1,imsd2,haproxy}.pid; a node's postmaster pid is
# the first line of DIR/pgN/data/postmaster.pid.
set -euo pipefail

die() {
    echo "ha.sh: $*" >&2
    exit 1
}
trap 'rc=$?; echo "ha.sh: failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

cmd=${1:-}
name=${2:-ha}
top=$(cd "$(dirname "$0")/../.." && pwd)
case "$cmd" in
start | stop | env) ;;
*)
    echo "usage: ha.sh start|stop|env [NAME]" >&2
    exit 2
    ;;
esac
[[ $name =~ ^[A-Za-z0-9_-]{1,30}$ ]] || die "NAME: letters, digits, - and _ (at most 30)"
dir=/tmp/ims-ha-$name-$(printf '%s' "$top" | sha256sum | cut -c1-10)

run_user=$(id -un)
if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then run_user=postgres; else run_user=nobody; fi
fi
# Starts a program in the background as run_user, its pid in DIR/NAME.pid (the program's
# own pid: the shell that writes it execs the program).
spawn() {
    local label=$1
    shift
    local line="echo \$\$ >'$dir/$label.pid'; exec \"\$@\" >>'$dir/$label.log' 2>&1"
    if [ "$(id -u)" = 0 ] && [ "$run_user" != root ]; then
        (cd / && exec setsid runuser -u "$run_user" -- sh -c "$line" sh "$@") </dev/null >/dev/null 2>&1 &
    else
        (cd / && exec setsid sh -c "$line" sh "$@") </dev/null >/dev/null 2>&1 &
    fi
    for _ in $(seq 1 50); do
        [ -s "$dir/$label.pid" ] && return 0
        sleep 0.1
    done
    die "$label did not start (log: $dir/$label.log)"
}
# The daemons and HAProxy run as the caller: the build may be in a folder only it can read.
spawn_here() {
    local label=$1
    shift
    (cd / && exec setsid sh -c "echo \$\$ >'$dir/$label.pid'; exec \"\$@\" >>'$dir/$label.log' 2>&1" \
        sh "$@") </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 50); do
        [ -s "$dir/$label.pid" ] && return 0
        sleep 0.1
    done
    die "$label did not start (log: $dir/$label.log)"
}

stop_pid() {
    local label=$1 pid
    pid=$(cat "$dir/$label.pid" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$dir/$label.pid"
}

# A postmaster left by a killed Patroni, and its children, by pid.
stop_postmaster() {
    local data=$1 pid child
    pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    for child in $(pgrep -P "$pid" || true); do kill -KILL "$child" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
}

print_env() {
    [ -f "$dir/ha.env" ] || die "no HA stack in $dir (run ha.sh start first)"
    cat "$dir/ha.env"
}

free_ports() {
    local n=$1 p got=()
    while [ ${#got[@]} -lt "$n" ]; do
        p=$((20000 + RANDOM % 30000))
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
        [[ " ${got[*]} " == *" $p "* ]] && continue
        got+=("$p")
    done
    echo "${got[@]}"
}

wait_for() {
    local what=$1 seconds=$2
    shift 2
    local end=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || die "$what: not within ${seconds}s (logs in $dir)"
        sleep 0.3
    done
}

stop_all() {
    for label in imsd1 imsd2 haproxy; do stop_pid "$label"; done
    # Patroni stops its PostgreSQL when it is asked to stop.
    for n in 1 2; do stop_pid "patroni$n"; done
    for n in 1 2; do stop_postmaster "$dir/pg$n/data"; done
    stop_pid etcd
}

if [ "$cmd" = env ]; then
    print_env
    exit 0
fi
if [ "$cmd" = stop ]; then
    [ -d "$dir" ] || exit 0
    stop_all
    rm -rf "$dir"
    exit 0
fi

# start
# haproxy is in /usr/sbin, which a normal user's PATH may lack.
export PATH=$PATH:/usr/sbin:/sbin
for p in patroni etcd etcdctl haproxy psql curl; do
    command -v "$p" >/dev/null || die "$p is not installed (deploy/install-deps.sh installs it)"
done
pgbin=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && pgbin=$d
done
[ -n "$pgbin" ] || die "no PostgreSQL server found (deploy/install-deps.sh installs it)"
build=${IMS_BUILD:-$top/build/release}
[ -d "$build" ] && build=$(cd "$build" && pwd)
imsd=$build/server/imsd
[ -x "$imsd" ] || die "no imsd in $build (build it, or set IMS_BUILD)"

if [ -d "$dir" ]; then
    stop_all
    rm -rf "$dir"
fi
mkdir -p "$dir/etcd" "$dir/pg1" "$dir/pg2"
chmod 0700 "$dir/pg1" "$dir/pg2"
[ "$(id -u)" = 0 ] && chown -R "$run_user" "$dir"
chmod 0755 "$dir"
# Abandoned half-way, a start leaves nothing running.
trap 'rc=$?; if [ $rc -ne 0 ]; then stop_all; fi' EXIT

read -r etcd_client etcd_peer pg1 pg2 rest1 rest2 imsd1 imsd2 front pgfront < <(free_ports 10)
route=${IMS_HA_ROUTE:-multihost}
case "$route" in haproxy | multihost) ;; *) die "IMS_HA_ROUTE: haproxy or multihost" ;; esac
scope=ims-$name-$(basename "$dir" | sed 's/.*-//')

spawn etcd etcd --name ha --data-dir "$dir/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" \
    --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "ha=http://127.0.0.1:$etcd_peer" --initial-cluster-state new \
    --listen-metrics-urls "" --log-level warn
wait_for "etcd healthy" 30 etcdctl --endpoints "http://127.0.0.1:$etcd_client" endpoint health

# One Patroni file per node. Synchronous mode: the primary's commits wait for the
# standby's flush, and only that standby may be promoted; not strict, so a primary left
# alone keeps accepting writes. ttl 20 s (Patroni's least) bounds the failover time.
for n in 1 2; do
    port_var=pg$n rest_var=rest$n
    cat >"$dir/patroni$n.yml" <<EOF
scope: $scope
namespace: /ims/
name: pg$n
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:${!rest_var}
  connect_address: 127.0.0.1:${!rest_var}
etcd3:
  hosts: 127.0.0.1:$etcd_client
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: false
      use_slots: true
      parameters:
        synchronous_commit: "on"
        wal_level: replica
        hot_standby: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        fsync: "on"
  initdb:
    - encoding: UTF8
    - locale: C
postgresql:
  listen: 127.0.0.1:${!port_var}
  connect_address: 127.0.0.1:${!port_var}
  data_dir: $dir/pg$n/data
  bin_dir: $pgbin
  pgpass: $dir/pg$n/pgpass
  authentication:
    superuser:
      username: $run_user
      password: ims-ha-local
    replication:
      username: replicator
      password: ims-ha-local
  parameters:
    unix_socket_directories: $dir/pg$n
    shared_buffers: 64MB
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
done
[ "$(id -u)" = 0 ] && chown "$run_user" "$dir"/patroni*.yml

spawn patroni1 patroni "$dir/patroni1.yml"
wait_for "pg1 primary (Patroni)" 90 curl -sf "http://127.0.0.1:$rest1/primary"
spawn patroni2 patroni "$dir/patroni2.yml"
wait_for "pg2 replica (Patroni)" 120 curl -sf "http://127.0.0.1:$rest2/replica"

admin="host=127.0.0.1,127.0.0.1 port=$pg1,$pg2 user=$run_user target_session_attrs=read-write"
wait_for "pg2 a synchronous standby" 60 \
    sh -c "psql -X -At -d '$admin dbname=postgres' -c \"SELECT sync_state FROM pg_stat_replication\" | grep -qx sync"
psql -X -q -d "$admin dbname=postgres" -c "CREATE DATABASE ims" >/dev/null
"$imsd" migrate --db "$admin dbname=ims" >"$dir/migrate.log" 2>&1 || {
    cat "$dir/migrate.log" >&2
    die "imsd migrate failed"
}

cat >"$dir/haproxy.cfg" <<EOF
global
    maxconn 1000
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    retries 3
    option redispatch
# PostgreSQL: only the node Patroni calls primary; sessions to a node marked down are cut.
frontend pg
    bind 127.0.0.1:$pgfront
    default_backend pg_primary
backend pg_primary
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:$pg1 check port $rest1
    server pg2 127.0.0.1:$pg2 check port $rest2
# The daemons: HTTP/2 passes through in TCP mode.
frontend ims
    bind 127.0.0.1:$front
    default_backend imsd
backend imsd
    balance roundrobin
    server imsd1 127.0.0.1:$imsd1 check inter 500ms fall 2 rise 2
    server imsd2 127.0.0.1:$imsd2 check inter 500ms fall 2 rise 2
EOF
haproxy -c -q -f "$dir/haproxy.cfg" || die "haproxy refuses $dir/haproxy.cfg"
spawn_here haproxy haproxy -db -f "$dir/haproxy.cfg"
wait_for "HAProxy listening" 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$pgfront"

if [ "$route" = haproxy ]; then
    db="host=127.0.0.1 port=$pgfront dbname=ims user=ims_app target_session_attrs=read-write connect_timeout=2"
else
    db="host=127.0.0.1,127.0.0.1 port=$pg1,$pg2 dbname=ims user=ims_app target_session_attrs=read-write connect_timeout=2"
fi
wait_for "the primary through HAProxy" 30 psql -X -At -d "host=127.0.0.1 port=$pgfront dbname=ims user=$run_user" -c "SELECT 1"
for n in 1 2; do
    port_var=imsd$n
    spawn_here "imsd$n" "$imsd" --db "$db" --listen "127.0.0.1:${!port_var}" \
        --shutdown-grace-ms 2000
done
for n in 1 2; do
    port_var=imsd$n
    wait_for "imsd$n serving" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/${!port_var}"
done
wait_for "HAProxy serving ims" 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$front"

cat >"$dir/ha.env" <<EOF
IMS_HA_SERVER='127.0.0.1:$front'
IMS_HA_ADMIN_DSN='$admin dbname=ims'
IMS_HA_DB='$db'
IMS_HA_DIR='$dir'
IMS_HA_PG_SERVER='127.0.0.1:$pgfront'
IMS_HA_ROUTE='$route'
IMS_HA_PG1_PORT='$pg1'
IMS_HA_PG2_PORT='$pg2'
IMS_HA_REST1_PORT='$rest1'
IMS_HA_REST2_PORT='$rest2'
IMS_HA_IMSD1='127.0.0.1:$imsd1'
IMS_HA_IMSD2='127.0.0.1:$imsd2'
EOF
trap - EXIT
print_env
