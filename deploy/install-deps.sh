#!/usr/bin/env bash
# Installs the Debian packages ims needs to build, run and test, when any is missing.
# Works as root or as a user with sudo. Prints nothing when all are present.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git
    libuv1-dev libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler libpq-dev libssl-dev
    libjansson-dev libinih-dev libcmocka-dev
    postgresql postgresql-client openssl
    python3 python3-grpcio python3-protobuf protobuf-compiler nghttp2-client
    libhttp-parser-dev libsnappy-dev prometheus python3-snappy libsystemd-dev
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
