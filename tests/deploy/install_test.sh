#!/usr/bin/env bash
# `cmake --install` into a staging folder (DESTDIR), then the staged tree is used as it
# is: the staged imsd migrates a fresh database from the SQL installed beside it (no
# --sql-dir), serves it, the staged imsctl calls it, and a program built against the
# staged libimsclient with its pkg-config file calls it too, and it serves the board from the
# web files installed beside it. Checks the layout, the unit's paths and the man pages.
. "$(dirname "$0")/lib.sh"

check "a Release build configured for /usr" release_build || { finish; exit 1; }
stage=$test_work/stage
check "cmake --install with DESTDIR" env DESTDIR="$stage" cmake --install "$RELEASE"
libdir=$(cd "$stage/usr" && ls -d lib/*/libimsclient.so.0 2>/dev/null | head -1 | xargs -r dirname)
for f in usr/bin/imsd usr/bin/imsctl usr/share/ims/sql/migrations/0001_core.sql \
    usr/share/ims/sql/catalog/0020_master.sql usr/include/imsclient/ims/client.h \
    usr/include/imsclient/ims/error.h "usr/$libdir/libimsclient.so" "usr/$libdir/pkgconfig/libimsclient.pc" \
    usr/lib/systemd/system/imsd.service etc/ims/imsd.conf etc/ims/imsd-migrate.conf \
    usr/share/man/man8/imsd.8 usr/share/man/man1/imsctl.1 usr/share/man/man5/imsd.conf.5 \
    usr/share/bash-completion/completions/imsctl usr/share/ims/web/index.html \
    usr/share/ims/web/js/app.js; do
    check "installed: /$f" test -e "$stage/$f"
done
check "libimsclient has the soname libimsclient.so.0" \
    bash -c "objdump -p '$stage/usr/$libdir/libimsclient.so' | grep -q 'SONAME *libimsclient.so.0'"
check "the unit starts /usr/bin/imsd with /etc/ims/imsd.conf" \
    grep -qx 'ExecStart=/usr/bin/imsd --config /etc/ims/imsd.conf' "$stage/usr/lib/systemd/system/imsd.service"
check "the unit is hardened" bash -c "for k in ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
    CapabilityBoundingSet= 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' SystemCallFilter=@system-service; do
    grep -qx \"\$k\" '$stage/usr/lib/systemd/system/imsd.service' || { echo \"missing \$k\"; exit 1; }; done"
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verifies the unit" bash -c \
        "systemd-analyze verify --root='$stage' /usr/lib/systemd/system/imsd.service 2>&1 | grep -v 'Cannot add dependency\|not executable\|No such file' | grep -i 'error\|unknown' && exit 1 || exit 0"
fi
check "the man pages render" bash -c "for p in man8/imsd.8 man1/imsctl.1 man5/imsd.conf.5; do
    man -l '$stage/usr/share/man/'\$p 2>&1 >/dev/null | grep . && exit 1; done; man -l '$stage/usr/share/man/man1/imsctl.1' | grep -q 'command-line client'"

db=ims-staged
fresh_database "$db" >/dev/null
check "the staged imsd migrates a fresh database from the SQL installed beside it" \
    "$stage/usr/bin/imsd" migrate --db "$IMS_TEST_PG_HOST_DSN dbname=$db"
# The SQL used is the staged one, wherever the tree is moved: a marker file added to a
# moved copy is applied.
cp -a "$stage" "$test_work/moved"
echo "CREATE TABLE staged_marker (x int);" >"$test_work/moved/usr/share/ims/sql/migrations/9999_staged_marker.sql"
check "a moved copy of the tree migrates from its own share/ims/sql" bash -c \
    "'$test_work/moved/usr/bin/imsd' migrate --db '$IMS_TEST_PG_HOST_DSN dbname=$db' &&
     psql -X -At -d '$IMS_TEST_PG_HOST_DSN dbname=$db' -c 'SELECT count(*) FROM staged_marker' | grep -qx 0"
token=$("$stage/usr/bin/imsd" token create --db "$IMS_TEST_PG_HOST_DSN dbname=$db" --role operator \
    --label staged 2>/dev/null)
# The board is served from the web files installed beside imsd: a marker in the staged copy
# shows up on the ops listener.
echo "<!-- staged board -->" >>"$stage/usr/share/ims/web/index.html"
if start_imsd staged "$stage/usr/bin/imsd" --db "$(runtime_dsn "$db" ims_staged_app)" \
    --ops-listen 127.0.0.1:0; then
    ops=$(sed -n 's/^ops=//p' "$test_work/staged.ready")
    check "the staged imsd serves the board from its share/ims/web" bash -c \
        "curl -sf http://127.0.0.1:$ops/board/ | grep -q 'staged board'"
    check "the staged imsctl calls the staged imsd" env IMS_SERVER=127.0.0.1:$PORT IMS_TOKEN="$token" \
        "$stage/usr/bin/imsctl" tenant create --slug staged --name Staged --sector it-services --size small
    check "a program built with pkg-config against the staged libimsclient" bash -c "
        export PKG_CONFIG_SYSROOT_DIR='$stage' PKG_CONFIG_PATH='$stage/usr/$libdir/pkgconfig'
        cc -Wall -Werror -o '$test_work/health_client' '$(dirname "$0")/health_client.c' \$(pkg-config --cflags --libs libimsclient) &&
        LD_LIBRARY_PATH='$stage/usr/$libdir' '$test_work/health_client' 127.0.0.1:$PORT &&
        LD_LIBRARY_PATH='$stage/usr/$libdir' ldd '$test_work/health_client' | grep -q '$stage/usr/$libdir/libimsclient.so.0'"
else
    check "the staged imsd serves" false
fi
test_cleanup
trap - EXIT
drop_database "$db" >/dev/null 2>&1
finish
