# One file for Debian 11 to 13, minimal systems included (issue 15): the
# example apps, built here (Debian 12) with the defaults as a publisher builds
# them, run as uid 65534 inside minimal Debian 11, 12 and 13 roots made with
# debootstrap (tests/portability/lib/roots.sh: cached under
# /var/cache/bento/roots, entered with a private mount namespace and
# pivot_root):
#   hello (manifests/hello), counter (a C program compiled by the build,
#   manifests/counter), sqlite3 and python-hello (from Debian 12's debs),
#   xeyes under Xvfb in the minimal root, which lacks libX11 (the fallback
#   the image carries is used) and in the root with the GL stack, which has
#   one (the root's copy wins: the running xeyes maps it), glxinfo under Xvfb in a root with Mesa (the
#   root's Mesa renders: its version, llvmpipe, direct rendering) and in the
#   minimal root, which lacks libGL (the runtime's message names libGL.so.1
#   and its package), and hello built with `glibc: host`, which Debian 11's
#   glibc 2.31 is too old for (the runtime's message, exit 127, not the
#   loader's).  hello, counter, sqlite3 and python-hello also run in a
#   Debian 11 root whose /usr is not merged (/lib a directory of its own,
#   as on a system upgraded from Debian 10).  Ends with the table of
#   releases × apps.
. "$(dirname "$0")/../lib.sh" "$@"
. "$SRC_DIR/tests/portability/lib/roots.sh"
. "$SRC_DIR/tests/portability/lib/grid.sh"

in_test_dir BUILDER
M=$SRC_DIR/manifests
DEBS=/var/cache/bento/debs
RUN_TIMEOUT=300

# ---- the roots (made once, then cached) --------------------------------------

declare -A LABEL
for r in $ROOT_RELEASES; do
	for v in min gl; do
		t0=$(date +%s)
		ensure_root "$r" "$v" >/dev/null
		ok "the Debian $(release_number "$r") ($r) $v root is made and verified with the archive keyring" ||
			finish
		t=$(($(date +%s) - t0))
		[ $t -gt 5 ] && echo "    (debootstrap $r $v: ${t}s)"
	done
	LABEL[$r]="Debian $(release_number "$r") (glibc $(root_glibc "$r" min))"
done
ensure_root bullseye split >/dev/null
ok "the Debian 11 (bullseye) root without merged /usr (--no-merged-usr) is made" || finish
LABEL[bullseye/split]="Debian 11, /usr not merged"

IN_ROOT=$SRC_DIR/tests/portability/lib/in-root
# rootrun RELEASE VARIANT [VAR=VALUE...] CMD...: urun's like (OUT, ERR, RC,
# MS, LAST_CMD), the command run in the root as uid 65534 (files under test
# at /bento, the X display $IN_ROOT_DISPLAY if set)
rootrun() {
	_CMD=("$IN_ROOT")
	_run "$@"
}
export IN_ROOT_FILES=$TEST_DIR/apps
mkdir -p apps

# What a minimal root lacks and the GL root has: the controls of the
# fallback and missing-library rows.
for r in $ROOT_RELEASES; do
	rootrun "$r" min sh -c 'ls /usr/lib/x86_64-linux-gnu/libX11.so.6 /usr/lib/x86_64-linux-gnu/libGL.so.1 /usr/lib/x86_64-linux-gnu/libexpat.so.1'
	[ "$RC" != 0 ] && [[ $ERR == *"libX11.so.6"* ]] && [[ $ERR == *"libGL.so.1"* ]] &&
		[[ $ERR == *"libexpat.so.1"* ]] && [ -z "$OUT" ]
	verdict "control: the $r minimal root has no libX11.so.6, libGL.so.1 or libexpat.so.1"
	rootrun "$r" gl sh -c 'ls /usr/lib/x86_64-linux-gnu/libGL.so.1 /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so'
	verdict "control: the $r GL root has libGL.so.1 and Mesa's swrast_dri.so" 0
	# (the kernel is this machine's: what the runtime needs works inside)
	rootrun "$r" min sh -c 'unshare -U true && exec 3<>/dev/fuse && id -u'
	expect "in the $r root uid 65534 may make a user namespace and open /dev/fuse" 0 65534
done

# ---- the apps, built here as a publisher builds them -------------------------

mkdir -p src www apps build
cp -r "$M"/. src/
sh "$M/counter/make-tarball.sh" www/counter-1.0.tar.gz
missing=""
for d in sqlite3_ libsqlite3-0_ mesa-utils_ mesa-utils-bin_ python3.11-minimal_ \
	libpython3.11-minimal_ libpython3.11-stdlib_ x11-apps_; do
	ls "$DEBS/$d"*.deb >/dev/null 2>&1 && cp "$DEBS/$d"*.deb www/ || missing+=" $d"
done
[ -z "$missing" ]
ok "the .debs of the example apps are in $DEBS (scripts/setup.sh downloads them)" "missing:$missing" ||
	finish
chmod 0644 www/*
# hello as today's builder makes it: requiring the build host's glibc
sed 's|^modules:|glibc: host\nmodules:|' src/hello/hello.yml >src/hello/hello-host.yml
chown -R "$TEST_UID:$TEST_GID" src www apps build
start_web "$TEST_DIR/www" || finish

declare -A FILE
# build_app NAME MANIFEST: build src/MANIFEST (its http://127.0.0.1:8000
# addresses changed to the web server's) into apps/NAME.AppImage
build_app() {
	local name=$1 manifest=src/$2 served out
	served=${manifest%.yml}.served.yml
	sed "s|http://127.0.0.1:8000|$WEB_URL|" "$manifest" >"$served"
	chown "$TEST_UID:$TEST_GID" "$served"
	out=$TEST_DIR/build/$name
	mkdir -p "$out" && chown "$TEST_UID:$TEST_GID" "$out"
	cd "$out" && urun "$BUILDER" build --output="$TEST_DIR/apps/$name.AppImage" "$TEST_DIR/$served"
	cd "$TEST_DIR"
	[ "$RC" = 0 ] && [ -x "apps/$name.AppImage" ]
	verdict "$2 builds (${MS}ms)" 0 && FILE[$name]=/bento/$name.AppImage
}
build_app hello hello/hello.yml
build_app counter counter/counter.yml
build_app sqlite3 sqlite3/sqlite3.yml
build_app python-hello python-hello/python-hello.yml
build_app xeyes xeyes/xeyes.yml
build_app glxinfo glxinfo/glxinfo.yml
build_app hello-glibc-host hello/hello-host.yml
for f in apps/*.AppImage; do echo "    $(basename "$f"): $(stat -c %s "$f") bytes"; done
# The libX11 the xeyes image carries as a fallback (if it does), to tell it
# from the root's when xeyes runs
IMAGE_LIBX11=""
if [ -n "${FILE[xeyes]:-}" ]; then
	unsquashfs -q -n -d xeyes-image -o "$(apps/xeyes.AppImage --appimage-offset)" apps/xeyes.AppImage \
		.bento/fallback >/dev/null 2>&1
	f=xeyes-image/.bento/fallback/lib/x86_64-linux-gnu/libX11.so.6
	[ -e "$f" ] && IMAGE_LIBX11=$(realpath "$f")
fi

# ---- each app in each root ------------------------------------------------------

# short_error: the last run's error, in a few words, for the table
short_error() {
	local e
	e=$(grep -v '^bento-runtime: warning' <<<"$ERR")
	if [[ $e =~ version\ .(GLIBC_[0-9.]+).\ not\ found ]]; then
		echo "loader: ${BASH_REMATCH[1]} not found"
	elif [[ $e =~ ([^ ]+):\ cannot\ open\ shared\ object\ file ]]; then
		echo "loader: ${BASH_REMATCH[1]} missing"
	elif [ -n "$e" ]; then
		echo "exit $RC: $(head -n 1 <<<"$e" | sed 's|^bento-runtime: [^ ]*: ||' | cut -c1-140)"
	else
		echo "exit $RC"
	fi
}

# judged NAME RELEASE COLUMN CELL: the verdict on the condition just tested
# ($? first, like ok) goes into the table too: CELL if it passed
alias judged='_judged $?'
_judged() {
	local status=$1 name=$2 release=$3 column=$4 cell=$5
	if [ "$status" = 0 ] && ! _sanitizer_report; then
		pass "$name"
	else
		fail "$name" "$(describe_run)"
		cell="FAIL: $(short_error)"
	fi
	grid_cell "${LABEL[$release]}" "$column" "$cell"
}

# Xvfb on a free display, as the test user; its socket is bound into the roots.
for d in $(seq 90 99); do [ -e /tmp/.X11-unix/X$d ] || break; done
bg_user "$TEST_DIR/xvfb.out" "$TEST_DIR/xvfb.err" Xvfb ":$d" -screen 0 320x240x24 -nolisten tcp
XVFB=$BG_PID
on_exit "kill -TERM $XVFB"
for _ in $(seq 100); do [ -S /tmp/.X11-unix/X$d ] && break; sleep 0.05; done
DISPLAY_N=$d

# windows_named NAME: how many windows Xvfb has whose name is NAME
windows_named() {
	as_user env DISPLAY=":$DISPLAY_N" xwininfo -root -tree 2>/dev/null | grep -c "\"$1\""
}

# run_xeyes RELEASE VARIANT: xeyes in the root under Xvfb until its window
# shows (at most 10 s); sets found (its windows that xwininfo sees), libx11
# (whose libX11.so.6 the running xeyes has mapped: "root's", "image's" (the
# fallback in its .bento/fallback), "root's (= image's)" when the two are the
# same bytes, or what else), and OUT, ERR, RC for judged.
run_xeyes() {
	local r=$1 v=$2 before app="" mapped rootlib
	before=$(windows_named xeyes)
	_CMD=(env "IN_ROOT_DISPLAY=$DISPLAY_N" "$IN_ROOT")
	_bg "$TEST_DIR/xeyes-$r-$v.out" "$TEST_DIR/xeyes-$r-$v.err" "$r" "$v" timeout -s TERM 15 "${FILE[xeyes]}"
	found=0 libx11="unknown (xeyes not running)"
	for _ in $(seq 100); do
		found=$(($(windows_named xeyes) - before))
		[ "$found" -gt 0 ] && break
		_alive "$BG_PID" || break
		sleep 0.1
	done
	for p in $(descendants "$BG_PID"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = xeyes ] && app=$p
	done
	if [ -n "$app" ]; then
		# (map_files opens the very file mapped, whatever overlay it came through)
		mapped=$(awk '$6 ~ /libX11\.so\.6/ && $2 ~ /x/ {print $1; exit}' "/proc/$app/maps")
		rootlib=$(root_dir "$r" "$v")/usr/lib/x86_64-linux-gnu/libX11.so.6
		if [ -z "$mapped" ]; then
			libx11="none mapped"
		elif [ -e "$rootlib" ] && cmp -s "/proc/$app/map_files/$mapped" "$(realpath "$rootlib")"; then
			libx11="root's"
			[ -n "$IMAGE_LIBX11" ] && cmp -s "$rootlib" "$IMAGE_LIBX11" && libx11+=" (= image's)"
		elif [ -n "$IMAGE_LIBX11" ] && cmp -s "/proc/$app/map_files/$mapped" "$IMAGE_LIBX11"; then
			libx11="image's"
		else
			libx11="another ($(awk '$6 ~ /libX11/ {print $6; exit}' "/proc/$app/maps"))"
		fi
	fi
	kill -TERM $(descendants "$BG_PID") 2>/dev/null
	bg_wait "$BG_PID" 10
	OUT=$(cat "$TEST_DIR/xeyes-$r-$v.out") ERR=$(cat "$TEST_DIR/xeyes-$r-$v.err")
	LAST_CMD="in-root $r $v xeyes" MS='?' ERR_FILE=$TEST_DIR/xeyes-$r-$v.err
}

# mesa_version RELEASE: the upstream version of the GL root's Mesa (its
# libgl1-mesa-dri), e.g. 22.3.6
mesa_version() {
	sed -n '/^Package: libgl1-mesa-dri$/,/^$/s/^Version: \([0-9.]*\).*/\1/p' \
		"$(root_dir "$1" gl)/var/lib/dpkg/status"
}

# console_apps RELEASE VARIANT ROW WHERE: hello, counter, sqlite3 and
# python-hello in that root, judged into the table's ROW (a key of LABEL);
# WHERE names the root in the checks' names
console_apps() {
	local r=$1 v=$2 row=$3 where=$4
	if [ -n "${FILE[hello]:-}" ]; then
		rootrun "$r" "$v" "${FILE[hello]}" x "y z"
		[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out x "y z")" ]
		judged "$where: hello prints its greeting and arguments" "$row" hello runs
	fi
	if [ -n "${FILE[counter]:-}" ]; then
		rootrun "$r" "$v" sh -c "printf 'a\nb\nc\n' | ${FILE[counter]} one two"
		[ "$RC" = 0 ] && [ "$OUT" = "2 arguments, 3 lines" ]
		judged "$where: counter (C, compiled by the build) counts its arguments and lines" \
			"$row" "counter (C)" runs
	fi
	if [ -n "${FILE[sqlite3]:-}" ]; then
		rootrun "$r" "$v" "${FILE[sqlite3]}" :memory: 'select 9+9;'
		[ "$RC" = 0 ] && [ "$OUT" = 18 ]
		judged "$where: sqlite3 :memory: 'select 9+9;' prints 18" "$row" sqlite3 runs
	fi
	if [ -n "${FILE[python-hello]:-}" ]; then
		rootrun "$r" "$v" "${FILE[python-hello]}" --where debian
		[ "$RC" = 0 ] && [[ $OUT == *'{"hello": "debian"}'* ]] &&
			[[ $OUT == *"executable: /app/bin/python3.11"* ]]
		judged "$where: python-hello runs with the image's Python 3.11" "$row" python-hello runs
	fi
}

for r in $ROOT_RELEASES; do
	n=$(release_number "$r")
	echo "# ${LABEL[$r]}, $r"
	console_apps "$r" min "$r" "Debian $n minimal"
	if [ -n "${FILE[xeyes]:-}" ]; then
		# In the minimal root, which has no libX11: the image's fallback serves.
		run_xeyes "$r" min
		[ "$found" -gt 0 ] && [ "$libx11" = "image's" ]
		judged "Debian $n minimal (no libX11): xeyes opens its window under Xvfb (xwininfo finds it) with the image's libX11 ($libx11)" \
			"$r" "xeyes (no host libX11)" "window; image's libX11"
		# In the root that has one: the host's copy wins over the fallback.
		run_xeyes "$r" gl
		[ "$found" -gt 0 ] && [[ $libx11 == "root's"* ]]
		judged "Debian $n with libX11: xeyes opens its window with the root's libX11 ($libx11), not the image's fallback" \
			"$r" "xeyes (host libX11)" "window; $libx11 libX11"
	fi
	if [ -n "${FILE[glxinfo]:-}" ]; then
		mesa=$(mesa_version "$r")
		IN_ROOT_DISPLAY=$DISPLAY_N rootrun "$r" gl "${FILE[glxinfo]}" -B
		[ "$RC" = 0 ] && [ -n "$mesa" ] && [[ $OUT == *"OpenGL renderer string: llvmpipe"* ]] &&
			[[ $OUT == *"direct rendering: Yes"* ]] && [[ $OUT == *"OpenGL version string: "*" Mesa $mesa"* ]]
		judged "Debian $n with Mesa: glxinfo renders with the root's Mesa $mesa (llvmpipe, direct rendering)" \
			"$r" "glxinfo (host Mesa)" "Mesa $mesa, llvmpipe, direct"
		# In the minimal root, which has no libGL: the runtime names it and
		# its package (a GL library is never bundled: it must be the host's).
		IN_ROOT_DISPLAY=$DISPLAY_N rootrun "$r" min "${FILE[glxinfo]}" -B
		[ "$RC" = 127 ] && [[ $ERR == *"libGL.so.1"* ]] && [[ $ERR == *"libgl1"* ]] &&
			[[ $ERR != *"cannot open shared object file"* ]]
		judged "Debian $n minimal (no libGL): glxinfo is refused, exit 127, the message names libGL.so.1 and libgl1" \
			"$r" "glxinfo (no host libGL)" "refused: names libGL.so.1, libgl1"
	fi
	if [ -n "${FILE[hello-glibc-host]:-}" ]; then
		rootrun "$r" min "${FILE[hello-glibc-host]}" x
		if [ "$(root_glibc "$r" min)" = 2.31 ]; then
			# (this Debian 12 build needs GLIBC_2.34)
			[ "$RC" = 127 ] && [[ $ERR == *"GNU C Library 2.34 or newer"* ]] &&
				[[ $ERR == *"this system has 2.31"* ]] && [[ $ERR != *"not found"* ]] && [ -z "$OUT" ]
			judged "Debian $n minimal: hello built with glibc: host is refused by the runtime (exit 127, needs 2.34, has 2.31), not by the loader" \
				"$r" "hello (glibc: host)" "refused: needs glibc 2.34"
		else
			[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out x)" ]
			judged "Debian $n minimal: hello built with glibc: host runs (this glibc is new enough)" \
				"$r" "hello (glibc: host)" runs
		fi
	fi
done

# Debian 11 as upgraded from 10: /lib a directory of its own, with the loader
# and libc in it, not a link to /usr/lib
echo "# ${LABEL[bullseye/split]}"
[ -d "$(root_dir bullseye split)/lib" ] && [ ! -L "$(root_dir bullseye split)/lib" ] &&
	[ -e "$(root_dir bullseye split)/lib/x86_64-linux-gnu/libc.so.6" ] &&
	[ ! -e "$(root_dir bullseye split)/usr/lib/x86_64-linux-gnu/libc.so.6" ]
ok "control: the Debian 11 root without merged /usr has libc.so.6 in /lib, a directory, and not in /usr/lib"
console_apps bullseye split bullseye/split "Debian 11 minimal, /usr not merged"

echo
print_grid "Releases × apps (built on Debian 12, run as uid 65534 in debootstrap --variant=minbase roots):"
finish
