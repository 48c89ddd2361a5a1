# [Requires] of .bento/metadata (bento-metadata(5), bento-sandbox(7) "/usr"):
# a system older than the app needs is refused with the runtime's message
# and exit 127 before anything runs, on every strategy and unsandboxed; the
# image's .bento/glibc goes over /usr where the host's C library is older;
# .bento/fallback serves a library the host lacks while the host's own copy
# wins; a missing library without a fallback is refused naming its package;
# a needed layer that cannot be mounted is an error; a host whose /lib and
# /lib64 are directories gets the image's glibc there too; `bento info`
# says it all.  And the logic on its own (tests/helpers/requirescheck.c): version
# comparison, the releases table, the host's ELF version definitions and
# loader cache read as hostile input, the decision for other hosts.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER RUNTIME BENTO
need_program REQ requirescheck

LIBDIR=/usr/lib/x86_64-linux-gnu

# ---------------------------------------------------------------- the logic

for row in "2.31 2.31.0 0" "2.9 2.10 -1" "3.4.30 3.4.29 1" "2.36 2.4 1" "10 9.99 1"; do
	set -- $row
	[ "$("$REQ" compare "$1" "$2")" = "$3" ]
	ok "version $1 against $2: $3" "$("$REQ" compare "$1" "$2")"
done
for bad in "1..2" ".1" "1." "a.1" "1.2.3.4.5.6.7" "1234567890.1" ""; do
	[ "$("$REQ" compare "$bad" 1)" = invalid ]
	ok "\"$bad\" is not a version"
done

for row in "2.31|Debian 11, Ubuntu 20.04, Fedora 32 or later" \
	"2.34|Debian 12, Ubuntu 22.04, Fedora 35 or later" \
	"2.36|Debian 12, Ubuntu 24.04, Fedora 37 or later" \
	"2.41|Debian 13, Ubuntu 25.04, Fedora 42 or later" "9.99|none"; do
	[ "$("$REQ" releases "${row%%|*}")" = "${row#*|}" ]
	ok "glibc ${row%%|*}: ${row#*|}" "$("$REQ" releases "${row%%|*}")"
done

# The host's versions, read from the ELF files, match what glibc says of
# itself and the newest GLIBCXX_ string libstdc++ holds.
host_glibc=$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)
[ -n "$host_glibc" ] && [ "$("$REQ" version $LIBDIR/libc.so.6 GLIBC_)" = "$host_glibc" ]
ok "the host's libc.so.6 defines GLIBC_$host_glibc at most" "$("$REQ" version $LIBDIR/libc.so.6 GLIBC_)"
if [ -e $LIBDIR/libstdc++.so.6 ]; then
	newest=$(strings $LIBDIR/libstdc++.so.6 | grep -E '^GLIBCXX_[0-9.]+$' | sort -V | tail -1)
	[ "GLIBCXX_$("$REQ" version $LIBDIR/libstdc++.so.6 GLIBCXX_)" = "$newest" ]
	ok "the host's libstdc++.so.6 defines $newest at most"
fi
[ "$("$REQ" version "$RUNTIME" GLIBC_)" = none ]
ok "the static runtime defines no version"

# hostile_inputs LABEL: the ELF reader and the cache reader ($REQ) on
# hostile files: each offset that leads elsewhere is checked.
hostile_inputs() {
	local label=$1
	cp $LIBDIR/libc.so.6 libc.copy
	python3 - libc.copy <<-'EOF'
	import struct, sys
	data = bytearray(open(sys.argv[1], 'rb').read())
	shoff, = struct.unpack_from('<Q', data, 0x28)
	shnum, = struct.unpack_from('<H', data, 0x3c)
	def section(kind):
	    for i in range(shnum):
	        o = shoff + i * 64
	        if struct.unpack_from('<I', data, o + 4)[0] == kind:
	            return o
	verdef = section(0x6ffffffd)
	def variant(name, patch):
	    d = bytearray(data)
	    patch(d)
	    open(sys.argv[1] + '.' + name, 'wb').write(d)
	size = len(data)
	vd = struct.unpack_from('<Q', data, verdef + 24)[0]      # sh_offset
	first_next = vd + 16                                     # vd_next of the first
	second = vd + struct.unpack_from('<I', data, first_next)[0]
	variant('offset', lambda d: struct.pack_into('<Q', d, verdef + 24, size - 8))
	variant('size', lambda d: struct.pack_into('<Q', d, verdef + 32, 1 << 40))
	variant('link', lambda d: struct.pack_into('<I', d, verdef + 40, 0xffff))
	variant('aux', lambda d: struct.pack_into('<I', d, second + 12, 0x7fffffff))
	variant('next', lambda d: struct.pack_into('<I', d, first_next, 0x7ffffff0))
	variant('name', lambda d: struct.pack_into('<I', d, second + struct.unpack_from('<I', d, second + 12)[0], 0xfffffff0))
	EOF
	for v in offset size link aux next; do
		out=$("$REQ" version libc.copy.$v GLIBC_)
		[ $? = 1 ] && [[ $out == error:* ]]
		ok "${label}a libc whose version definitions are bent ($v) is refused: $out" "$out"
	done
	out=$("$REQ" version libc.copy.name GLIBC_)
	[ $? = 0 ] && [[ $out =~ ^[0-9.]+$|^none$ ]]
	ok "${label}a version name beyond the string table is skipped: $out" "$out"
	head -c 4000 $LIBDIR/libc.so.6 >libc.short
	out=$("$REQ" version libc.short GLIBC_)
	[ $? = 1 ] && [[ $out == *truncated* ]]
	ok "${label}a truncated libc is refused" "$out"
	out=$("$REQ" version /etc/passwd GLIBC_)
	[ $? = 1 ] && [[ $out == error:* ]]
	ok "${label}a file that is not ELF is refused" "$out"

	# The loader's cache: a library it lists is found at the path it gives;
	# truncated or garbage caches give nothing, and never more than they hold.
	cached=$(ldconfig -p | awk '/x86-64/ && $4 ~ /^\// {print $1 " " $4; exit}')
	set -- $cached
	[ -n "${2:-}" ] && [ "$("$REQ" cache /etc/ld.so.cache "$1")" = "$2" ]
	ok "${label}the cache gives $1 at $2" "$("$REQ" cache /etc/ld.so.cache "$1")"
	[ "$("$REQ" cache /etc/ld.so.cache libbento-not-here.so.7)" = none ]
	ok "${label}the cache gives nothing for a library it lacks"
	size=$(stat -c %s /etc/ld.so.cache)
	bad=""
	for n in 0 1 16 20 47 48 49 100 $((size / 2)) $((size - 1)); do
		head -c "$n" /etc/ld.so.cache >cache.cut
		r=$("$REQ" cache cache.cut "$1") && { [ "$r" = none ] || [ "$r" = "$2" ]; } || bad+=" $n:$r"
	done
	head -c 65536 /dev/urandom >cache.random
	r=$("$REQ" cache cache.random "$1") && [ "$r" = none ] || bad+=" random:$r"
	{ printf 'glibc-ld.so.cache1.1'; head -c 4000 /dev/urandom; } >cache.random2
	r=$("$REQ" cache cache.random2 "$1") || bad+=" random2:$r"
	[ -z "$bad" ]
	ok "${label}truncated and random caches are read within their bounds" "$bad"

}
hostile_inputs ""

# The decision for other hosts (decisions LABEL, with $REQ).
decide() { # REQUIRES GLIBC LIBSTDCXX HOSTLIB...
	printf '[Application]\nname=org.bento.Decide\n[Requires]\n%b' "$1" >decide.metadata
	shift
	DOUT=$("$REQ" decide decide.metadata "$@")
	DRC=$?
}
decisions() {
	local label=$1
	decide 'glibc=2.34\n' 2.31 -
	[ $DRC = 127 ] && [ "$DOUT" = "APP needs the GNU C Library 2.34 or newer (Debian 12, Ubuntu 22.04, Fedora 35 or later); this system has 2.31" ]
	ok "${label}glibc 2.34 on a 2.31 host, nothing bundled: refused" "$DRC $DOUT"
	decide 'glibc=2.34\n' 2.36 -
	[ $DRC = 0 ] && [ "$DOUT" = "layers: none" ]
	ok "${label}glibc 2.34 on a 2.36 host: runs on the host's" "$DRC $DOUT"
	decide 'glibc=2.34\nglibc-bundled=2.36\n' 2.31 -
	[ "$DOUT" = "layers: glibc" ]
	ok "${label}bundled 2.36 on a 2.31 host: the image's glibc goes on top" "$DOUT"
	decide 'glibc=2.34\nglibc-bundled=2.36\n' 2.36 -
	[ "$DOUT" = "layers: none" ]
	ok "${label}bundled 2.36 on a 2.36 host: the host's" "$DOUT"
	decide 'glibc=2.34\nglibc-bundled=2.36\n' 2.41 -
	[ "$DOUT" = "layers: none" ]
	ok "${label}bundled 2.36 on a 2.41 host: the host's (newer)" "$DOUT"
	decide 'glibc=2.38\nglibc-bundled=2.36\n' 2.31 -
	[ $DRC = 127 ] && [[ $DOUT == "APP needs the GNU C Library 2.38 or newer"*"this system has 2.31" ]]
	ok "${label}a bundle older than the need does not hide it" "$DOUT"
	decide 'glibc-bundled=2.36\n' - -
	[ "$DOUT" = "layers: glibc" ]
	ok "${label}a host without a readable libc gets the bundle" "$DOUT"
	decide 'libstdc++=3.4.30\n' 2.36 -
	[ $DRC = 127 ] && [ "$DOUT" = "APP needs the GNU C++ Library (libstdc++.so.6) GLIBCXX_3.4.30 or newer; this system has none" ]
	ok "${label}libstdc++ needed, the host has none: refused" "$DOUT"
	decide 'libstdc++=3.4.30\nlibstdc++-bundled=3.4.30\n' 2.36 -
	[ "$DOUT" = "layers: libstdc++" ]
	ok "${label}libstdc++ bundled, the host has none: the image's" "$DOUT"
	decide 'libstdc++=3.4.30\nlibstdc++-bundled=3.4.30\n' 2.36 3.4.28
	[ "$DOUT" = "layers: libstdc++" ]
	ok "${label}libstdc++ bundled, the host's is older: the image's" "$DOUT"
	decide 'libstdc++=3.4.30\nlibstdc++-bundled=3.4.30\n' 2.36 3.4.32
	[ "$DOUT" = "layers: none" ]
	ok "${label}libstdc++ bundled, the host's is newer: the host's" "$DOUT"
	decide 'host-libraries=libGL.so.1=libgl1;\n' 2.36 -
	[ $DRC = 127 ] && [ "$DOUT" = "APP needs libGL.so.1 from this system (Debian package libgl1), which it lacks" ]
	ok "${label}a host library the host lacks, no fallback: refused naming its package" "$DOUT"
	decide 'host-libraries=libGL.so.1=libgl1;\n' 2.36 - libGL.so.1
	[ "$DOUT" = "layers: none" ]
	ok "${label}a host library the host has" "$DOUT"
	decide 'host-libraries=libasound.so.2=libasound2;libGL.so.1=libgl1;\nfallback-libraries=libasound.so.2;\n' 2.36 - libGL.so.1
	[ "$DOUT" = "layers: fallback" ]
	ok "${label}a host library the host lacks, with a fallback: the fallback layer" "$DOUT"
	decide 'host-libraries=libasound.so.2=libasound2;\nfallback-libraries=libasound.so.2;\n' 2.36 - libasound.so.2
	[ "$DOUT" = "layers: none" ]
	ok "${label}a fallback the host has its own copy of: no layer" "$DOUT"
	decide 'glibc=2.31\nfuture-key=x\n' 2.36 -
	[ "$DOUT" = "layers: none" ]
	ok "${label}an unknown key of [Requires] is ignored" "$DOUT"
	for bad in 'glibc=2..31' 'glibc-bundled=latest' 'host-libraries=../../etc/passwd=x;' 'host-libraries=libx.so.1=a b;' 'fallback-libraries=lib/x.so;'; do
		decide "$bad\\n" 2.36 -
		[ $DRC = 1 ] && [[ $DOUT == invalid:* ]]
		ok "${label}[Requires] $bad is invalid metadata" "$DOUT"
	done
}
decisions ""

# ---------------------------------------------------------------- real runs

# make_app NAME REQUIRES [APPLICATION]: an app whose AppRun runs its
# arguments, with [Requires] REQUIRES and more lines of [Application]
# (printf escapes).
make_app() {
	local d=$1.AppDir
	rm -rf "$d"
	mkdir -p "$d/.bento"
	printf '#!/bin/sh\necho app-ran\nexec "$@"\n' >"$d/AppRun"
	chmod 0755 "$d/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=Req\nExec=AppRun\nIcon=req\nCategories=Utility;\n' >"$d/req.desktop"
	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$d/req.svg"
	printf '[Application]\nname=org.bento.Requires.%s\ncommand=AppRun\n%b\n[Requires]\n%b' "$1" "${3:-}" "$2" >"$d/.bento/metadata"
	mkdir -p "$d/share/requires"
	echo "image tree" >"$d/share/requires/data"
}

# bundle_glibc NAME: a copy of the host's glibc in .bento/glibc, shaped as
# the builder makes it, with a marker file and a marker appended to
# libc.so.6 and to lib64's loader (an ELF file loads with bytes after its
# end).
bundle_glibc() {
	local g=$1.AppDir/.bento/glibc f
	mkdir -p "$g/lib/x86_64-linux-gnu" "$g/lib64"
	for f in libc.so.6 ld-linux-x86-64.so.2 libm.so.6 libmvec.so.1 libpthread.so.0 libdl.so.2 \
		librt.so.1 libresolv.so.2 libutil.so.1 libanl.so.1 libnss_files.so.2 libnss_dns.so.2 \
		libBrokenLocale.so.1 libthread_db.so.1 libc_malloc_debug.so.0; do
		[ -e $LIBDIR/$f ] && cp -L $LIBDIR/$f "$g/lib/x86_64-linux-gnu/"
	done
	cp -a $LIBDIR/gconv "$g/lib/x86_64-linux-gnu/"
	cp -L /lib64/ld-linux-x86-64.so.2 "$g/lib64/"
	echo "glibc layer" >"$g/lib/x86_64-linux-gnu/bento-glibc-marker"
	printf 'BENTO-GLIBC-LAYER' >>"$g/lib/x86_64-linux-gnu/libc.so.6"
	printf 'BENTO-LOADER' >>"$g/lib64/ld-linux-x86-64.so.2"
}

# bundle_libstdcxx NAME: the host's libstdc++ and libgcc_s in
# .bento/libstdc++, a marker appended to libstdc++.so.6.
bundle_libstdcxx() {
	local c=$1.AppDir/.bento/libstdc++/lib/x86_64-linux-gnu
	mkdir -p "$c"
	cp -L $LIBDIR/libstdc++.so.6 $LIBDIR/libgcc_s.so.1 "$c/"
	printf 'BENTO-CXX-LAYER' >>"$c/libstdc++.so.6"
}

pack() {
	"$BUILDER" pack --runtime "$RUNTIME" "$1.AppDir" -o "$1.AppImage" >"$TEST_DIR/pack.log" 2>&1 &&
		chmod 0755 "$1.AppImage"
}

make_app old 'glibc=9.99\n'
make_app floor 'glibc=2.31\n'
make_app newer "glibc=2.31\nglibc-bundled=99.0\n"
bundle_glibc newer
make_app older "glibc=2.31\nglibc-bundled=2.0\n"
bundle_glibc older
make_app nobundle "glibc-bundled=99.0\n"
# (a glibc tree that works, reached through a symlink)
make_app linked "glibc-bundled=99.0\n"
bundle_glibc linked
mv linked.AppDir/.bento/glibc linked.AppDir/.bento/real
ln -s real linked.AppDir/.bento/glibc
make_app fallback 'host-libraries=libbento-missing.so.1=bento-missing;libz.so.1=zlib1g;\nfallback-libraries=libbento-missing.so.1;libz.so.1;\n'
mkdir -p fallback.AppDir/.bento/fallback/lib/x86_64-linux-gnu
echo "fallback library" >fallback.AppDir/.bento/fallback/lib/x86_64-linux-gnu/libbento-missing.so.1
echo "fallback zlib" >fallback.AppDir/.bento/fallback/lib/x86_64-linux-gnu/libz.so.1
# every layer at once: glibc and libstdc++ on top, the fallback below
make_app all 'glibc=2.31\nglibc-bundled=99.0\nlibstdc++=3.4.20\nlibstdc++-bundled=9.9\nhost-libraries=libbento-missing.so.1=bento-missing;\nfallback-libraries=libbento-missing.so.1;\n'
bundle_glibc all
bundle_libstdcxx all
mkdir -p all.AppDir/.bento/fallback/lib/x86_64-linux-gnu
echo "fallback library" >all.AppDir/.bento/fallback/lib/x86_64-linux-gnu/libbento-missing.so.1
# the glibc layer without the image's tree over /usr (usr-overlay=false)
make_app notree "glibc-bundled=99.0\n" 'usr-overlay=false\n'
bundle_glibc notree
make_app lacking 'host-libraries=libbento-missing.so.1=bento-missing;libz.so.1=zlib1g;\n'
for n in old floor newer older nobundle linked fallback lacking all notree; do pack $n || break; done
check "the test images are packed" test -x old.AppImage -a -x floor.AppImage -a -x newer.AppImage \
	-a -x older.AppImage -a -x nobundle.AppImage -a -x linked.AppImage -a -x fallback.AppImage \
	-a -x lacking.AppImage -a -x all.AppImage -a -x notree.AppImage

[ ! -e $LIBDIR/libbento-missing.so.1 ] && [ ! -e $LIBDIR/bento-glibc-marker ] &&
	[ -e $LIBDIR/libz.so.1 ] && [ "$(tail -c 17 $LIBDIR/libc.so.6 | tr -c A-Z- ?)" != BENTO-GLIBC-LAYER ] &&
	[ "$(tail -c 15 $LIBDIR/libstdc++.so.6 | tr -c A-Z- ?)" != BENTO-CXX-LAYER ]
ok "control: the host lacks libbento-missing.so.1 and the marker, has libz.so.1 and its own libc and libstdc++"
host_zlib=$(sha256sum <$LIBDIR/libz.so.1)

show='for f in bento-glibc-marker libbento-missing.so.1; do [ -e '$LIBDIR'/$f ] && echo "has $f"; done; tail -c 17 '$LIBDIR'/libc.so.6 | tr -c A-Z- ?; echo; [ "$(tail -c 12 /lib64/ld-linux-x86-64.so.2)" = BENTO-LOADER ] && echo image-loader; true'

# Each way the app may run: a strategy in its sandbox, or unsandboxed.
# runs LABEL HOW...: the images run each way (a strategy, or nosandbox).
runs() {
	local label=$1 how mode strategy
	shift
	for how in "$@"; do
		if [ $how = nosandbox ]; then
			mode=(--bento-no-sandbox)
			strategy=""
		else
			mode=()
			strategy=BENTO_STRATEGY=$how
		fi

		urun $strategy ./old.AppImage "${mode[@]}" true
		[ "$RC" = 127 ] && [ -z "$OUT" ] &&
			[[ $ERR == *"old.AppImage: org.bento.Requires.old needs the GNU C Library 9.99 or newer (newer than every release this runtime knows); this system has $host_glibc"* ]]
		verdict "$label[$how] glibc 9.99 needed, none bundled: refused before the app runs, exit 127" 127

		urun $strategy ./floor.AppImage "${mode[@]}" true
		expect "$label[$how] control: glibc 2.31 needed: runs" 0 "app-ran"

		urun $strategy ./newer.AppImage "${mode[@]}" sh -c "$show"
		expect "$label[$how] a bundled glibc newer than the host's is /usr's: its marker and its libc.so.6, the app runs on it" 0 \
			$'app-ran\nhas bento-glibc-marker\nBENTO-GLIBC-LAYER\nimage-loader'

		urun $strategy ./older.AppImage "${mode[@]}" sh -c "$show"
		[ "$RC" = 0 ] && [[ $OUT == $'app-ran\n'* ]] && [[ $OUT != *bento-glibc-marker* ]] && [[ $OUT != *BENTO-GLIBC-LAYER* ]] &&
			[[ $OUT != *image-loader* ]]
		verdict "$label[$how] control: a bundled glibc older than the host's stays out" 0

		urun $strategy ./nobundle.AppImage "${mode[@]}" true
		[ "$RC" = 127 ] && [ -z "$OUT" ] && [[ $ERR == *"cannot mount the libraries"*"(.bento)"* ]]
		verdict "$label[$how] a needed glibc layer that is missing from the image: an error, not a run" 127

		urun $strategy ./linked.AppImage "${mode[@]}" true
		[ "$RC" = 127 ] && [ -z "$OUT" ] && [[ $ERR == *"cannot mount the libraries"* ]]
		verdict "$label[$how] a .bento/glibc that is a symlink (to a working tree) is not followed: an error" 127

		urun $strategy ./fallback.AppImage "${mode[@]}" sh -c "cat $LIBDIR/libbento-missing.so.1; sha256sum <$LIBDIR/libz.so.1"
		expect "$label[$how] a library the host lacks comes from .bento/fallback; the host's own libz.so.1 wins over the fallback's" 0 \
			$'app-ran\nfallback library\n'"$host_zlib"

		# (apt-config: a host program linked with libstdc++)
		urun $strategy ./all.AppImage "${mode[@]}" sh -c "$show; apt-config --version | head -1; tail -c 15 $LIBDIR/libstdc++.so.6 | tr -c A-Z- ?; echo"
		[ "$RC" = 0 ] && [[ $OUT == $'app-ran\nhas bento-glibc-marker\nhas libbento-missing.so.1\nBENTO-GLIBC-LAYER\nimage-loader\napt '*$'\nBENTO-CXX-LAYER' ]]
		verdict "${label}[$how] glibc, libstdc++ and fallback layers at once: a host C++ program runs on the image's libstdc++" 0

		urun $strategy ./notree.AppImage "${mode[@]}" sh -c "$show; cat /usr/share/requires/data 2>/dev/null || echo no-tree"
		expect "${label}[$how] usr-overlay=false: the glibc layer over the host's /usr alone" 0 \
			$'app-ran\nhas bento-glibc-marker\nBENTO-GLIBC-LAYER\nimage-loader\nno-tree'
		urun $strategy ./newer.AppImage "${mode[@]}" cat /usr/share/requires/data
		expect "${label}[$how] control: the image's tree is over /usr by default" 0 $'app-ran\nimage tree'

		urun $strategy ./lacking.AppImage "${mode[@]}" true
		[ "$RC" = 127 ] && [ -z "$OUT" ] &&
			[[ $ERR == *"lacking.AppImage: org.bento.Requires.lacking needs libbento-missing.so.1 from this system (Debian package bento-missing), which it lacks"* ]]
		verdict "$label[$how] a host library the host lacks, no fallback: refused naming it and its package" 127
	done
}
runs "" userns extract extract-and-run nosandbox

# ---------------------------------------------------------------- /lib, /lib64

# A host without merged /usr: its /lib and /lib64 are directories of their
# own, where the loader looks first.  nonmerged CMD... runs CMD as urun
# does, in a private root (on $NM_DIR) whose /lib and /lib64 are
# directories (the host's /usr/lib and /usr/lib64 bound there), /usr, /etc,
# /dev, /proc, /sys, /run and the test's directory the host's.
make_test_dir NM_DIR
NONMERGED='set -e
nm=$1 dir=$2
shift 2
mount -t tmpfs nonmerged "$nm"
cd "$nm"
for d in usr etc dev proc sys run; do mkdir $d; mount --rbind /$d $d; done
mkdir -m 1777 tmp
mkdir lib lib64
mount --bind /usr/lib lib
mount --bind /usr/lib64 lib64
ln -s usr/bin bin
ln -s usr/sbin sbin
mkdir -p ".$dir"
mount --rbind "$dir" ".$dir"
mkdir old
pivot_root . old
umount -l /old
cd "$dir"
exec "$@"'
nonmerged() {
	_user_cmd
	local cmd=("${_CMD[@]}" "$@")
	_CMD=(unshare -m --propagation private bash -c "$NONMERGED" nonmerged "$NM_DIR" "$TEST_DIR")
	_run "${cmd[@]}"
}
libs='[ -L /lib ] || [ -L /lib64 ] && echo merged; cat /lib/x86_64-linux-gnu/bento-glibc-marker 2>/dev/null; tail -c 17 /lib/x86_64-linux-gnu/libc.so.6 | tr -c A-Z- ?; echo; [ "$(tail -c 12 /lib64/ld-linux-x86-64.so.2)" = BENTO-LOADER ] && echo image-loader; apt-config --version | head -1'
for mode in "" --bento-no-sandbox; do
	nonmerged ./all.AppImage $mode sh -c "$libs"
	[ "$RC" = 0 ] && [[ $OUT == $'app-ran\nglibc layer\nBENTO-GLIBC-LAYER\nimage-loader\napt '* ]]
	verdict "[${mode:-sandbox}] a host whose /lib and /lib64 are directories gets the image's glibc there too" 0
	nonmerged ./older.AppImage $mode sh -c "$libs"
	[ "$RC" = 0 ] && [[ $OUT == $'app-ran\n'* ]] && [[ $OUT != *"glibc layer"* ]] && [[ $OUT != *BENTO-GLIBC-LAYER* ]] &&
		[[ $OUT != *image-loader* ]] && [[ $OUT != *merged* ]]
	verdict "[${mode:-sandbox}] control: the same root, a bundle older than the host's: /lib and /lib64 are the host's" 0
done

# ---------------------------------------------------------------- no overlayfs

# A kernel that refuses overlayfs in a user namespace (Linux before 5.11,
# Debian 11's): requirescheck no-overlayfs fails the runtime's overlayfs
# mounts with EPERM, as such a kernel does (and its FUSE mount: extraction
# only).  The bundled glibc is then bound file by file over the host's; a
# fallback library, which the host lacks, cannot be had: an error.
for mode in "" --bento-no-sandbox; do
	AS_USER_PREFIX=("$REQ" no-overlayfs)
	urun BENTO_STRATEGY=extract ./newer.AppImage $mode sh -c "cat /usr/share/requires/data 2>/dev/null || echo no-tree"
	expect "[${mode:-sandbox}] control: under no-overlayfs the image's tree is not over /usr (overlayfs is refused)" 0 $'app-ran\nno-tree'
	urun BENTO_STRATEGY=extract ./newer.AppImage $mode sh -c "$show; apt-config --version | head -1"
	[ "$RC" = 0 ] && [[ $OUT == $'app-ran\nBENTO-GLIBC-LAYER\nimage-loader\napt '* ]]
	verdict "[${mode:-sandbox}] without overlayfs, the bundled glibc and loader are bound over the host's, file by file" 0
	urun BENTO_STRATEGY=extract ./older.AppImage $mode sh -c "$show"
	[ "$RC" = 0 ] && [[ $OUT == $'app-ran\n'* ]] && [[ $OUT != *BENTO-GLIBC-LAYER* ]] && [[ $OUT != *image-loader* ]]
	verdict "[${mode:-sandbox}] control: without overlayfs, an older bundle stays out" 0
	urun BENTO_STRATEGY=extract ./all.AppImage $mode true
	[ "$RC" = 127 ] && [ -z "$OUT" ] && [[ $ERR == *"cannot mount the libraries"*"Operation not permitted"* ]]
	verdict "[${mode:-sandbox}] without overlayfs, a needed fallback library cannot be had: an error, not a run" 127
	AS_USER_PREFIX=()
	_user_cmd
	cmd=("${_CMD[@]}" env BENTO_STRATEGY=extract ./newer.AppImage $mode sh -c "$libs")
	_CMD=("$REQ" no-overlayfs unshare -m --propagation private bash -c "$NONMERGED" nonmerged "$NM_DIR" "$TEST_DIR")
	_run "${cmd[@]}"
	[ "$RC" = 0 ] && [[ $OUT == $'app-ran\nBENTO-GLIBC-LAYER\nimage-loader\napt '* ]]
	verdict "[${mode:-sandbox}] without overlayfs, /lib and /lib64 directories get the bundled glibc and loader bound" 0
done

# ---------------------------------------------------------------- bento info

make_app info 'glibc=2.34\nglibc-bundled=2.36\nlibstdc++=3.4.30\nhost-libraries=libGL.so.1=libgl1;libasound.so.2=libasound2;\nfallback-libraries=libasound.so.2;\n'
pack info
urun "$BENTO" info info.AppImage
want='Requires:
  GNU C Library: 2.34 or newer (Debian 12, Ubuntu 22.04, Fedora 35 or later)
  GNU C Library bundled: 2.36 (used where the system'"'"'s is older)
  libstdc++: GLIBCXX_3.4.30 or newer
  From the system: libGL.so.1 (Debian package libgl1)
  From the system: libasound.so.2 (Debian package libasound2); bundled as a fallback where the system lacks it
Runs on: glibc systems of any release (bundled 2.36; its programs need 2.34)'
[ "$RC" = 0 ] && [[ $OUT == *"$want" ]]
verdict "bento info prints the requirements, bundled versions and host libraries" 0
urun "$BENTO" info old.AppImage
[ "$RC" = 0 ] && [[ $OUT == *$'Requires:\n  GNU C Library: 9.99 or newer (newer than every release known here)\nRuns on: glibc >= 9.99 systems (newer than every release known here)' ]]
verdict "bento info of a file no release runs" 0
urun "$BENTO" info floor.AppImage
[ "$RC" = 0 ] && [[ $OUT == *"Runs on: glibc >= 2.31 systems (Debian 11, Ubuntu 20.04, Fedora 32 or later)" ]]
verdict "bento info names the oldest releases" 0

# ---------------------------------------------------------------- sanitizers

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -x "$BENTO_SAN_BUILD/tests/requirescheck" ] &&
	[ -x "$BENTO_SAN_BUILD/runtime/stub/bento-runtime" ]; then
	REQ=$BENTO_SAN_BUILD/tests/requirescheck
	hostile_inputs "[sanitizer] "
	decisions "[sanitizer] "
	mkdir san
	cp "$BENTO_SAN_BUILD/runtime/stub/bento-runtime" san/ && chmod 0755 san/bento-runtime
	RUNTIME=$TEST_DIR/san/bento-runtime
	for n in old floor newer older nobundle linked fallback lacking all notree; do pack $n || break; done
	runs "[sanitizer] " userns nosandbox
else
	skip "the sanitizer build's runs" "no sanitizer build (tests/run BUILD SAN_BUILD)"
fi

finish
