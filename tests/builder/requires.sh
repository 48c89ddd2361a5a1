# What `bento-builder build` says a file needs of the system it runs on, and
# the build host's copies it carries so that it needs less (issue 15;
# bento-builder(1) REQUIREMENTS):
#  - [Requires] in .bento/metadata: glibc= is the highest GLIBC_ version the
#    image's ELF files need (as objdump reads their version references),
#    glibc-bundled= the highest this system's libc.so.6 defines;
#  - .bento/glibc holds this system's C library, byte for byte (no patchelf),
#    the loader also as a regular file in lib64/, and gconv/;
#  - "glibc: host" bundles no C library and still writes the need; a bad
#    value of the key is a manifest error;
#  - an app linking libasound: libasound.so.2 under .bento/fallback (not
#    lib/), in host-libraries with its package libasound2 and in
#    fallback-libraries;
#  - an app linking libGL: libGL.so.1=PACKAGE (dpkg's owner here) in
#    host-libraries, and no libGL anywhere in the image;
#  - a C++ program: .bento/libstdc++ with libstdc++.so.6 and libgcc_s.so.1,
#    libstdc++= and libstdc++-bundled= as objdump reads them;
#  - the same inputs give the same bytes, in another directory, later;
#  - the report printed after the build, without -v;
#  - a .bento/glibc the build's commands leave is replaced, not trusted; a
#    library name that matches the exclude list but holds ";" fails the build.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER BENTO
MULTIARCH=x86_64-linux-gnu
RUN_TIMEOUT=300
HOST_LIBC=/usr/lib/$MULTIARCH/libc.so.6
[ -f "$HOST_LIBC" ] || HOST_LIBC=/lib/$MULTIARCH/libc.so.6
mkdir -p src b1 b2 b3
cp "$SRC_DIR/manifests/hello/hello.svg" src/
chown -R "$TEST_UID:$TEST_GID" src b1 b2 b3

# requires_key DIR KEY: KEY's value in [Requires] of DIR/.bento/metadata
requires_key() {
	awk -F= -v k="$2" '
		/^\[/ { g = ($0 == "[Requires]") ; next }
		g && $1 == k { sub(/^[^=]*=/, ""); print; exit }' "$1/.bento/metadata"
}
# highest PREFIX FILE... SECTION: the highest PREFIXx.y a section of
# objdump -p lists ("Version References" or "Version definitions")
highest() {
	local prefix=$1 section=$2
	shift 2
	for f in "$@"; do
		objdump -p "$f" 2>/dev/null | sed -n "/^$section:/,/^\$/p"
	done | grep -o "${prefix}[0-9][0-9.]*" | sed "s/^$prefix//" | sort -uV | tail -n 1
}
# elves DIR: the image's ELF files, .bento left out
elves() {
	find "$1" -path "$1/.bento" -prune -o -type f -print | while read -r f; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
	done
}
# write_manifest FILE ID NAME GLIBC COMMAND...: a simple module of COMMANDs
write_manifest() {
	local file=$1 id=$2 name=$3 glibc=$4
	shift 4
	{
		echo "id: $id"
		echo "name: $name"
		echo 'version: "1"'
		echo "summary: A test program"
		echo "command: bin/prog"
		echo "icon: hello.svg"
		[ -n "$glibc" ] && echo "glibc: $glibc"
		echo "modules:"
		echo "  - name: prog"
		echo "    buildsystem: simple"
		echo "    build-commands:"
		echo "      - mkdir -p /app/bin"
		for c in "$@"; do
			printf '      - %s\n' "$c"
		done
	} >"src/$file"
	chown "$TEST_UID:$TEST_GID" "src/$file"
}
# build DIR FILE [OPTION...]: build src/FILE in DIR as the test user
build() {
	local dir=$1 file=$2
	shift 2
	cd "$dir" && urun "$BUILDER" build "$@" "$TEST_DIR/src/$file"
	cd "$TEST_DIR"
}
extract() { # FILE DIR
	urun "$BENTO" extract "$1" "$TEST_DIR/$2" && [ "$RC" = 0 ]
}

C_PROG='printf '"'"'#include <stdio.h>\nint main(int c, char **v) { if (c > 1) printf("got %%s\\n", v[1]); return 0; }\n'"'"' >prog.c'

# ---- a C program --------------------------------------------------------

write_manifest c.yml org.bento.ReqC ReqC "" "$C_PROG" "gcc -O2 -o /app/bin/prog prog.c"
build b1 c.yml
c_out=$OUT
[ "$RC" = 0 ] && [ -f b1/ReqC-1-x86_64.AppImage ]
verdict "a C program builds" 0
urun b1/ReqC-1-x86_64.AppImage hi
[ "$RC" = 0 ] && [[ $OUT == "got hi" ]]
verdict "... and runs" 0
extract b1/ReqC-1-x86_64.AppImage xc
verdict "... and extracts" 0
mapfile -t files < <(elves xc)
want=$(highest GLIBC_ "Version References" "${files[@]}")
got=$(requires_key xc glibc)
[ -n "$want" ] && [ "$got" = "$want" ]
ok "[Requires] glibc=$got: the highest GLIBC_ version objdump finds referenced (${#files[@]} ELF files)" \
	"metadata: $got; objdump: $want; files: ${files[*]}"
host_def=$(highest GLIBC_ "Version definitions" "$HOST_LIBC")
got=$(requires_key xc glibc-bundled)
[ -n "$host_def" ] && [ "$got" = "$host_def" ]
ok "glibc-bundled=$got: the highest GLIBC_ version this system's libc.so.6 defines" \
	"metadata: $got; objdump: $host_def"
G=xc/.bento/glibc/lib/$MULTIARCH
cmp -s "$G/libc.so.6" "$HOST_LIBC" && cmp -s "$G/libm.so.6" "$(dirname "$HOST_LIBC")/libm.so.6" &&
	cmp -s "$G/ld-linux-x86-64.so.2" "$(dirname "$HOST_LIBC")/ld-linux-x86-64.so.2"
ok ".bento/glibc holds this system's libc.so.6, libm.so.6 and loader, byte for byte" \
	"$(ls -l "$G" 2>&1)"
[ -f xc/.bento/glibc/lib64/ld-linux-x86-64.so.2 ] && [ ! -L xc/.bento/glibc/lib64/ld-linux-x86-64.so.2 ] &&
	cmp -s xc/.bento/glibc/lib64/ld-linux-x86-64.so.2 "$G/ld-linux-x86-64.so.2"
ok "... the loader also as a regular file in lib64/" "$(ls -l xc/.bento/glibc/lib64 2>&1)"
n_gconv=$(find "$(dirname "$HOST_LIBC")/gconv" -type f | wc -l)
[ "$(find "$G/gconv" -type f | wc -l)" = "$n_gconv" ] && [ -f "$G/gconv/gconv-modules" ]
ok "... and gconv/ with this system's $n_gconv files" "$(ls "$G/gconv" 2>&1 | head)"
[ ! -e xc/.bento/fallback ] && [ ! -e xc/.bento/libstdc++ ] &&
	[ -z "$(requires_key xc host-libraries)" ] && [ -z "$(requires_key xc libstdc++)" ]
ok "a C program needs no fallback, libstdc++ or host library" "$(cat xc/.bento/metadata)"
[[ $c_out == *"requires: glibc $want or newer, else the bundled glibc $host_def takes its place"* ]]
ok "the build says so: glibc $want, bundled $host_def (without -v)" "$c_out"

sleep 1
build b2 c.yml --disable-cache
[ "$RC" = 0 ] && cmp -s b1/ReqC-1-x86_64.AppImage b2/ReqC-1-x86_64.AppImage
verdict "built again elsewhere, later, without the cache: byte-identical" 0

# ---- glibc: host ----------------------------------------------------------

write_manifest host.yml org.bento.ReqHost ReqHost host "$C_PROG" "gcc -O2 -o /app/bin/prog prog.c"
build b1 host.yml
host_out=$OUT
extract b1/ReqHost-1-x86_64.AppImage xh
verdict "glibc: host builds and extracts" 0
[ ! -e xh/.bento/glibc ] && [ -z "$(requires_key xh glibc-bundled)" ] &&
	[ "$(requires_key xh glibc)" = "$want" ]
ok "glibc: host bundles no C library, and [Requires] still says glibc=$want" \
	"$(find xh/.bento | head; cat xh/.bento/metadata)"
[[ $host_out == *"requires: glibc $want or newer (none bundled)"* ]]
ok "... and the build says none is bundled" "$host_out"
size_c=$(stat -c %s b1/ReqC-1-x86_64.AppImage)
size_h=$(stat -c %s b1/ReqHost-1-x86_64.AppImage)
[ "$size_h" -lt "$size_c" ]
ok "the file without the C library is smaller ($size_h < $size_c bytes)"
urun b1/ReqHost-1-x86_64.AppImage there
[ "$RC" = 0 ] && [[ $OUT == "got there" ]]
verdict "... and runs here" 0

write_manifest bad.yml org.bento.ReqBad ReqBad sometimes "true"
urun "$BUILDER" check "$TEST_DIR/src/bad.yml"
[ "$RC" = 1 ] && [[ $ERR == *glibc* ]] && [[ $ERR == *auto* ]] && [[ $ERR == *sometimes* ]]
verdict "glibc: sometimes is a manifest error naming the key, the value and the choices" 0

# ---- ALSA and GL: the host's libraries, a fallback ------------------------

AV_PROG='printf '"'"'#include <alsa/asoundlib.h>\n#include <GL/gl.h>\n#include <stdio.h>\nint main(void) { void *volatile gl = (void *)glGetString; printf("alsa %%s gl %%p\\n", snd_asoundlib_version(), gl); return 0; }\n'"'"' >prog.c'
write_manifest av.yml org.bento.ReqAV ReqAV "" "$AV_PROG" "gcc -o /app/bin/prog prog.c -lasound -lGL"
build b1 av.yml
av_out=$OUT
[ "$RC" = 0 ]
verdict "a program linking libasound and libGL builds" 0
extract b1/ReqAV-1-x86_64.AppImage xa
verdict "... and extracts" 0
host_asound=$(ldconfig -p | awk '$1 == "libasound.so.2" && /x86-64/ { print $NF; exit }')
host_gl=$(ldconfig -p | awk '$1 == "libGL.so.1" && /x86-64/ { print $NF; exit }')
gl_pkg=$(dpkg-query -S "$(realpath "$host_gl")" 2>/dev/null | head -n 1 | cut -d: -f1)
[ -n "$gl_pkg" ] || gl_pkg=$(dpkg-query -S "$host_gl" 2>/dev/null | head -n 1 | cut -d: -f1)
F=xa/.bento/fallback/lib/$MULTIARCH
[ -f "$F/libasound.so.2" ] && cmp -s "$F/libasound.so.2" "$host_asound" &&
	[ -z "$(find xa -path xa/.bento -prune -o -name 'libasound.so*' -print)" ]
ok "libasound.so.2 is a fallback (this system's copy in .bento/fallback), not in lib/" \
	"$(find xa -name 'libasound*' 2>&1)"
hl=$(requires_key xa host-libraries)
[[ ";$hl" == *";libasound.so.2=libasound2;"* ]]
ok "host-libraries names libasound.so.2=libasound2" "host-libraries=$hl"
[ -n "$gl_pkg" ] && [[ ";$hl" == *";libGL.so.1=$gl_pkg;"* ]]
ok "host-libraries names libGL.so.1=$gl_pkg (dpkg's owner of $host_gl)" "host-libraries=$hl"
fl=$(requires_key xa fallback-libraries)
[[ ";$fl" == *";libasound.so.2;"* ]] && [[ $fl != *libGL* ]] &&
	[ -z "$(find xa -name 'libGL*' -o -name 'libGLX*' -o -name 'libGLdispatch*')" ]
ok "libGL is not bundled: neither a fallback nor anywhere in the image" \
	"fallback-libraries=$fl; $(find xa -name 'libGL*')"
[[ $av_out == *"relies on this system for 2 libraries: libGL.so.1 ($gl_pkg) libasound.so.2 (libasound2)"* ]] &&
	[[ $av_out == *"bundled 1 fallback, used where the system has none: libasound.so.2"* ]]
ok "the build names the host's libraries with their packages, and the fallback" "$av_out"
urun b1/ReqAV-1-x86_64.AppImage
[ "$RC" = 0 ] && [[ $OUT == "alsa "*" gl 0x"* ]]
verdict "... and the program runs here, with the host's libasound and libGL" 0

# An excluded library the app ships itself (a deb's libwayland-egl beside
# its GTK) is the app's: not something this system must provide.
OWN_PROG='printf '"'"'#include <alsa/asoundlib.h>\n#include <stdio.h>\nint main(void) { printf("alsa %%s\\n", snd_asoundlib_version()); return 0; }\n'"'"' >prog.c'
write_manifest own.yml org.bento.ReqOwn ReqOwn "" "$OWN_PROG" "gcc -o /app/bin/prog prog.c -lasound" \
	"mkdir -p /app/lib/$MULTIARCH && cp $host_asound /app/lib/$MULTIARCH/libasound.so.2"
build b1 own.yml
[ "$RC" = 0 ]
verdict "a program that ships its own libasound.so.2 in lib/ builds" 0
extract b1/ReqOwn-1-x86_64.AppImage xo
hl=$(requires_key xo host-libraries)
fl=$(requires_key xo fallback-libraries)
[[ $hl != *libasound* ]] && [[ $fl != *libasound* ]] && [ -f "xo/lib/$MULTIARCH/libasound.so.2" ] &&
	[ ! -e "xo/.bento/fallback/lib/$MULTIARCH/libasound.so.2" ]
ok "its own copy is neither a host library nor a fallback (control: the program above that does not ship it has both)" \
	"host-libraries=$hl fallback-libraries=$fl"

# ---- C++: libstdc++ and libgcc_s ------------------------------------------

CXX_PROG='printf '"'"'#include <iostream>\n#include <string>\nint main() { std::string s("c++"); std::cout << s << std::endl; return 0; }\n'"'"' >prog.cc'
write_manifest cxx.yml org.bento.ReqCxx ReqCxx "" "$CXX_PROG" "g++ -o /app/bin/prog prog.cc"
build b1 cxx.yml
cxx_out=$OUT
extract b1/ReqCxx-1-x86_64.AppImage xx
verdict "a C++ program builds and extracts" 0
host_cxx=$(ldconfig -p | awk '$1 == "libstdc++.so.6" && /x86-64/ { print $NF; exit }')
host_gcc=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }')
S=xx/.bento/libstdc++/lib/$MULTIARCH
cmp -s "$S/libstdc++.so.6" "$host_cxx" && cmp -s "$S/libgcc_s.so.1" "$host_gcc" &&
	[ -z "$(find xx -path xx/.bento -prune -o -name 'libstdc++*' -print)" ]
ok ".bento/libstdc++ holds this system's libstdc++.so.6 and libgcc_s.so.1, lib/ neither" \
	"$(find xx -name 'libstdc++*' -o -name 'libgcc_s*' 2>&1)"
want_cxx=$(highest GLIBCXX_ "Version References" xx/bin/prog)
def_cxx=$(highest GLIBCXX_ "Version definitions" "$host_cxx")
[ -n "$want_cxx" ] && [ "$(requires_key xx libstdc++)" = "$want_cxx" ] &&
	[ "$(requires_key xx libstdc++-bundled)" = "$def_cxx" ]
ok "libstdc++=$want_cxx (the program's need), libstdc++-bundled=$def_cxx (this system's)" \
	"$(cat xx/.bento/metadata)"
[[ $cxx_out == *"requires: libstdc++ $want_cxx or newer, else the bundled libstdc++ $def_cxx takes its place"* ]]
ok "the build says so" "$cxx_out"
urun b1/ReqCxx-1-x86_64.AppImage
[ "$RC" = 0 ] && [ "$OUT" = "c++" ]
verdict "... and runs" 0

# ---- what the build leaves in .bento is not trusted ------------------------

write_manifest fake.yml org.bento.ReqFake ReqFake host "$C_PROG" "gcc -O2 -o /app/bin/prog prog.c" \
	"mkdir -p /app/.bento/glibc/lib/$MULTIARCH /app/.bento/fallback/lib/$MULTIARCH" \
	"echo fake >/app/.bento/glibc/lib/$MULTIARCH/libc.so.6" \
	"echo fake >/app/.bento/fallback/lib/$MULTIARCH/libasound.so.2"
build b1 fake.yml
extract b1/ReqFake-1-x86_64.AppImage xf
verdict "a build that leaves its own .bento/glibc and .bento/fallback builds" 0
[ ! -e xf/.bento/glibc ] && [ ! -e xf/.bento/fallback ]
ok "... and they are removed (glibc: host, no excluded library needed)" "$(find xf/.bento 2>&1)"
write_manifest fake2.yml org.bento.ReqFake2 ReqFake2 "" "$C_PROG" "gcc -O2 -o /app/bin/prog prog.c" \
	"mkdir -p /app/.bento/glibc/lib/$MULTIARCH" \
	"echo fake >/app/.bento/glibc/lib/$MULTIARCH/libc.so.6"
build b1 fake2.yml
extract b1/ReqFake2-1-x86_64.AppImage xf2
cmp -s xf2/.bento/glibc/lib/$MULTIARCH/libc.so.6 "$HOST_LIBC"
ok "... or replaced by this system's copy" "$(head -c 64 xf2/.bento/glibc/lib/$MULTIARCH/libc.so.6 | od -c | head -2)"

write_manifest semi.yml org.bento.ReqSemi ReqSemi "" \
	"printf 'int f(void) { return 1; }\n' >f.c" \
	"gcc -shared -fPIC -Wl,-soname,'libnvidia-a;b.so.1' -o 'libnvidia-a;b.so.1' f.c" \
	"printf 'int f(void); int main(void) { return f(); }\n' >prog.c" \
	"gcc -o /app/bin/prog prog.c ./'libnvidia-a;b.so.1'"
build b3 semi.yml
[ "$RC" != 0 ] && [[ $ERR == *"needs \"libnvidia-a;b.so.1\" (on the exclude list): a library name may hold only"* ]] && [ -z "$(ls b3)" ]
verdict "a needed name on the exclude list holding \";\" fails the build, and nothing is written" 1

# A program whose version references point outside their section (vn_aux of
# the first entry): the build fails naming the file, without a crash.
mkdir -p src/corrupt
printf '#include <stdio.h>\nint main(void) { puts("x"); return 0; }\n' >src/corrupt/prog.c
gcc -o src/corrupt/prog src/corrupt/prog.c
vr=$(readelf -S -W src/corrupt/prog | awk '{ for (i = 1; i < NF; i++) if ($i == ".gnu.version_r") print $(i + 3) }')
printf '\x00\x00\xff\x7f' | dd of=src/corrupt/prog bs=1 seek=$((16#$vr + 8)) conv=notrunc status=none
chown -R "$TEST_UID:$TEST_GID" src/corrupt
cat >src/corrupt.yml <<YAML
id: org.bento.ReqCorrupt
name: ReqCorrupt
version: "1"
command: bin/prog
icon: hello.svg
modules:
  - name: prog
    buildsystem: simple
    build-commands:
      - mkdir -p /app/bin && cp prog /app/bin/prog
    sources:
      - type: dir
        path: corrupt
YAML
chown "$TEST_UID:$TEST_GID" src/corrupt.yml
mkdir -p b4 && chown "$TEST_UID:$TEST_GID" b4
build b4 corrupt.yml
[ -n "$vr" ] && [ "$RC" = 1 ] && [[ $ERR == *"bin/prog: malformed ELF file: its symbol versions cannot be read"* ]] &&
	[ -z "$(ls b4)" ] && ! _sanitizer_report
verdict "version references beyond their section: the build fails naming the file (.gnu.version_r at 0x$vr)" 1

# The sanitizer build does the same work without a report.
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -x "$BENTO_SAN_BUILD/builder/bento-builder" ]; then
	mkdir -p san b5 && cp "$BENTO_SAN_BUILD/builder/bento-builder" san/ && chmod 0755 san/bento-builder
	chown -R "$TEST_UID:$TEST_GID" san b5
	RELEASE_BUILDER=$BUILDER BUILDER=$TEST_DIR/san/bento-builder
	build b5 av.yml
	verdict "sanitizer build: the libasound and libGL program builds" 0
	extract b5/ReqAV-1-x86_64.AppImage xsan && cmp -s xsan/.bento/metadata xa/.bento/metadata
	ok "... with the same metadata" "$(diff xsan/.bento/metadata xa/.bento/metadata 2>&1)"
	build b5 cxx.yml
	verdict "sanitizer build: the C++ program builds" 0
	build b5 corrupt.yml
	[ "$RC" = 1 ] && [[ $ERR == *"malformed ELF file: its symbol versions cannot be read"* ]]
	verdict "sanitizer build: corrupted version references fail the build cleanly" 1
	build b5 semi.yml
	[ "$RC" != 0 ] && [[ $ERR == *"(on the exclude list): a library name may hold only"* ]]
	verdict "sanitizer build: a needed name holding \";\" fails the build cleanly" 1
	BUILDER=$RELEASE_BUILDER
fi

finish
