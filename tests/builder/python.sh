# A Python program from Debian 12's python3.11 .debs (manifests/python-hello),
# built as a publisher builds it, against nginx on loopback: the deb source
# takes the packages' absolute symbolic links (sitecustomize.py -> /etc/...
# is left out with a warning), the builder's RUNPATH edit of python3.11
# passes its own ELF check, the program runs with the image's Python (the
# host's is hidden), the image holds the .pyc of every module it imports,
# two builds are byte-identical, and python-compile: false leaves them out.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER BENTO
DEBS=/var/cache/bento/debs
RUN_TIMEOUT=300
debs="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib"
for d in $debs; do
	ls "$DEBS/${d}_"*.deb >/dev/null 2>&1 ||
		{ fail "the .debs of manifests/python-hello are not in $DEBS (scripts/setup.sh downloads them)"; finish; }
done

mkdir -p src www b1 b2 b3
cp -r "$SRC_DIR/manifests/python-hello/." src/
for d in $debs; do cp "$DEBS/${d}_"*.deb www/; done
chmod 0644 www/*.deb
chown -R "$TEST_UID:$TEST_GID" src www b1 b2 b3
start_web "$TEST_DIR/www" || finish
sed "s|http://127.0.0.1:8000|$WEB_URL|" src/python-hello.yml >src/served.yml
sed -e 's|^modules:|python-compile: false\nmodules:|' -e 's|^id: .*|id: org.bento.PythonHelloUncompiled|' \
	src/served.yml >src/nocompile.yml
chown "$TEST_UID:$TEST_GID" src/served.yml src/nocompile.yml
APP=python-hello-1.0-x86_64.AppImage

cd b1 && urun "$BUILDER" build "$TEST_DIR/src/served.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [ -x "b1/$APP" ]
verdict "python-hello.yml builds from the python3.11 debs (the RUNPATH edit of python3.11 passes the ELF check)" 0
[[ $ERR == *"$WEB_URL/libpython3.11-minimal_3.11.2-6+deb12u9_amd64.deb: symbolic link ./usr/lib/python3.11/sitecustomize.py -> /etc/python3.11/sitecustomize.py points outside the package's tree: left out"* ]]
ok "the absolute link sitecustomize.py -> /etc/python3.11/... is left out with a warning naming it" "$ERR"
[[ $OUT == *"bundled "*" libraries from this system into lib/: "*"libz.so.1"* ]]
ok "without -v the builder lists the host libraries it bundled" "$OUT"

listing=$(unsquashfs -l -o "$(b1/$APP --appimage-offset)" "b1/$APP" 2>/dev/null)
[[ $listing == *squashfs-root/lib/python3.11/os.py* ]] &&
	[[ $listing != *squashfs-root/lib/python3.11/sitecustomize.py* ]] &&
	[[ $listing == *squashfs-root/lib/python3.11/__pycache__/os.cpython-311.pyc* ]]
ok "the image holds the standard library, its .pyc files, and no sitecustomize.py"

# The host's Python hidden: a private mount namespace where its interpreter
# and standard library are empty.
hide_python=(unshare -m --propagation private sh -c
	'mount --bind /dev/null /usr/bin/python3.11 && mount -t tmpfs -o size=1m none /usr/lib/python3.11 && exec "$@"' sh)
AS_USER_PREFIX=("${hide_python[@]}")
urun sh -c '/usr/bin/python3.11 -c 1'
[ "$RC" != 0 ]
verdict "control: in that namespace the host's python3.11 does not run"
urun "b1/$APP" --where --modules pythons
AS_USER_PREFIX=()
[ "$RC" = 0 ] && [[ $OUT == *'{"hello": "pythons"}'* ]] && [[ $OUT == *"executable: /app/bin/python3.11"* ]] &&
	[[ $OUT == *"prefix: /app"* ]]
ok "with the host's Python hidden the program runs with the image's (sys.executable, sys.prefix under /app)" "$OUT$ERR"

# Every imported module's byte code is in the image: nothing to compile at
# launch (the image is read-only: a missing .pyc would be compiled anew each time).
modules=$(grep -c '^module: ' <<<"$OUT")
missing=""
while read -r _ name cached; do
	[[ $listing == *"squashfs-root${cached#/app}"* ]] || missing="$missing $name"
done < <(grep '^module: ' <<<"$OUT")
[ "$modules" -ge 20 ] && [ -z "$missing" ]
ok "the image holds the .pyc of each of the $modules modules the program imports" "missing:$missing"
urun "$BENTO" run --env=PYTHONVERBOSE=1 "b1/$APP" x
unchecked=$(grep -c 'matches /app/lib/python3.11/' "$ERR_FILE")
compiled=$(grep -c 'code object from /app/lib/python3.11/.*\.py$' "$ERR_FILE")
[ "$RC" = 0 ] && [ "$unchecked" -ge 20 ] && [ "$compiled" = 0 ]
ok "at launch Python reads the .pyc files and compiles none (PYTHONVERBOSE: $unchecked read, $compiled compiled)" \
	"$(tail -5 "$ERR_FILE")"

sleep 1
cd b2 && urun "$BUILDER" build --disable-cache "$TEST_DIR/src/served.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && cmp -s "b1/$APP" "b2/$APP"
verdict "built again, later, elsewhere, without the cache: byte-identical" 0

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/builder/bento-builder" ]; then
	mkdir -p san b4 && cp "$BENTO_SAN_BUILD/builder/bento-builder" san/ && chmod 0755 san/bento-builder
	chown "$TEST_UID:$TEST_GID" b4
	cd b4 && urun "$TEST_DIR/san/bento-builder" build --disable-cache "$TEST_DIR/src/served.yml"
	cd "$TEST_DIR"
	# (its runtime stub is the sanitizer build's: the images are compared)
	[ "$RC" = 0 ] && [[ $ERR != *ERROR:* ]] && [[ $ERR != *"runtime error"* ]] &&
		cmp -s <(tail -c +$(($(b1/$APP --appimage-offset) + 1)) "b1/$APP") \
			<(tail -c +$(($(b4/$APP --appimage-offset) + 1)) "b4/$APP")
	ok "sanitizer build: the same image bytes, nothing reported" "$ERR"
fi

cd b3 && urun "$BUILDER" build "$TEST_DIR/src/nocompile.yml"
cd "$TEST_DIR"
nocompile=$(unsquashfs -l -o "$(b3/$APP --appimage-offset)" "b3/$APP" 2>/dev/null)
[ "$RC" = 0 ] && [[ $nocompile == *squashfs-root/lib/python3.11/os.py* ]] && [[ $nocompile != *.pyc* ]]
ok "python-compile: false builds an image without .pyc files" "$ERR"
urun "$BENTO" run --env=PYTHONVERBOSE=1 "b3/$APP" nocache
compiled=$(grep -c 'code object from /app/lib/python3.11/.*\.py$' "$ERR_FILE")
[ "$RC" = 0 ] && [ "$OUT" = '{"hello": "nocache"}' ] && [ "$compiled" -ge 20 ]
ok "control: that image runs too, and compiles its $compiled modules at each launch" "$(tail -5 "$ERR_FILE")"
stop_web
finish
