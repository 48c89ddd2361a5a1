# The packed hello runs: arguments reach it untouched, exit statuses come
# back unchanged, the AppImage environment is right, the app runs as the
# user who launched it.  Repeated with the sanitizer build when there is one
# (where any sanitizer report fails the check).
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need APPIMG

# run_checks APPIMAGE SUFFIX
run_checks() {
	local img=$1 sfx=$2 b args st
	b=$(basename "$img")
	cd "$TEST_DIR"

	urun ./"$b"
	expect "runs and prints its greeting$sfx" 0 "$(hello_out)"

	args=("a b" "" "-x" "--" "--appimage-offset" "--appimage-extract" "--bento-strategy=extract"
		"--bento-help" "  two  spaces  " "tab	tab" "quote'\"" '$HOME *' "é ü" "line1
line2")
	urun ./"$b" first "${args[@]}"
	expect "arguments reach the app untouched (spaces, empty, -x, --appimage-*/--bento-* after the first)$sfx" \
		0 "$(hello_out first "${args[@]}")"
	urun ./"$b" ""
	expect "an empty first argument reaches the app$sfx" 0 "$(hello_out "")"
	urun ./"$b" -- --appimage-offset
	expect "'--' first: everything reaches the app$sfx" 0 "$(hello_out -- --appimage-offset)"
	urun ./"$b" --appimage-offsetx
	[ "$RC" != 0 ] || [ "$OUT" = "$(hello_out --appimage-offsetx)" ]
	verdict "an unknown --appimage-* first argument is not taken for a known one$sfx"

	for st in 0 1 42 255; do
		urun HELLO_EXIT=$st ./"$b" x
		expect "exit status $st comes back unchanged$sfx" $st "$(hello_out x)"
	done

	# The environment, launched from another directory through a relative path
	mkdir -p "$TEST_DIR/work dir"
	cd "$TEST_DIR/work dir"
	urun HELLO_ENV=1 ../"$b" arg
	local appdir
	appdir=$(sed -n 's/^APPDIR=\[\(.*\)\]$/\1/p' "$OUT_FILE")
	[ "$RC" = 0 ] && grep -qxF "APPIMAGE=[$TEST_DIR/$b]" "$OUT_FILE"
	verdict "APPIMAGE is the file's absolute path$sfx" 0
	grep -qxF "ARGV0=[../$b]" "$OUT_FILE"
	verdict "ARGV0 is argv[0] as invoked$sfx"
	grep -qxF "OWD=[$TEST_DIR/work dir]" "$OUT_FILE"
	verdict "OWD is the working directory at launch$sfx"
	grep -qxF "cwd=[$TEST_DIR/work dir]" "$OUT_FILE"
	verdict "the app's cwd is the cwd at launch$sfx"
	[[ $appdir == /* ]] && [ "$appdir" != / ]
	verdict "APPDIR is set to an absolute path$sfx"
	grep -qxF "uid=$TEST_UID gid=$TEST_GID" "$OUT_FILE"
	verdict "the app runs as the launching user (uid/gid $TEST_UID)$sfx"

	# Found through PATH: ARGV0 as typed, APPIMAGE still absolute
	urun PATH="$TEST_DIR:/usr/bin:/bin" HELLO_ENV=1 "$b"
	[ "$RC" = 0 ] && grep -qxF "ARGV0=[$b]" "$OUT_FILE" &&
		grep -qxF "APPIMAGE=[$TEST_DIR/$b]" "$OUT_FILE"
	verdict "found through PATH: ARGV0 as typed, APPIMAGE absolute$sfx" 0

	# Through a symbolic link: APPIMAGE names the file itself
	ln -sf "../$b" link.AppImage
	urun HELLO_ENV=1 ./link.AppImage
	[ "$RC" = 0 ] && grep -qxF "ARGV0=[./link.AppImage]" "$OUT_FILE" &&
		grep -qxF "APPIMAGE=[$TEST_DIR/$b]" "$OUT_FILE"
	verdict "through a symlink: ARGV0 is the link, APPIMAGE the file$sfx" 0

	# As root
	cd "$TEST_DIR"
	rrun HELLO_ENV=1 ./"$b" root
	[ "$RC" = 0 ] && grep -qx 'arg\[1\]=\[root\]' "$OUT_FILE" && grep -qx 'uid=0 gid=0' "$OUT_FILE"
	verdict "runs as root too$sfx" 0
}

run_checks "$APPIMG" ""
no_leaks "nothing left after the runs"

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	make_test_dir
	copy_artifacts "$BENTO_SAN_BUILD"
	if [ -n "$APPIMG" ]; then
		run_checks "$APPIMG" " [sanitizer build]"
		no_leaks "nothing left after the runs [sanitizer build]"
	else
		skip "runs with the sanitizer build" "no hello AppImage in $BENTO_SAN_BUILD"
	fi
fi
finish
