# The runtime never loses a user's data in silence (issue 14): standard
# input, output and error reach the app unchanged on every strategy, forced
# or chosen by the automatic fallback; the runtime says when the sandbox
# hides the working directory or a file an argument names; in the default
# sandbox a write to the home fails, and the app says so; --appimage-mount
# of a sandboxed image runs nothing.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER RUNTIME RESTRICT

# make_app DIR ID APPRUN: a sandboxed image's AppDir, AppRun's text given.
make_app() {
	rm -rf "$1"
	mkdir -p "$1/.bento" "$1/usr/share"
	printf '%s\n' "$3" >"$1/AppRun"
	chmod 0755 "$1/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=Data\nExec=AppRun\nIcon=data\nCategories=Utility;\n' >"$1/data.desktop"
	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$1/data.svg"
	printf '[Application]\nname=%s\ncommand=AppRun\n' "$2" >"$1/.bento/metadata"
}

# A "shell" app (AppRun runs its arguments) with a binary blob to write on
# its standard error.
make_app shell.AppDir org.bento.DataProbe '#!/bin/sh
exec "$@"'
head -c 300000 /dev/urandom | tr -d '\000' >shell.AppDir/usr/share/err.bin
head -c 500000 /dev/urandom | tr -d '\000' >in.bin
chmod 0644 in.bin
in_sum=$(sha256sum <in.bin | cut -d' ' -f1)
err_sum=$(sha256sum <shell.AppDir/usr/share/err.bin | cut -d' ' -f1)
"$BUILDER" pack shell.AppDir -o shell.AppImage >/dev/null 2>&1 && chmod 0755 shell.AppImage
check "a sandboxed shell image is packed" test -x shell.AppImage
make_app marker.AppDir org.bento.DataMarker '#!/bin/sh
echo APP-RAN
mkdir -p "$XDG_DATA_HOME" && echo ran >"$XDG_DATA_HOME/ran"'
"$BUILDER" pack marker.AppDir -o marker.AppImage >/dev/null 2>&1 && chmod 0755 marker.AppImage
check "a sandboxed marker image is packed" test -x marker.AppImage

sum_of() { sha256sum <"$1" | cut -d' ' -f1; }

# stderr_is_blob FILE [ERE]: FILE ends with the image's err.bin, byte for
# byte, and holds nothing else but lines matching ERE, printed before the app
# starts (and, in the sanitizer build, ASan's warning about the runtime's
# clone stacks).
ASAN_CLONE_WARNING='^==[0-9]+==WARNING: ASan is ignoring requested __asan_handle_no_return|^False positive error reports may follow$|^For details see https://github.com/google/sanitizers/issues/189$'
stderr_is_blob() {
	local size total
	size=$(stat -c %s shell.AppDir/usr/share/err.bin)
	total=$(stat -c %s "$1")
	[ "$total" -ge "$size" ] && [ "$(tail -c "$size" "$1" | sha256sum | cut -d' ' -f1)" = "$err_sum" ] &&
		[ -z "$(head -c $((total - size)) "$1" | grep -avE "$ASAN_CLONE_WARNING${2:+|$2}")" ]
}

# pass_through NAME [VAR=VALUE...] [RUNTIME-OPTION]: the shell app, fed in.bin,
# copies it to its stdout and the image's err.bin to its stderr; both
# arrive byte for byte and the status is the app's.  (The working directory
# is granted, so that the runtime has nothing to say on stderr.)
pass_through() {
	local name=$1
	shift
	urun sh -c 'exec env "$@" <in.bin' sh "$@" sh -c 'cat; cat /app/usr/share/err.bin >&2; exit 7'
	[ "$RC" = 7 ] && [ "$(sum_of "$OUT_FILE")" = "$in_sum" ] && stderr_is_blob "$ERR_FILE"
	verdict "$name: 500 kB of stdin reach the app, 300 kB of stdout and stderr reach the caller unchanged (sha256), status passed on" 7
}

# ------------------------------------------------------------ standard streams

for s in userns fusermount extract extract-and-run; do
	pass_through "[$s, sandboxed]" BENTO_STRATEGY=$s ./shell.AppImage --bento-filesystem="$TEST_DIR"
	urun sh -c 'exec env "$@" <in.bin' sh BENTO_STRATEGY=$s ./shell.AppImage --bento-no-sandbox sh -c 'cat; cat "$APPDIR/usr/share/err.bin" >&2; exit 7'
	[ "$RC" = 7 ] && [ "$(sum_of "$OUT_FILE")" = "$in_sum" ] &&
		stderr_is_blob "$ERR_FILE" '^bento-runtime: warning: running org.bento.DataProbe without its sandbox'
	verdict "[$s, --bento-no-sandbox]: stdin, stdout and stderr pass unchanged" 7
done

# The automatic fallback: /dev/fuse unusable, so userns fails to mount and
# the runtime extracts.  (It used to run the app with stdin closed.)
AS_USER_PREFIX=("$RESTRICT" --no-fuse --)
urun sh -c 'echo "9 9" | BENTO_DEBUG=1 "$@"' sh ./shell.AppImage sh -c 'read a b; expr $a + $b'
expect "[automatic fallback userns -> extract] the app reads its stdin: 9+9 prints 18" 0 18
grep -q '^bento-runtime: strategy: extract$' "$ERR_FILE" && grep -q '^bento-runtime: userns unavailable' "$ERR_FILE"
ok "[automatic fallback] it was the fallback: userns was tried, extract ran" "$ERR"
pass_through "[automatic fallback userns -> extract]" ./shell.AppImage --bento-filesystem="$TEST_DIR"
AS_USER_PREFIX=()
# Control: forced extraction, as the issue's reporter ran it.
urun sh -c 'echo "9 9" | env "$@"' sh BENTO_STRATEGY=extract ./shell.AppImage sh -c 'read a b; expr $a + $b'
expect "[control: forced extract] 9+9 prints 18" 0 18
LEAK_WAIT=2 no_leaks "standard streams: no mount or process left"

# ------------------------------------------------------------ hidden paths

# The test's directory is below /tmp, which the sandbox replaces with a
# private one: the working directory is hidden.
urun ./shell.AppImage sh -c 'ls in.bin'
[ "$RC" != 0 ] && grep -q "^bento-runtime: warning: the sandbox hides the working directory $TEST_DIR: .*--bento-filesystem=$TEST_DIR" "$ERR_FILE"
verdict "a hidden working directory gets a warning naming it and --bento-filesystem=DIR"
urun ./shell.AppImage --bento-filesystem="$TEST_DIR" sh -c 'ls in.bin'
[ "$RC" = 0 ] && ! grep -q 'hides' "$ERR_FILE"
verdict "[control] with the directory granted, no warning and the app sees its files" 0

mkdir -p sub && echo x >sub/f && chown -R "$TEST_UID:$TEST_GID" sub
urun ./shell.AppImage --bento-filesystem="$USER_HOME" cat sub/f "$TEST_DIR/in.bin" -n --opt=in.bin nonexistent "$USER_HOME"
grep -q "^bento-runtime: warning: the sandbox hides sub/f, which an argument names: .*--bento-filesystem=$TEST_DIR/sub " "$ERR_FILE" &&
	grep -q "^bento-runtime: warning: the sandbox hides $TEST_DIR/in.bin, which an argument names: .*--bento-filesystem=$TEST_DIR " "$ERR_FILE" &&
	[ "$(grep -c 'which an argument names' "$ERR_FILE")" = 2 ]
verdict "arguments naming hidden host files (relative and absolute) get a warning each; options, missing files and granted paths none"
name=$'x\033[31my'
touch "$name" && chown "$TEST_UID:$TEST_GID" "$name"
urun ./shell.AppImage --bento-filesystem="$USER_HOME" true "$name"
grep -q 'hides x\\x1b\[31my, which' "$ERR_FILE" && ! grep -q $'\033' "$ERR_FILE"
verdict "a name with control characters is printed escaped"

# ------------------------------------------------------------ the home

# A home where a user's is, outside the /tmp the sandbox replaces.
home=$(mktemp -d /home/bento-data-test.XXXXXX)
on_exit "rm -rf '$home'"
chown "$TEST_UID:$TEST_GID" "$home" && chmod 0700 "$home"
urun sh -c 'cd "$1" && shift && exec env "$@"' sh "$home" HOME="$home" "$TEST_DIR/shell.AppImage" sh -c 'echo data >new.db && echo written'
[ "$RC" != 0 ] && [ "$OUT" != written ] && grep -q 'new.db: Read-only file system' "$ERR_FILE" &&
	grep -q "hides the working directory $home" "$ERR_FILE" && [ ! -e "$home/new.db" ]
verdict "cd ~ && app new.db in the default sandbox: the write fails with EROFS, the app says so, the runtime names the hidden directory"
urun sh -c 'cd "$1" && shift && exec env "$@"' sh "$home" HOME="$home" "$TEST_DIR/shell.AppImage" --bento-filesystem=home sh -c 'echo data >new.db && echo written'
expect "[control] with --bento-filesystem=home the same write reaches the host's home" 0 written
[ "$(cat "$home/new.db" 2>/dev/null)" = data ]
ok "[control] new.db is in the host's home"

# ------------------------------------------------------------ --appimage-mount

urun ./marker.AppImage
[ "$RC" = 0 ] && [ "$OUT" = APP-RAN ] && [ -f "$USER_HOME/.var/app/org.bento.DataMarker/data/ran" ]
verdict "[control] the marker app, run, prints APP-RAN and leaves its marker" 0
for s in "" userns fusermount; do
	rm -f "$USER_HOME/.var/app/org.bento.DataMarker/data/ran"
	bg_user mount.out mount.err ${s:+BENTO_STRATEGY=$s} ./marker.AppImage --appimage-mount
	rt=$BG_PID
	if wait_for_line mount.out '^/' 10 "$rt"; then
		mp=$(head -n 1 mount.out)
		procs="$rt $(descendants "$rt")"
		urun ls -A "$mp"
		[ "$RC" = 0 ] && grep -qx AppRun <<<"$OUT" && grep -qx .bento <<<"$OUT"
		verdict "--appimage-mount ${s:-(automatic)} of a sandboxed image: the mount point lists the image" 0
		sleep 0.3
		[ "$(cat mount.out)" = "$mp" ] && [ ! -e "$USER_HOME/.var/app/org.bento.DataMarker/data/ran" ] &&
			! pgrep -f -u "$TEST_UID" "$mp/AppRun" >/dev/null
		ok "--appimage-mount ${s:-(automatic)} of a sandboxed image runs nothing" "$(cat mount.out mount.err)"
		kill -TERM "$rt"
		bg_wait "$rt" 5
		[ "$RC" != 124 ]
		ok "--appimage-mount ${s:-(automatic)} ends on SIGTERM (status $RC)"
		LEAK_WAIT=2 no_leaks "--appimage-mount ${s:-(automatic)}: nothing left" "$procs"
	else
		OUT=$(cat mount.out) ERR=$(cat mount.err) RC='?' MS='?' LAST_CMD="./marker.AppImage --appimage-mount"
		fail "--appimage-mount ${s:-(automatic)} of a sandboxed image prints its mount point" "$(describe_run)"
		kill -KILL "$rt" 2>/dev/null
		bg_wait "$rt" 5
	fi
done

LEAK_WAIT=2 no_leaks "nothing left behind"
finish
