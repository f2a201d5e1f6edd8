#!/usr/bin/env bash
# The Debian packages: CPack builds imsd, imsctl, libimsclient0 and libimsclient-dev; they
# are installed on this machine with dpkg -i (as root, or with sudo); the installed imsd
# migrates a fresh database of the test cluster and serves it; the installed imsctl calls
# it; `man imsctl` renders; the completion loads; a program builds against the installed
# library with pkg-config; then the packages are purged and leave nothing behind.
. "$(dirname "$0")/lib.sh"

packages=(imsd imsctl libimsclient0 libimsclient-dev)
sudo=()
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "skipped: installing packages needs root or sudo"
        echo "0 passed, 0 failed, 1 skipped"
        exit 0
    fi
fi
for p in "${packages[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        echo "$p is installed on this machine already: this test would replace and purge it"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
purge() { "${sudo[@]}" dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true; }

check "a Release build configured for /usr" release_build || { finish; exit 1; }
check "cpack builds the Debian packages" bash -c "cd '$RELEASE' && rm -f ./*.deb && cpack -G DEB"
debs=()
for p in "${packages[@]}"; do
    deb=$(ls "$RELEASE/${p}_"*.deb 2>/dev/null | head -1)
    check "package $p built" test -n "$deb"
    [ -n "$deb" ] && debs+=("$deb")
done
check "the server package depends on its libraries (libpq5, libuv1)" \
    bash -c "dpkg-deb -f '$(ls "$RELEASE"/imsd_*.deb | head -1)' Depends | grep -q libpq5"

trap 'purge; test_cleanup' EXIT
check "dpkg -i installs them" "${sudo[@]}" dpkg -i "${debs[@]}"
check "the postinst made the system user ims" getent passwd ims
check "/etc/ims/imsd.conf is a conffile readable by group ims" \
    bash -c "[ \"\$(stat -c %G:%a /etc/ims/imsd.conf)\" = ims:640 ] && dpkg-query -W -f='\${Conffiles}' imsd | grep -q /etc/ims/imsd.conf"
check "the unit names /usr/bin/imsd" grep -q '^ExecStart=/usr/bin/imsd ' /usr/lib/systemd/system/imsd.service

db=ims-packaged
fresh_database "$db" >/dev/null
check "the installed imsd migrates from /usr/share/ims/sql" /usr/bin/imsd migrate --db "$IMS_TEST_PG_HOST_DSN dbname=$db"
token=$(/usr/bin/imsd token create --db "$IMS_TEST_PG_HOST_DSN dbname=$db" --role operator --label pkg 2>/dev/null)
if start_imsd packaged /usr/bin/imsd --db "$(runtime_dsn "$db" ims_packaged_app)"; then
    check "the installed imsctl calls the installed imsd" env IMS_SERVER=127.0.0.1:$PORT IMS_TOKEN="$token" \
        /usr/bin/imsctl tenant create --slug packaged --name Packaged --sector it-services --size small
    check "a program builds against the installed libimsclient with pkg-config and calls imsd" bash -c "
        cc -Wall -Werror -o '$test_work/health_client' '$(dirname "$0")/health_client.c' \$(pkg-config --cflags --libs libimsclient) &&
        '$test_work/health_client' 127.0.0.1:$PORT"
else
    check "the installed imsd serves" false
fi
check "man imsctl renders" bash -c "MANPAGER=cat man imsctl 2>/dev/null | grep -q 'command-line client'"
check "man imsd and man 5 imsd.conf render" bash -c "MANPAGER=cat man 8 imsd | grep -q migrate && MANPAGER=cat man 5 imsd.conf | grep -q target_session_attrs"
check "the bash completion loads and completes groups and commands" bash -c '
    . /usr/share/bash-completion/bash_completion
    complete -p imsctl >/dev/null 2>&1 || __load_completion imsctl
    complete -p imsctl | grep -q _imsctl || exit 1
    COMP_WORDS=(imsctl ten); COMP_CWORD=1; COMP_LINE="imsctl ten"; COMP_POINT=${#COMP_LINE}
    _imsctl imsctl ten imsctl; [ "${COMPREPLY[*]}" = tenant ] || { echo "got: ${COMPREPLY[*]}"; exit 1; }
    COMP_WORDS=(imsctl tenant cr); COMP_CWORD=2; COMP_LINE="imsctl tenant cr"; COMP_POINT=${#COMP_LINE}
    _imsctl imsctl cr tenant; [ "${COMPREPLY[*]}" = create ] || { echo "got: ${COMPREPLY[*]}"; exit 1; }'

test_cleanup
check "dpkg --purge removes them" "${sudo[@]}" dpkg --purge "${packages[@]}"
check "nothing is left: binaries, SQL, /etc/ims, the user" bash -c \
    "! [ -e /usr/bin/imsd ] && ! [ -e /usr/bin/imsctl ] && ! [ -e /usr/share/ims ] && ! [ -e /etc/ims ] && ! getent passwd ims"
trap - EXIT
drop_database "$db" >/dev/null 2>&1
finish
