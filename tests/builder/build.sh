# `bento-builder build MANIFEST`, as a publisher (the test user) runs it: the
# example manifests built and run (hello from a local directory, counter from
# a tarball over HTTP, jq and xeyes from Debian packages over HTTP), the
# module cache, byte-identical rebuilds, the build sandbox's network, signing,
# and failures that leave nothing behind.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER BENTO
M=$SRC_DIR/manifests
DEBS=/var/cache/bento/debs
RUN_TIMEOUT=300

# The manifests and their files, readable by the user, in two places.
mkdir -p src1 src2 www
cp -r "$M"/. src1/
cp -r "$M"/. src2/
chown -R "$TEST_UID:$TEST_GID" src1 src2 www

# ---- hello: meson, from a local directory --------------------------------

mkdir -p b1 b2 && chown "$TEST_UID:$TEST_GID" b1 b2
cd b1 && urun "$BUILDER" build "$TEST_DIR/src1/hello/hello.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [ -x b1/Hello-0.1.0-x86_64.AppImage ] &&
	[[ $OUT == *"module hello: building"* ]]
verdict "hello.yml builds Hello-0.1.0-x86_64.AppImage" 0
urun b1/Hello-0.1.0-x86_64.AppImage x "y z"
expect "the built hello runs (in its sandbox)" 0 "$(hello_out x "y z")"
urun "$BENTO" info b1/Hello-0.1.0-x86_64.AppImage
[[ $OUT == *"App id: org.bento.Hello"* ]] && [[ $OUT == *"Sandbox: yes"* ]]
verdict "its metadata names the app and the sandbox" 0

cp b1/Hello-0.1.0-x86_64.AppImage first.AppImage
cd b1 && urun "$BUILDER" build "$TEST_DIR/src1/hello/hello.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [[ $OUT == *"module hello: from the cache"* ]] &&
	cmp -s first.AppImage b1/Hello-0.1.0-x86_64.AppImage
verdict "an unchanged rebuild takes every module from the cache, same bytes" 0

echo '/* changed */' >>src1/hello/src/hello.c
cd b1 && urun "$BUILDER" build "$TEST_DIR/src1/hello/hello.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [[ $OUT == *"module hello: building"* ]]
verdict "a changed source file rebuilds the module" 0

sleep 1 # a different time as well as a different directory
cd b2 && urun "$BUILDER" build --disable-cache "$TEST_DIR/src2/hello/hello.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && cmp -s first.AppImage b2/Hello-0.1.0-x86_64.AppImage
verdict "built again elsewhere, later, without the cache: byte-identical" 0

# ---- the build sandbox ----------------------------------------------------

start_web "$TEST_DIR/www" || finish
echo "from the host" >www/probe.txt
write_net_manifest() { # FILE NETWORK
	cat >"$1" <<EOF
id: org.bento.NetProbe
name: NetProbe
version: "1"
summary: Tries the network while building
command: bin/probe
icon: $TEST_DIR/src1/hello/hello.svg
modules:
  - name: probe
    buildsystem: simple
    build-options:
      network: $2
    build-commands:
      - mkdir -p /app/bin && printf '#!/bin/sh\\necho probe\\n' >/app/bin/probe && chmod +x /app/bin/probe
      - curl -sf -o /app/probe.txt $WEB_URL/probe.txt
      - test ! -e $USER_HOME/secret && test -z "\$(ls -A $USER_HOME)"
EOF
	chown "$TEST_UID:$TEST_GID" "$1"
}
echo secret >"$USER_HOME/secret" && chown "$TEST_UID:$TEST_GID" "$USER_HOME/secret"
write_net_manifest net-off.yml false
mkdir -p b3 && chown "$TEST_UID:$TEST_GID" b3
cd b3 && urun "$BUILDER" build "$TEST_DIR/net-off.yml"
cd "$TEST_DIR"
[ "$RC" = 1 ] && [[ $ERR == *"curl -sf"*"failed"* ]] && [ ! -e b3/NetProbe-1-x86_64.AppImage ]
verdict "a build step that tries the network fails without the grant, names the command, writes nothing" 1
write_net_manifest net-on.yml true
cd b3 && urun "$BUILDER" build "$TEST_DIR/net-on.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [ -x b3/NetProbe-1-x86_64.AppImage ]
verdict "with build-options: network: true it succeeds (and sees no home directory)" 0

# ---- cleanup below a prefix --------------------------------------------------

cat >prefix.yml <<EOF
id: org.bento.Prefixed
name: Prefixed
version: "1"
summary: Installs below /app/usr
command: usr/bin/app
icon: $TEST_DIR/src1/hello/hello.svg
modules:
  - name: app
    buildsystem: simple
    build-options:
      prefix: /app/usr
    cleanup: [/share/doc, "*.a"]
    build-commands:
      - mkdir -p \$PREFIX/bin \$PREFIX/share/doc/app \$PREFIX/lib && touch \$PREFIX/lib/libx.a
      - printf '#!/bin/sh\\necho prefixed\\n' >\$PREFIX/bin/app && chmod +x \$PREFIX/bin/app
      - echo doc >\$PREFIX/share/doc/app/README && echo kept >\$PREFIX/share/kept
EOF
chown "$TEST_UID:$TEST_GID" prefix.yml
mkdir -p b6 && chown "$TEST_UID:$TEST_GID" b6
cd b6 && urun "$BUILDER" build --output=prefixed.AppImage "$TEST_DIR/prefix.yml"
cd "$TEST_DIR"
listing=$(unsquashfs -l -o "$(b6/prefixed.AppImage --appimage-offset 2>/dev/null)" b6/prefixed.AppImage 2>/dev/null)
[ "$RC" = 0 ] && [[ $listing == *squashfs-root/usr/share/kept* ]] &&
	[[ $listing != *squashfs-root/usr/share/doc* ]] && [[ $listing != *libx.a* ]]
verdict "cleanup: /share/doc below the prefix /app/usr and *.a are left out, the rest kept" 0

# ---- counter: CMake, a tarball over HTTP ------------------------------------

serve_manifest() { # SRC_YML OUT_YML: the manifest with its URLs pointing at our server
	sed "s|http://127.0.0.1:8000|$WEB_URL|" "$1" >"$2"
	chown "$TEST_UID:$TEST_GID" "$2"
}
"$M/counter/make-tarball.sh" www/counter-1.0.tar.gz
chmod 0644 www/counter-1.0.tar.gz
serve_manifest src1/counter/counter.yml src1/counter/served.yml
mkdir -p b4 && chown "$TEST_UID:$TEST_GID" b4
cd b4 && urun "$BUILDER" build "$TEST_DIR/src1/counter/served.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && grep -q '200 /counter-1.0.tar.gz' "$WEB_DIR/access.log"
verdict "counter.yml: the tarball is fetched from nginx and built with CMake" 0
printf 'a\nb\nc\n' >lines.txt
urun sh -c "b4/Counter-1.0-x86_64.AppImage 1 2 <lines.txt"
expect "the built counter runs" 0 "2 arguments, 3 lines"

# A checksum mismatch names the URL and both digests, and writes nothing.
sed 's/sha256: .*/sha256: 0000000000000000000000000000000000000000000000000000000000000000/' \
	src1/counter/served.yml >src1/counter/bad-sum.yml
chown "$TEST_UID:$TEST_GID" src1/counter/bad-sum.yml
cd b4 && urun "$BUILDER" build --disable-cache --output=bad.AppImage "$TEST_DIR/src1/counter/bad-sum.yml"
cd "$TEST_DIR"
[ "$RC" = 1 ] && [[ $ERR == *"$WEB_URL/counter-1.0.tar.gz"* ]] && [[ $ERR == *0000000000000000* ]] &&
	[[ $ERR == *"$(sha256sum www/counter-1.0.tar.gz | cut -c1-64)"* ]] && [ ! -e b4/bad.AppImage ]
verdict "a checksum mismatch names the URL, the expected and the actual digest; no output" 1

# ---- jq and xeyes: Debian packages over HTTP -----------------------------------

if ls "$DEBS"/jq_*.deb "$DEBS"/x11-apps_*.deb >/dev/null 2>&1; then
	cp "$DEBS"/*.deb www/ && chmod 0644 www/*.deb
	serve_manifest src1/jq/jq.yml src1/jq/served.yml
	mkdir -p b5 && chown "$TEST_UID:$TEST_GID" b5
	cd b5 && urun "$BUILDER" build "$TEST_DIR/src1/jq/served.yml"
	cd "$TEST_DIR"
	[ "$RC" = 0 ] && [ -x b5/jq-1.6-x86_64.AppImage ]
	verdict "jq.yml: jq, libjq1 and libonig5 from .deb files served by nginx" 0
	urun sh -c "echo '{\"a\":1}' | b5/jq-1.6-x86_64.AppImage .a"
	expect "echo '{\"a\":1}' | ./jq-1.6-x86_64.AppImage .a prints 1, in the sandbox" 0 1
	urun "$BENTO" info b5/jq-1.6-x86_64.AppImage
	[[ $OUT == *"Sandbox: yes"* ]]; verdict "the jq file is sandboxed" 0

	serve_manifest src1/xeyes/xeyes.yml src1/xeyes/served.yml
	cd b5 && urun "$BUILDER" build "$TEST_DIR/src1/xeyes/served.yml"
	cd "$TEST_DIR"
	[ "$RC" = 0 ] && [ -x b5/xeyes-7.7-x86_64.AppImage ]
	verdict "xeyes.yml: x11-apps from a .deb, its libraries bundled from the host" 0
	listing=$(unsquashfs -l -o "$(b5/xeyes-7.7-x86_64.AppImage --appimage-offset)" \
		b5/xeyes-7.7-x86_64.AppImage 2>/dev/null)
	[[ $listing == *squashfs-root/bin/xeyes* ]] && [[ $listing == *squashfs-root/lib/libXmu.so.6* ]] &&
		[[ $listing != *squashfs-root/share/man* ]]
	ok "its image holds bin/xeyes and the bundled libXmu; cleanup removed share/man"
	for d in $(seq 90 99); do [ -e /tmp/.X11-unix/X$d ] || break; done
	bg_user "$TEST_DIR/xvfb.out" "$TEST_DIR/xvfb.err" Xvfb ":$d" -screen 0 320x240x24 -nolisten tcp
	XVFB=$BG_PID
	for _ in $(seq 100); do [ -S /tmp/.X11-unix/X$d ] && break; sleep 0.05; done
	bg_user "$TEST_DIR/xeyes.out" "$TEST_DIR/xeyes.err" DISPLAY=":$d" b5/xeyes-7.7-x86_64.AppImage
	XEYES=$BG_PID
	found=""
	for _ in $(seq 100); do
		found=$(as_user env DISPLAY=":$d" xwininfo -root -tree 2>/dev/null | grep -c '"xeyes"')
		[ "$found" -ge 1 ] && break
		sleep 0.1
	done
	sleep 0.5
	as_user sh -c "DISPLAY=:$d xwd -root -silent" >shot.xwd 2>/dev/null
	colors=$(convert xwd:shot.xwd png:- 2>/dev/null | identify -format '%k' - 2>/dev/null)
	[ "${found:-0}" -ge 1 ] && [ "${colors:-0}" -gt 2 ]
	ok "with sockets=x11 xeyes opens its window under Xvfb; the screenshot is not blank ($colors colours)" \
		"$(cat "$TEST_DIR/xeyes.err")"
	convert xwd:shot.xwd "$TEST_DIR/xeyes.png" 2>/dev/null
	kill -TERM "$XEYES"
	bg_wait "$XEYES" 10
	urun DISPLAY=":$d" "$BENTO" run --nosocket=x11 b5/xeyes-7.7-x86_64.AppImage
	[ "$RC" != 0 ] && [[ $ERR == *"Can't open display"* ]]
	verdict "without the x11 socket it cannot connect"
	kill -TERM "$XVFB"
	bg_wait "$XVFB" 10
else
	fail "the .deb files of manifests/jq and manifests/xeyes are not in $DEBS (scripts/setup.sh downloads them)"
fi

# ---- signing through the manifest --------------------------------------------

export GNUPGHOME=$TEST_DIR/gnupg
mkdir -m 0700 "$GNUPGHOME" && chown "$TEST_UID:$TEST_GID" "$GNUPGHOME"
as_user env GNUPGHOME="$GNUPGHOME" gpg --batch --quiet --passphrase '' \
	--quick-gen-key "Bento Test <test@bento.invalid>" ed25519 sign never 2>/dev/null
cd b1 && urun GNUPGHOME="$GNUPGHOME" "$BUILDER" build --sign-key=test@bento.invalid \
	--output=Signed.AppImage "$TEST_DIR/src1/hello/hello.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [ -x b1/Signed.AppImage ]; verdict "--sign-key signs the built file" 0
urun GNUPGHOME="$GNUPGHOME" "$BENTO" verify b1/Signed.AppImage
[ "$RC" = 0 ]; verdict "bento verify: the built file's signature is valid" 0
cd b1 && urun GNUPGHOME="$GNUPGHOME" "$BUILDER" build --sign --output=NoKey.AppImage \
	"$TEST_DIR/src1/hello/hello.yml"
cd "$TEST_DIR"
[ "$RC" = 2 ] && [[ $ERR == *"--sign: the manifest names no key"* ]] && [ ! -e b1/NoKey.AppImage ]
verdict "--sign with a manifest that names no key: a usage error, nothing written" 2
as_gpg_kill() { as_user env GNUPGHOME="$GNUPGHOME" gpgconf --kill all 2>/dev/null; }
as_gpg_kill

stop_web
no_leaks "builds leave no process or mount behind"
finish
