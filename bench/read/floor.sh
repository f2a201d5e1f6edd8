#!/usr/bin/env bash
# The read path's floor: nghttpd (nghttp2-server) over h2c answering the same POST, with
# the same h2load options as bench/read/run.sh, from a 6-byte file; requests/s.
#
#   bench/read/floor.sh             N=20000 STREAMS=100 CONNECTIONS=4 by default
set -euo pipefail
# nghttpd comes with Debian's nghttp2-server (h2load and nghttp with nghttp2-client, which
# deploy/install-deps.sh installs): installed here when missing, as root or through sudo.
if ! command -v nghttpd >/dev/null; then
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo -n)
    echo "floor: nghttpd is missing: apt-get install nghttp2-server" >&2
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y -qq --no-install-recommends nghttp2-server >&2 || ! command -v nghttpd >/dev/null; then
        echo "floor: could not install it; run as root: apt-get install nghttp2-server" >&2
        exit 1
    fi
fi
n=${N:-20000}
streams=${STREAMS:-100}
connections=${CONNECTIONS:-4}
work=$(mktemp -d /tmp/ims-floor.XXXXXX)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/root/ims.v1.Level"
printf 'level\n' >"$work/root/ims.v1.Level/GetSecurityLevel"
printf '\x00\x00\x00\x00\x26\x0a\x24%s' "00000000-0000-0000-0000-000000000000" >"$work/request.bin"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nghttpd --no-tls -a 127.0.0.1 -d "$work/root" "$port" >"$work/nghttpd.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
    curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
cpu_before=$(cpu_ticks "$pid")
timeout 300 h2load -H 'content-type: application/grpc' -H 'te: trailers' \
    -H 'authorization: Bearer x' -d "$work/request.bin" -m "$streams" -c "$connections" \
    -n "$n" "http://127.0.0.1:$port/ims.v1.Level/GetSecurityLevel" >"$work/h2load.txt"
cpu_after=$(cpu_ticks "$pid")
grep -E '^finished in|^requests:|^status codes:' "$work/h2load.txt"
# nghttpd's own CPU time during the run, per request (see run.sh).
awk -v t0="$cpu_before" -v t1="$cpu_after" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {
    printf "cpu seconds=%.2f cpu_us_per_call=%.2f\n", (t1 - t0) / hz, (t1 - t0) / hz * 1e6 / n }'
