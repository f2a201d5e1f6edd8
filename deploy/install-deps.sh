#!/usr/bin/env bash
# Installs the Debian packages ims needs to build, run, package and test (including the
# high-availability test: Patroni, etcd, HAProxy), when any is missing. Works as root or
# as a user with sudo. Prints nothing when all are present.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git dpkg-dev file
    libuv1-dev libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler libpq-dev libssl-dev
    libjansson-dev libinih-dev libcmocka-dev libcmark-dev
    postgresql postgresql-client openssl
    python3 python3-grpcio python3-protobuf protobuf-compiler nghttp2-client nghttp2-server curl
    libhttp-parser-dev libsnappy-dev prometheus python3-snappy libsystemd-dev
    man-db bash-completion
    clang-14 libclang-rt-14-dev
    patroni python3-psycopg2 etcd-server etcd-client haproxy
    libjs-chart.js libxlsxwriter-dev
    chromium chromium-driver python3-selenium poppler-utils python3-openpyxl
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
        echo "install-deps: missing packages (${missing[*]}) and no root: run as root," \
            "or as a user who may use sudo" >&2
        exit 1
    fi
    sudo=(sudo -n)
fi
# The packages' own services (etcd, haproxy, the packaged PostgreSQL cluster) are not
# what ims uses: its scripts start their own on loopback ports of their own.
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq || {
    echo "install-deps: apt-get update failed" >&2
    exit 1
}
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install \
    -y -qq --no-install-recommends "${missing[@]}" >/tmp/ims-install-deps.$$.log 2>&1 || {
    tail -30 /tmp/ims-install-deps.$$.log >&2
    echo "install-deps: apt-get install ${missing[*]} failed" >&2
    exit 1
}
rm -f /tmp/ims-install-deps.$$.log
