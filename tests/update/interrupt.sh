# bento update interrupted, as the user, against nginx on loopback (version
# 2 served at 1 MB/s, so that a download of the whole data takes seconds):
# two updates of one file at once (the second is told the file is being
# updated, exit 4, --check still answers; the first succeeds); SIGKILL
# during the download and SIGKILL after the download, before the rename
# (while the signature is being checked: a gpgv first in PATH says so and
# waits) leave the file byte-identical and runnable, and the next update
# succeeds, reusing the partial download; an update into a full file system
# (a small tmpfs) fails with status 3, the file byte-identical, no temporary
# file left, and succeeds once there is room.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/apps.sh"

in_test_dir BENTO BUILDER HELLO
pick_port
URL=http://127.0.0.1:$PORT
make_versions "zsync|$URL/Hello.AppImage.zsync"
# Version 0 shares no data with version 2: its update downloads 4 MB.
mv data.bin data2.bin
head -c 4000000 /dev/urandom >data.bin
make_versioned_appdir v0.AppDir 1
chown -R "$TEST_UID:$TEST_GID" v0.AppDir
pack_as v0-A v0.AppDir "zsync|$URL/Hello.AppImage.zsync" a@example.org
serve v2-A
WEB_PORT=$PORT start_web "$TEST_DIR/www" 'location ~ \.AppImage$ { limit_rate 1m; }' || finish
size=$(stat -c %s v/v2-A.AppImage)
DIR=$USER_HOME/Apps

# wait_temp SECONDS: a temporary file of an update appears in DIR
wait_temp() {
	local i
	for i in $(seq $(($1 * 20))); do
		[ -n "$(leftovers "$DIR")" ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- two at once

install_app v0-A
bg_user "$TEST_DIR/first.out" "$TEST_DIR/first.err" ./bento update "$APP"
FIRST=$BG_PID
wait_temp 10
ok "the first update is downloading" "$(cat "$TEST_DIR/first.err")"
urun ./bento update "$APP"
[ "$RC" = 4 ] && [[ $ERR == *"is being updated"* ]]
verdict "a second update of the same file at once: status 4, the file is being updated" 4
urun ./bento rollback "$APP"
[ "$RC" = 4 ]
verdict "a rollback meanwhile: status 4 too" 4
urun ./bento update --check "$APP"
[ "$RC" = 1 ]
verdict "--check meanwhile needs no lock: an update is available (1)" 1
bg_wait "$FIRST" 60
[ "$RC" = 0 ] && cmp -s "$APP" v/v2-A.AppImage
ok "the first update finishes alone: the file is 1.1" "$RC $(cat "$TEST_DIR/first.err")"

# ---- SIGKILL during the download

install_app v0-A
: >"$WEB_DIR/access.log"
bg_user "$TEST_DIR/kill1.out" "$TEST_DIR/kill1.err" ./bento update "$APP"
# Killed once 3 MB of the new file are written: what it shares with
# version 0 (1.7 MB) and at least 1.3 MB downloaded of the 4 MB of new data.
wait_temp 10
for _ in $(seq 400); do
	t=$(leftovers "$DIR" | head -n 1)
	[ -n "$t" ] && [ $(($(stat -c '%b * %B' "$t"))) -ge 3000000 ] && break
	sleep 0.05
done
kill -KILL "$BG_PID"
bg_wait "$BG_PID" 10
cmp -s "$APP" v/v0-A.AppImage && [ "$(stat -c %a "$APP")" = 755 ]
ok "SIGKILL during the download: the file is byte-identical" "$(cat "$TEST_DIR/kill1.err")"
urun "$APP"
expect "and runs" 0 "$(hello_out)"
[ -n "$(leftovers "$DIR")" ]
ok "the partial download is left for the next update" "$(ls -la "$DIR")"
: >"$WEB_DIR/access.log"
urun ./bento update "$APP"
bytes=$(log_bytes)
[ "$RC" = 0 ] && cmp -s "$APP" v/v2-A.AppImage && [[ $ERR == *"reusing 1 partial download"* ]] &&
	[ -z "$(leftovers "$DIR")" ] && [ "$bytes" -lt 3500000 ]
verdict "the next update succeeds, reusing the partial download ($bytes bytes fetched, < 3.5 MB of the 4 MB of new data), and removes it" 0

# ---- SIGKILL after the download, before the rename

mkdir -p bin
cat >bin/gpgv <<SH
#!/bin/sh
/bin/touch $TEST_DIR/gpgv-started
/bin/sleep 30
exec /usr/bin/gpgv "\$@"
SH
chmod 0755 bin/gpgv
install_app v1-A
rm -f gpgv-started
bg_user "$TEST_DIR/kill2.out" "$TEST_DIR/kill2.err" PATH="$TEST_DIR/bin:/usr/bin:/bin" ./bento update "$APP"
KILLED=$BG_PID
for _ in $(seq 600); do
	[ -e gpgv-started ] && break
	sleep 0.05
done
[ -e gpgv-started ]
ok "the update reached the signature check" "$(cat "$TEST_DIR/kill2.err")"
kill -KILL "$KILLED" $(descendants "$KILLED")
bg_wait "$KILLED" 10
cmp -s "$APP" v/v1-A.AppImage
ok "SIGKILL after the download, before the rename: the file is byte-identical" "$(cat "$TEST_DIR/kill2.err")"
urun "$APP"
expect "and runs" 0 "$(hello_out)"
: >"$WEB_DIR/access.log"
urun ./bento update "$APP"
bytes=$(log_bytes)
[ "$RC" = 0 ] && cmp -s "$APP" v/v2-A.AppImage && [ "$bytes" = 0 ]
verdict "the next update succeeds from the finished download left behind, fetching nothing" 0

# ---- a full file system

SMALL=$TEST_DIR/small
mkdir "$SMALL"
mount -t tmpfs -o size=$((size + 500000)),mode=0755 tmpfs "$SMALL"
on_exit "umount -l $SMALL"
DIR=$SMALL
install_app v1-A "$SMALL"
urun ./bento update "$APP"
[ "$RC" = 3 ] && cmp -s "$APP" v/v1-A.AppImage && [ -z "$(leftovers "$SMALL")" ]
verdict "an update into a full file system fails: status 3, the file byte-identical, nothing left" 3
mount -o remount,size=$((3 * size)) "$SMALL"
urun ./bento update "$APP"
[ "$RC" = 0 ] && cmp -s "$APP" v/v2-A.AppImage
verdict "with room, the next update succeeds" 0
umount "$SMALL"

stop_web
finish
