# What the builder does after the build so that what it bundles works:
#  - a RUNPATH element /usr/X of a package's own (libpulse's pulseaudio/) is
#    the AppDir's /app/X, rewritten relative;
#  - patchelf's RUNPATH edit of a real binary passes the builder's ELF check;
#  - a .deb's absolute symbolic links: made relative when they point into
#    the package's /usr, left out with a warning naming them otherwise;
#  - warnings for interpreters and /usr paths the image does not hold;
#  - toolkits: a GTK 3 app from Debian's .debs (mousepad) with no toolkit
#    step in its manifest gets compiled GSettings schemas, a gdk-pixbuf
#    loaders cache naming /app, GIO modules and icon caches, and the
#    variables that point its GLib and GTK at them: with the host's pixbuf
#    loaders and GIO modules hidden, its window opens, an icon renders
#    through gdk-pixbuf and a GSettings key is read.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER BENTO
DEBS=/var/cache/bento/debs
RUN_TIMEOUT=300
MULTIARCH=x86_64-linux-gnu
mkdir -p src b1 b2 www
chown -R "$TEST_UID:$TEST_GID" src b1 b2 www
cp "$SRC_DIR/manifests/hello/hello.svg" src/

# ---- a package's own RUNPATH directory, interpreters and /usr paths --------

cat >src/private.yml <<YAML
id: org.bento.PrivateDir
name: PrivateDir
version: "1"
summary: A program whose library lies in a package's own directory
command: bin/prog
icon: hello.svg
modules:
  - name: prog
    buildsystem: simple
    build-commands:
      - mkdir -p /app/lib/$MULTIARCH/private /app/bin /app/share/prog
      - printf 'int priv(void) { return 42; }\n' >priv.c
      - printf '#include <stdio.h>\nint priv(void);\nint main(void) { printf("%%d\\\\n", priv()); return 0; }\n' >prog.c
      - gcc -shared -fPIC -Wl,-soname,libpriv.so.1 -o /app/lib/$MULTIARCH/private/libpriv.so.1 priv.c
      - gcc -o /app/bin/prog prog.c /app/lib/$MULTIARCH/private/libpriv.so.1 -Wl,--enable-new-dtags,-rpath,/usr/lib/$MULTIARCH/private
      - printf '#!/usr/bin/perl\nprint "hi";\n' >/app/bin/perl-tool && chmod +x /app/bin/perl-tool
      - printf '#!/usr/bin/env python3\nprint(1)\n' >/app/bin/py-tool && chmod +x /app/bin/py-tool
      - printf '#!/bin/sh\nexec /usr/bin/env cat /usr/share/prog/data.txt /usr/share/prog/present.txt\n' >/app/bin/sh-tool && chmod +x /app/bin/sh-tool
      - echo present >/app/share/prog/present.txt
      - mkdir -p /app/lib/python3.11 /app/lib/python3.99
      - echo 'X = 1' >/app/lib/python3.11/good.py && echo 'print "py2"' >/app/lib/python3.11/bad.py
      - echo 'Y = 2' >/app/lib/python3.99/future.py
YAML
chown "$TEST_UID:$TEST_GID" src/private.yml
cd b1 && urun "$BUILDER" build "$TEST_DIR/src/private.yml"
cd "$TEST_DIR"
build_err=$ERR
[ "$RC" = 0 ] && [ -x b1/PrivateDir-1-x86_64.AppImage ]
verdict "a program with RUNPATH /usr/lib/$MULTIARCH/private finds its library there in the AppDir" 0
urun b1/PrivateDir-1-x86_64.AppImage
expect "... and runs from the image (the RUNPATH now leads to /app's copy)" 0 42
urun sh -c "$BENTO extract b1/PrivateDir-1-x86_64.AppImage $TEST_DIR/x1 >/dev/null && readelf -d $TEST_DIR/x1/bin/prog"
[[ $OUT == *'Library runpath: [$ORIGIN/../lib/'$MULTIARCH'/private]'* ]]
ok "its RUNPATH is \$ORIGIN/../lib/$MULTIARCH/private" "$OUT$ERR"

warnings=$(grep -c "is the host's\|will be the host's" <<<"$build_err")
[[ $build_err == *"bin/perl-tool: its interpreter /usr/bin/perl is the host's: the image has no /app/bin/perl"* ]] &&
	[[ $build_err == *"bin/py-tool: its interpreter (#!/usr/bin/env python3) is the host's: the image has no /app/bin/python3"* ]]
ok "the build warns about the interpreters /usr/bin/perl and python3 that the image lacks" "$build_err"
[[ $build_err == *"bin/sh-tool names /usr/share/prog/data.txt, which will be the host's at run time"* ]] &&
	[[ $build_err != *present.txt* ]] && [[ $build_err != *"names /usr/bin/env"* ]] &&
	[[ $build_err != *"interpreter /bin/sh"* ]] && [ "$warnings" = 3 ]
ok "... and about /usr/share/prog/data.txt (missing below the image's share/prog), not about present files, sh or env ($warnings warnings)" "$build_err"

# Python modules without a Python in the image: the host's of the same version
# compiles them; one that does not compile is a warning, not a failure.
listing=$(unsquashfs -l -o "$(b1/PrivateDir-1-x86_64.AppImage --appimage-offset)" b1/PrivateDir-1-x86_64.AppImage 2>/dev/null)
[[ $listing == *lib/python3.11/__pycache__/good.cpython-311.pyc* ]] && [[ $listing != *bad.cpython* ]] &&
	[[ $build_err == *"Python modules byte-compiled by /usr/bin/python3.11: /usr/bin/python3.11 failed"*bad.py* ]]
ok "the host's python3.11 compiles lib/python3.11 when the image has no Python; bad.py is a warning" "$build_err"
[[ $listing != *future.cpython* ]] &&
	[[ $build_err == *"lib/python3.99 holds Python modules, but neither the image nor this system has python3.99"* ]]
ok "lib/python3.99, whose version no Python here has, is left as it is, with a warning" "$build_err"

# ---- patchelf's edit of a real binary passes the ELF check -------------------

mkdir -p elf/bin && cp /usr/bin/python3.11 elf/bin/
patchelf --set-rpath '$ORIGIN/../lib' elf/bin/python3.11
chown -R "$TEST_UID:$TEST_GID" elf
urun elf/bin/python3.11 -c 'print(6*7)'
expect "control: the loader runs python3.11 after patchelf gave it a RUNPATH" 0 42
# How many PT_LOAD segments patchelf's .dynstr lies across.
spans=$(python3 - "$(readelf -SW elf/bin/python3.11 | awk '{ for (i = 1; i < NF; i++) if ($i == ".dynstr") print $(i + 2), $(i + 4) }')" \
	"$(readelf -lW elf/bin/python3.11 | awk '$1 == "LOAD" { print $3, $5 }')" <<'PY'
import sys
start, size = (int(x, 16) for x in sys.argv[1].split())
n = 0
for line in sys.argv[2].splitlines():
    vaddr, filesz = (int(x, 16) for x in line.split())
    n += vaddr < start + size and start < vaddr + filesz
print(n)
PY
)
urun "$BUILDER" bundle elf
[ "$RC" = 0 ] && [[ $ERR != *malformed* ]] && [ -e elf/lib/libz.so.1 ] && [ "$spans" -ge 2 ]
ok "bento-builder bundle accepts it (its .dynstr lies across $spans PT_LOAD segments) and bundles libz" "$ERR"

# ---- a .deb's absolute symbolic links --------------------------------------

mkdir -p pkg/DEBIAN pkg/usr/lib/$MULTIARCH pkg/usr/share/pkg pkg/etc
printf 'Package: linktest\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: links\n' >pkg/DEBIAN/control
echo lib >pkg/usr/lib/$MULTIARCH/libx.so.1
echo conf >pkg/etc/pkg.conf
ln -s /usr/lib/$MULTIARCH/libx.so.1 pkg/usr/lib/$MULTIARCH/libx.so
ln -s /etc/pkg.conf pkg/usr/share/pkg/pkg.conf
dpkg-deb --root-owner-group -b pkg linktest.deb >/dev/null
(cd pkg && tar cf ../links.tar usr)
chown -R "$TEST_UID:$TEST_GID" linktest.deb links.tar
urun "$BUILDER" unpack --deb linktest.deb "$TEST_DIR/unpacked"
[ "$RC" = 0 ] && [ "$(readlink unpacked/lib/$MULTIARCH/libx.so)" = "../../lib/$MULTIARCH/libx.so.1" ] &&
	[ "$(cat unpacked/lib/$MULTIARCH/libx.so)" = lib ]
ok "a .deb's link to /usr/lib/... inside the package becomes relative and leads to the file" "$ERR"
[ ! -e unpacked/share/pkg/pkg.conf ] && [ ! -L unpacked/share/pkg/pkg.conf ] &&
	[[ $ERR == *"symbolic link ./usr/share/pkg/pkg.conf -> /etc/pkg.conf points outside the package's tree: left out"* ]]
ok "its link to /etc/pkg.conf is left out with a warning naming it" "$ERR"
urun "$BUILDER" unpack links.tar "$TEST_DIR/unpacked2"
[ "$RC" != 0 ] && [[ $ERR == *"symbolic link to the absolute path"*"refused"* ]] && [ ! -e unpacked2 ]
verdict "a plain tarball's absolute link is still refused"

# ---- the same with the sanitizer build ----------------------------------------

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/builder/bento-builder" ]; then
	mkdir -p san b3 && cp "$BENTO_SAN_BUILD/builder/bento-builder" san/ && chmod 0755 san/bento-builder
	rm -rf elf/lib && chown -R "$TEST_UID:$TEST_GID" b3 elf
	SAN=$TEST_DIR/san/bento-builder
	cd b3 && urun "$SAN" build "$TEST_DIR/src/private.yml"
	cd "$TEST_DIR"
	[ "$RC" = 0 ] && [[ $ERR == *"bin/sh-tool names /usr/share/prog/data.txt"* ]] && [[ $ERR != *ERROR:* ]] &&
		[[ $ERR != *"runtime error"* ]]
	ok "sanitizer build: the RUNPATH rewrite, the finishing steps and the warnings" "$ERR"
	urun "$SAN" bundle elf
	[ "$RC" = 0 ] && [ -e elf/lib/libz.so.1 ] && [[ $ERR != *ERROR:* ]] && [[ $ERR != *"runtime error"* ]]
	ok "sanitizer build: patchelf's python3.11 accepted" "$ERR"
	urun "$SAN" unpack --deb linktest.deb "$TEST_DIR/unpacked-san"
	[ "$RC" = 0 ] && [ -L unpacked-san/lib/$MULTIARCH/libx.so ] && [ ! -e unpacked-san/share/pkg/pkg.conf ] &&
		[[ $ERR != *ERROR:* ]] && [[ $ERR != *"runtime error"* ]]
	ok "sanitizer build: a .deb's absolute links" "$ERR"
fi

# ---- a GTK 3 app from Debian's packages ---------------------------------------

if ! ls "$DEBS"/mousepad_*.deb "$DEBS"/libgtk-3-0_*.deb >/dev/null 2>&1; then
	fail "the .debs of manifests/mousepad are not in $DEBS (scripts/setup.sh downloads them)"
	finish
fi
cp "$SRC_DIR/manifests/mousepad/mousepad.svg" "$SRC_DIR"/tests/builder/finish/* src/
grep -o 'http://127.0.0.1:8000/[^ ]*' "$SRC_DIR/manifests/mousepad/mousepad.yml" | sed 's|.*/||' |
	while read -r f; do cp "$DEBS/$f" www/; done
chmod 0644 www/*
start_web "$TEST_DIR/www" || finish
# The manifest as it is (no toolkit step), with a check program beside
# mousepad and a command that runs either.
{
	sed -e "s|http://127.0.0.1:8000|$WEB_URL|" -e 's|^command: bin/mousepad|command: bin/run|' \
		"$SRC_DIR/manifests/mousepad/mousepad.yml"
	cat src/gtk-check.module.yml
} >src/gtk.yml
chown -R "$TEST_UID:$TEST_GID" src
! grep -Eq 'glib-compile-schemas|gdk-pixbuf-query-loaders|gio-querymodules|gtk-update-icon-cache' src/gtk.yml
ok "control: the manifest has no toolkit step"
cd b2 && urun "$BUILDER" build "$TEST_DIR/src/gtk.yml"
cd "$TEST_DIR"
APP=b2/Mousepad-0.5.10-x86_64.AppImage
[ "$RC" = 0 ] && [ -x "$APP" ]
verdict "mousepad.yml (+ a check program) builds from the debs" 0
off=$("$APP" --appimage-offset)
listing=$(unsquashfs -l -o "$off" "$APP" 2>/dev/null)
metadata=$(unsquashfs -cat -o "$off" "$APP" .bento/metadata 2>/dev/null)
cache=$(unsquashfs -cat -o "$off" "$APP" lib/$MULTIARCH/gdk-pixbuf-2.0/2.10.0/loaders.cache 2>/dev/null)
[[ $listing == *share/glib-2.0/schemas/gschemas.compiled* ]] &&
	[[ $listing == *lib/$MULTIARCH/gio/modules/giomodule.cache* ]] &&
	[[ $listing == *share/icons/hicolor/icon-theme.cache* ]] &&
	[[ $cache == *'"/app/lib/'$MULTIARCH'/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-svg.so"'* ]] &&
	[[ $cache != *'"/usr/'* ]]
ok "the image holds compiled schemas, giomodule.cache, hicolor's icon cache and a loaders.cache naming /app" "$cache"
[[ $metadata == *"GSETTINGS_SCHEMA_DIR=/app/share/glib-2.0/schemas"* ]] &&
	[[ $metadata == *"GDK_PIXBUF_MODULE_FILE=/app/lib/$MULTIARCH/gdk-pixbuf-2.0/2.10.0/loaders.cache"* ]] &&
	[[ $metadata == *"GIO_MODULE_DIR=/app/lib/$MULTIARCH/gio/modules"* ]] &&
	[[ $metadata == *"GTK_PATH=/app/lib/$MULTIARCH/gtk-3.0"* ]]
ok "its [Environment] points GLib, gdk-pixbuf and GTK at them" "$metadata"

for d in $(seq 80 89); do [ -e /tmp/.X11-unix/X$d ] || break; done
bg_user "$TEST_DIR/xvfb.out" "$TEST_DIR/xvfb.err" Xvfb ":$d" -screen 0 640x480x24 -nolisten tcp
XVFB=$BG_PID
for _ in $(seq 100); do [ -S /tmp/.X11-unix/X$d ] && break; sleep 0.05; done

# The host's gdk-pixbuf loaders and GIO modules hidden: a private mount
# namespace with empty directories over them.
hide=(unshare -m --propagation private sh -c
	"mount -t tmpfs -o size=1m none /usr/lib/$MULTIARCH/gdk-pixbuf-2.0 &&
	 mount -t tmpfs -o size=1m none /usr/lib/$MULTIARCH/gio/modules && exec \"\$@\"" sh)
AS_USER_PREFIX=("${hide[@]}")
urun sh -c "ls -A /usr/lib/$MULTIARCH/gdk-pixbuf-2.0 /usr/lib/$MULTIARCH/gio/modules | grep -v ':\$' | grep ."
hidden_rc=$RC
hidden_out=$OUT
urun DISPLAY=":$d" "$APP"
check_out=$OUT$ERR
urun DISPLAY=":$d" "$BENTO" run --unset-env=GDK_PIXBUF_MODULE_FILE "$APP"
control_out=$OUT$ERR
AS_USER_PREFIX=()
[ "$hidden_rc" = 1 ] && [ -z "$hidden_out" ] && [ -n "$(ls -A /usr/lib/$MULTIARCH/gdk-pixbuf-2.0)" ]
ok "control: in that namespace the host's pixbuf loaders and GIO modules are gone (outside it they are there)" "$hidden_out"
[[ $check_out == *"icon: /app/share/icons/hicolor/"*"org.xfce.mousepad"*" 48"* ]] &&
	[[ $check_out == *"svg: 32"* ]] && [[ $check_out == *"gsettings: read from the image"* ]]
ok "with them hidden, an icon renders through GTK's theme and gdk-pixbuf, an SVG through the image's loader, and a GSettings key of the image's schema is read" "$check_out"
[[ $control_out == *"svg error:"* ]]
ok "control: without GDK_PIXBUF_MODULE_FILE the bundled gdk-pixbuf finds no SVG loader there" "$control_out"

AS_USER_PREFIX=("${hide[@]}")
bg_user "$TEST_DIR/mousepad.out" "$TEST_DIR/mousepad.err" DISPLAY=":$d" "$APP" mousepad
MP=$BG_PID
AS_USER_PREFIX=()
found=0
for _ in $(seq 150); do
	found=$(as_user env DISPLAY=":$d" xwininfo -root -tree 2>/dev/null | grep -c '"Untitled 1 - Mousepad"')
	[ "$found" -ge 1 ] && break
	sleep 0.1
done
[ "$found" -ge 1 ] && ! grep -q 'No such schema\|GLib-GIO-ERROR' "$TEST_DIR/mousepad.err"
ok "mousepad opens its window under Xvfb, with the host's loaders and GIO modules hidden" \
	"$(head -c 2000 "$TEST_DIR/mousepad.err")"
kill -TERM "$MP" 2>/dev/null
bg_wait "$MP" 10
kill -TERM "$XVFB"
bg_wait "$XVFB" 10
stop_web
finish
