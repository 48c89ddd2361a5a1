# The runtime's own options (first argument only): help, version, update
# information, signature, portable home/config, mount, extract (with and
# without a pattern), and TARGET_APPIMAGE.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG RUNTIME

# section_offset FILE NAME: file offset (decimal) of an ELF section
section_offset() {
	local hex
	hex=$(readelf -S -W "$1" 2>/dev/null | awk -v n="$2" '{
		for (i = 1; i <= NF; i++) if ($i == n) { print $(i + 3); exit }
	}')
	[ -n "$hex" ] && echo $((16#$hex))
}

# ------------------------------------------------------------ help, version

urun ./"$b" --appimage-help
[ "$RC" = 0 ] && grep -q -- --appimage-extract <<<"$OUT$ERR"
verdict "--appimage-help prints help and exits 0" 0
urun ./"$b" --bento-help
[ "$RC" = 0 ] && grep -q -- --bento-strategy <<<"$OUT$ERR"
verdict "--bento-help lists the --bento- options and exits 0" 0
urun ./"$b" --appimage-version
[ "$RC" = 0 ] && [ -n "$OUT$ERR" ]
verdict "--appimage-version prints a version and exits 0" 0
urun ./"$b" --appimage-help extra args
[ "$RC" = 0 ] && [[ $OUT$ERR != *Hello* ]]
verdict "--appimage-help with more arguments still only prints help" 0

# ------------------------------------------------------------ update info, signature

urun ./"$b" --appimage-updateinformation
want=$(dd if="$APPIMG" bs=1 skip="$(section_offset "$APPIMG" .upd_info)" count=1024 status=none | tr -d '\0')
expect "--appimage-updateinformation prints the .upd_info string ('$want')" 0 "$want"
urun ./"$b" --appimage-signature
want=$(dd if="$APPIMG" bs=1 skip="$(section_offset "$APPIMG" .sha256_sig)" count=1024 status=none | tr -d '\0')
expect "--appimage-signature prints the signature (empty if none)" 0 "$want"

# a file with update information written into its section, as tools do
upd='zsync|https://example.invalid/hello-latest-x86_64.AppImage.zsync'
cp "$APPIMG" upd.AppImage
off=$(section_offset upd.AppImage .upd_info)
if [ -n "$off" ]; then
	dd if=/dev/zero of=upd.AppImage bs=1 seek="$off" count=1024 conv=notrunc status=none
	printf '%s' "$upd" | dd of=upd.AppImage bs=1 seek="$off" conv=notrunc status=none
fi
urun ./upd.AppImage --appimage-updateinformation
expect "--appimage-updateinformation prints update information embedded by another tool" 0 "$upd"
urun ./upd.AppImage x
expect "a file with update information embedded still runs" 0 "$(hello_out x)"

# ------------------------------------------------------------ portable home/config

mkdir -p p && chown "$TEST_UID:$TEST_GID" p && cp "$APPIMG" p/
urun ./p/"$b" --appimage-portable-home
[ "$RC" = 0 ] && [ -d "p/$b.home" ] && [ "$(stat -c %u "p/$b.home")" = $TEST_UID ]
verdict "--appimage-portable-home creates FILE.home beside the file" 0
urun ./p/"$b" --appimage-portable-config
[ "$RC" = 0 ] && [ -d "p/$b.config" ] && [ "$(stat -c %u "p/$b.config")" = $TEST_UID ]
verdict "--appimage-portable-config creates FILE.config beside the file" 0
urun ./p/"$b" x
expect "the file still runs with FILE.home and FILE.config beside it" 0 "$(hello_out x)"

# ------------------------------------------------------------ mount

for sig in TERM INT; do
	bg_user mount.out mount.err ./"$b" --appimage-mount
	rt=$BG_PID
	if wait_for_line mount.out '^/' 10 "$rt"; then
		mp=$(head -n 1 mount.out)
		pass "--appimage-mount prints the mount point ($sig)"
		procs="$rt $(descendants "$rt")"
		urun sh -c 'ls -A "$1" && "$1/usr/bin/hello" x && "$1/AppRun" y' sh "$mp"
		[ "$RC" = 0 ] && grep -qx AppRun <<<"$OUT" && grep -qx 'usr' <<<"$OUT" &&
			[ "$(grep -c '^Hello from bento!$' <<<"$OUT")" = 2 ]
		verdict "the printed mount point is readable by the same user, its programs run ($sig)" 0
		_alive "$rt"
		ok "--appimage-mount keeps serving ($sig)"
		kill -s $sig "$rt"
		bg_wait "$rt" 5
		[ "$RC" != 124 ]
		ok "--appimage-mount ends on SIG$sig (status $RC)"
		LEAK_WAIT=2 no_leaks "--appimage-mount: nothing left after SIG$sig" "$procs"
	else
		OUT=$(cat mount.out) ERR=$(cat mount.err) RC='?' MS='?' LAST_CMD="./$b --appimage-mount"
		fail "--appimage-mount prints the mount point ($sig)" "$(describe_run)"
		kill -KILL "$rt" 2>/dev/null
		bg_wait "$rt" 5
	fi
done

# ------------------------------------------------------------ extract

offset=$(as_user ./"$b" --appimage-offset)
unsquashfs -q -d ref -o "${offset:-0}" "$APPIMG" >/dev/null 2>&1
tree() { # DIR: type, mode, path (and link target) of everything below DIR
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' | sort)
}

mkdir e1 && chown "$TEST_UID:$TEST_GID" e1 && cd e1
urun ../"$b" --appimage-extract
[ "$RC" = 0 ] && [ -d squashfs-root ]
verdict "--appimage-extract extracts into ./squashfs-root" 0
d=$(diff <(tree ../ref) <(tree squashfs-root) 2>&1)
ok "--appimage-extract: the same tree as unsquashfs (types, modes, symlinks)" "$d"
d=$(diff -r --no-dereference ../ref squashfs-root 2>&1)
ok "--appimage-extract: the same contents as unsquashfs" "$d"
[ -L squashfs-root/AppRun ]
ok "--appimage-extract: AppRun stays a symlink"
urun squashfs-root/AppRun x
expect "the extracted AppRun runs" 0 "$(hello_out x)"
[ -z "$(find squashfs-root ! -user $TEST_UID)" ]
ok "--appimage-extract: the files belong to the user who extracted"
urun ../"$b" --appimage-extract
[ "$RC" = 0 ] && [ -z "$(diff -r --no-dereference ../ref squashfs-root 2>&1)" ]
verdict "--appimage-extract again over an existing squashfs-root" 0
cd "$TEST_DIR"

mkdir e2 && chown "$TEST_UID:$TEST_GID" e2 && cd e2
urun ../"$b" --appimage-extract '*.desktop'
[ "$RC" = 0 ] && [ -f squashfs-root/hello.desktop ] && [ ! -e squashfs-root/usr/bin/hello ] &&
	[ ! -e squashfs-root/AppRun ]
verdict "--appimage-extract '*.desktop' extracts only the desktop file" 0
cd "$TEST_DIR"
mkdir e3 && chown "$TEST_UID:$TEST_GID" e3 && cd e3
urun ../"$b" --appimage-extract 'usr/bin/*'
[ "$RC" = 0 ] && [ -x squashfs-root/usr/bin/hello ] && [ ! -e squashfs-root/hello.desktop ] &&
	cmp -s squashfs-root/usr/bin/hello ../ref/usr/bin/hello
verdict "--appimage-extract 'usr/bin/*' extracts only usr/bin/hello" 0
cd "$TEST_DIR"
mkdir e4 && chown "$TEST_UID:$TEST_GID" e4 && cd e4
urun ../"$b" --appimage-extract 'no-such-*'
[ "$RC" = 0 ] && [ -z "$(find squashfs-root -type f 2>/dev/null)" ]
verdict "--appimage-extract with a pattern matching nothing extracts no file" 0
cd "$TEST_DIR"

# ------------------------------------------------------------ TARGET_APPIMAGE

urun TARGET_APPIMAGE="$APPIMG" ./bento-runtime x "y z"
expect "TARGET_APPIMAGE=FILE: the runtime runs that file's app" 0 "$(hello_out x "y z")"
urun TARGET_APPIMAGE="$APPIMG" HELLO_ENV=1 ./bento-runtime
[ "$RC" = 0 ] && grep -qxF "APPIMAGE=[$APPIMG]" "$OUT_FILE"
verdict "TARGET_APPIMAGE=FILE: APPIMAGE names that file" 0
urun TARGET_APPIMAGE="$APPIMG" ./bento-runtime --appimage-offset
expect "TARGET_APPIMAGE=FILE --appimage-offset: that file's offset" 0 "$offset"
urun TARGET_APPIMAGE=upd.AppImage ./bento-runtime --appimage-updateinformation
expect "TARGET_APPIMAGE=FILE (relative) --appimage-updateinformation: that file's" 0 "$upd"

no_leaks "nothing left"
finish
