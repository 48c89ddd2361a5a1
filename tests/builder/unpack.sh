# `bento-builder unpack`, as the user: tar with gzip, xz, zstd and bzip2, zip
# and Debian packages unpack with --strip-components and the usr/ lift; hostile
# archives are refused with a message naming the archive and the entry, leave
# nothing behind and write nothing outside: "..", absolute paths, symbolic
# and hard links leading out (directly or through other links), writing
# through a symbolic link, device nodes and fifos; setuid/setgid bits are
# dropped; size and entry caps stop archive bombs.  The archives are made
# here: a source tree packed by tar and python3's tarfile and zipfile
# modules, packages by dpkg-deb, hostile archives by tarfile.
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need BUILDER
cd "$TEST_DIR" || exit 1
make_test_dir SRC # archives, away from where they are unpacked
OUTSIDE=$TEST_DIR/outside
mkdir -m 0777 "$OUTSIDE"

# ------------------------------------------------------------ fixtures

t=$SRC/tree/pkg-1.0
mkdir -p "$t/sub/deeper" "$t/bin" "$t/empty"
echo hello >"$t/sub/a.txt"
echo deeper >"$t/sub/deeper/b.txt"
printf '#!/bin/sh\necho tool\n' >"$t/bin/tool"
chmod 0755 "$t/bin/tool"
ln -s sub/a.txt "$t/link"
ln -s ../a.txt "$t/sub/deeper/up"
ln "$t/sub/a.txt" "$t/hard"
head -c 300000 /dev/urandom >"$t/random"
touch -d '2001-02-03 04:05:06' "$t/sub/a.txt" "$t/sub"

# The tree as "path type mode link-target" lines.
describe_tree() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m %l\n' | sort)
}
WANT_TREE=$(describe_tree "$t")

(cd "$SRC/tree" && tar -czf "$SRC/src.tar.gz" pkg-1.0 &&
	tar -cJf "$SRC/src.tar.xz" pkg-1.0 &&
	tar --zstd -cf "$SRC/src.tar.zst" pkg-1.0) || fail "fixtures: tar failed"
/usr/bin/python3 - "$SRC" <<'EOF' || fail "fixtures: python3 failed"
import io, os, stat, sys, tarfile, zipfile
src = sys.argv[1]
tree = os.path.join(src, "tree")
with tarfile.open(os.path.join(src, "src.tar.bz2"), "w:bz2") as tar:
    tar.add(os.path.join(tree, "pkg-1.0"), arcname="pkg-1.0")

# zip: directories, files with their modes, symbolic links as zip stores them
with zipfile.ZipFile(os.path.join(src, "src.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(os.path.join(tree, "pkg-1.0")):
        for name in sorted(dirs + files):
            path = os.path.join(root, name)
            arc = os.path.relpath(path, tree)
            st = os.lstat(path)
            info = zipfile.ZipInfo.from_file(path, arc)
            info.external_attr = (st.st_mode << 16) | (0x10 if stat.S_ISDIR(st.st_mode) else 0)
            info.compress_type = zipfile.ZIP_DEFLATED
            if stat.S_ISDIR(st.st_mode):
                z.writestr(info, b"")
            elif stat.S_ISLNK(st.st_mode):
                z.writestr(info, os.readlink(path))
            else:
                with open(path, "rb") as f:
                    z.writestr(info, f.read())

# one hostile trick per archive
def tar(name, entries, mode="w"):
    with tarfile.open(os.path.join(src, name), mode) as t:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.mode = e.get("mode", 0o644)
            info.type = e.get("type", tarfile.REGTYPE)
            info.linkname = e.get("linkname", "")
            info.devmajor, info.devminor = e.get("dev", (0, 0))
            data = e.get("data", b"")
            if info.type == tarfile.REGTYPE:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)

D, L, H = tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
ok = {"name": "fine.txt", "data": b"fine\n"}
tar("dotdot.tar", [ok, {"name": "../escape", "data": b"x"}])
tar("dotdot-inner.tar", [ok, {"name": "a/../../escape", "data": b"x"}])
tar("absolute.tar", [ok, {"name": "/tmp/escape-absolute", "data": b"x"}])
tar("link-up.tar", [ok, {"name": "link", "type": L, "linkname": "../../etc"}])
tar("link-abs.tar", [ok, {"name": "link", "type": L, "linkname": "/etc"}])
tar("link-deep.tar", [ok, {"name": "a/b/link", "type": L, "linkname": "../../../x"}])
tar("link-chain.tar", [{"name": "s/e", "type": L, "linkname": "up/.."},
                       {"name": "s/up", "type": L, "linkname": ".."}])
tar("hard-up.tar", [ok, {"name": "hl", "type": H, "linkname": "../../etc/passwd"}])
tar("hard-abs.tar", [ok, {"name": "hl", "type": H, "linkname": "/etc/passwd"}])
tar("hard-through-link.tar", [{"name": "d", "type": D, "mode": 0o755},
                              {"name": "d/f", "data": b"f"},
                              {"name": "a", "type": L, "linkname": "d"},
                              {"name": "hl", "type": H, "linkname": "a/f"}])
tar("write-through-link.tar", [{"name": "d", "type": D, "mode": 0o755},
                               {"name": "a", "type": L, "linkname": "d"},
                               {"name": "a/passwd", "data": b"pwned\n"}])
tar("dir-over-link.tar", [{"name": "a", "type": L, "linkname": "."},
                          {"name": "a", "type": D, "mode": 0o755}])
tar("chardev.tar", [ok, {"name": "null", "type": tarfile.CHRTYPE, "dev": (1, 3)}])
tar("blockdev.tar", [ok, {"name": "loop", "type": tarfile.BLKTYPE, "dev": (7, 0)}])
tar("fifo.tar", [ok, {"name": "fifo", "type": tarfile.FIFOTYPE}])
# allowed, but without the bits
tar("setid.tar", [{"name": "suid", "mode": 0o4755, "data": b"#!/bin/sh\n"},
                  {"name": "sgid", "mode": 0o2755, "data": b"#!/bin/sh\n"},
                  {"name": "sticky", "type": D, "mode": 0o1777},
                  {"name": "sgiddir", "type": D, "mode": 0o2775}])
# allowed: links that stay inside, whatever the order
tar("links-inside.tar", [{"name": "a/b/up2", "type": L, "linkname": "../../top"},
                         {"name": "a/self", "type": L, "linkname": "./."},
                         {"name": "top", "data": b"top\n"},
                         {"name": "dup", "data": b"first\n"},
                         {"name": "dup", "data": b"second\n"},
                         {"name": "a/hl", "type": H, "linkname": "top"}])
# bombs: 4 MiB of zeros, 300 entries
with tarfile.open(os.path.join(src, "bomb-size.tar.gz"), "w:gz") as t:
    info = tarfile.TarInfo("zeros")
    info.size = 4 << 20
    t.addfile(info, io.BytesIO(bytes(info.size)))
tar("bomb-entries.tar", [{"name": "f%03d" % i, "data": b""} for i in range(300)])
# a failure after a good part: the good part must go too
tar("late-failure.tar", [{"name": "d", "type": D, "mode": 0o755}] +
    [{"name": "d/f%02d" % i, "data": b"data\n"} for i in range(20)] +
    [{"name": "d/null", "type": tarfile.CHRTYPE, "dev": (1, 3)}])
EOF
# An outside target for absolute links that the user could write to.
/usr/bin/python3 - "$SRC" "$OUTSIDE" <<'EOF' || fail "fixtures: python3 failed"
import io, os, sys, tarfile
with tarfile.open(os.path.join(sys.argv[1], "write-through-abs.tar"), "w") as t:
    link = tarfile.TarInfo("a")
    link.type, link.linkname = tarfile.SYMTYPE, sys.argv[2]
    t.addfile(link)
    f = tarfile.TarInfo("a/pwned")
    f.size = 6
    t.addfile(f, io.BytesIO(b"pwned\n"))
EOF
head -c 100000 "$SRC/src.tar.gz" >"$SRC/truncated.tar.gz"
head -c 5000 /dev/urandom >"$SRC/noise.tar"

# Debian packages, in the usual layout and compressions
p=$SRC/deb/jq
mkdir -p "$p/DEBIAN" "$p/usr/bin" "$p/usr/lib/x86_64-linux-gnu" "$p/usr/share/doc/jq" "$p/etc"
printf 'Package: jq\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Test <t@example.org>\nDescription: test\n' \
	>"$p/DEBIAN/control"
printf '#!/bin/sh\necho jq\n' >"$p/usr/bin/jq"
chmod 0755 "$p/usr/bin/jq"
echo lib >"$p/usr/lib/x86_64-linux-gnu/libjq.so.1.0.4"
ln -s libjq.so.1.0.4 "$p/usr/lib/x86_64-linux-gnu/libjq.so.1"
echo copyright >"$p/usr/share/doc/jq/copyright"
echo conf >"$p/etc/jq.conf"
DEBS=()
for z in xz gzip zstd none; do
	if dpkg-deb --root-owner-group -Z"$z" --build "$p" "$SRC/jq-$z.deb" >/dev/null 2>&1; then
		DEBS+=("jq-$z")
	fi
done
[ ${#DEBS[@]} -ge 3 ] || fail "fixtures: dpkg-deb built only: ${DEBS[*]}"
WANT_DEB=$(printf '%s\n' "./bin d 755 " "./bin/jq f 755 " "./etc d 755 " "./etc/jq.conf f 644 " \
	"./lib d 755 " "./lib/x86_64-linux-gnu d 755 " \
	"./lib/x86_64-linux-gnu/libjq.so.1 l 777 libjq.so.1.0.4" \
	"./lib/x86_64-linux-gnu/libjq.so.1.0.4 f 644 " \
	"./share d 755 " "./share/doc d 755 " "./share/doc/jq d 755 " \
	"./share/doc/jq/copyright f 644 ")
chmod -R a+rX "$SRC"

# ------------------------------------------------------------ the checks

# same_tree DIR: DIR holds the source tree, contents and time stamps included
same_tree() {
	local d=$1 got
	got=$(describe_tree "$d")
	[ "$got" = "$WANT_TREE" ] || {
		diff <(printf '%s\n' "$WANT_TREE") <(printf '%s\n' "$got")
		return 1
	}
	cmp "$t/random" "$d/random" && cmp "$t/sub/a.txt" "$d/sub/a.txt" &&
		[ "$(stat -c %Y "$d/sub/a.txt")" = "$(stat -c %Y "$t/sub/a.txt")" ] &&
		[ "$(stat -c %Y "$d/sub")" = "$(stat -c %Y "$t/sub")" ] &&
		[ "$(stat -c %u "$d/random")" = "$TEST_UID" ] || {
		echo "contents, owner or time stamps differ"
		return 1
	}
}

# refused NAME ARCHIVE ENTRY [OPTION...]: the unpacking fails with status 1,
# names the archive and the entry, and leaves no directory
refused() {
	local name=$1 archive=$SRC/$2 entry=$3 out=$TEST_DIR/out-$2
	shift 3
	urun "$B" unpack "$@" "$archive" "$out"
	[ "$RC" = 1 ] && [[ $ERR == *"$archive: entry '$entry': "* ]] && [ ! -e "$out" ] &&
		[ -z "$(ls -A "$OUTSIDE")" ] && [ ! -e /tmp/escape-absolute ] &&
		[ ! -e "$TEST_DIR/escape" ] && [ ! -e "$SRC/escape" ]
	verdict "$LABEL$name" 1
}

# suite [quick]: every check, or (quick, for the sanitizer build) one of
# each kind of archive and every hostile one
suite() {
	local f d z got formats=(src.tar.gz src.tar.xz src.tar.zst src.tar.bz2 src.zip) debs=("${DEBS[@]}")
	[ $# -gt 0 ] && formats=(src.tar.gz src.zip) debs=("${DEBS[0]}")
	for f in "${formats[@]}"; do
		d=$TEST_DIR/out-$f
		urun "$B" unpack --strip-components=1 "$SRC/$f" "$d"
		[ "$RC" = 0 ] && [ -z "$OUT$ERR" ]
		verdict "$LABEL$f unpacks with --strip-components=1" 0
		got=$(same_tree "$d" 2>&1)
		ok "$LABEL$f: the tree, its modes, links, contents and time stamps" "$got"
		rm -rf "$d"
	done

	if [ $# = 0 ]; then
		urun "$B" unpack "$SRC/src.tar.gz" "$TEST_DIR/nostrip"
		[ "$RC" = 0 ] && [ -f "$TEST_DIR/nostrip/pkg-1.0/sub/a.txt" ]
		verdict "${LABEL}without --strip-components the top directory stays" 0
		urun "$B" unpack --strip-components=2 "$SRC/src.tar.gz" "$TEST_DIR/strip2"
		[ "$RC" = 0 ] && [ "$(cd "$TEST_DIR/strip2" && find . | sort | tr '\n' ' ')" = \
			". ./a.txt ./deeper ./deeper/b.txt ./deeper/up ./tool " ]
		verdict "$LABEL--strip-components=2 skips the entries with fewer components" 0
		rm -rf "$TEST_DIR/nostrip" "$TEST_DIR/strip2"
	fi

	for z in "${debs[@]}"; do
		d=$TEST_DIR/out-$z
		urun "$B" unpack --deb "$SRC/$z.deb" "$d"
		[ "$RC" = 0 ] && [ "$(describe_tree "$d")" = "$WANT_DEB" ] &&
			[ "$(cat "$d/bin/jq")" = "$(cat "$p/usr/bin/jq")" ]
		verdict "$LABEL--deb $z.deb: data.tar's usr/ at the top, etc/ beside it" 0
		rm -rf "$d"
	done
	urun "$B" unpack --deb --lift-dir= "$SRC/${DEBS[0]}.deb" "$TEST_DIR/keepusr"
	[ "$RC" = 0 ] && [ -x "$TEST_DIR/keepusr/usr/bin/jq" ] && [ -f "$TEST_DIR/keepusr/etc/jq.conf" ]
	verdict "$LABEL--deb --lift-dir= keeps usr/" 0
	urun "$B" unpack --deb "$SRC/src.tar.gz" "$TEST_DIR/notdeb"
	[ "$RC" = 1 ] && [[ $ERR == *"$SRC/src.tar.gz: not a Debian package"* ]] && [ ! -e "$TEST_DIR/notdeb" ]
	verdict "$LABEL--deb with a tarball: not a Debian package" 1
	rm -rf "$TEST_DIR/keepusr"

	refused "'../escape' refused" dotdot.tar ../escape
	refused "'a/../../escape' refused" dotdot-inner.tar a/../../escape
	refused "an absolute path refused" absolute.tar /tmp/escape-absolute
	refused "symlink to ../../etc refused" link-up.tar link
	refused "symlink to /etc refused" link-abs.tar link
	refused "a/b/link to ../../../x refused" link-deep.tar a/b/link
	refused "a chain of links leading out refused (s/e -> up/.., s/up -> ..)" link-chain.tar s/e
	refused "hard link to ../../etc/passwd refused" hard-up.tar hl
	refused "hard link to /etc/passwd refused" hard-abs.tar hl
	refused "hard link through a symlink refused" hard-through-link.tar hl
	refused "writing through a symlink made by the archive refused" write-through-link.tar a/passwd
	refused "a directory replacing a symlink refused" dir-over-link.tar a/
	refused "a link to an outside directory refused before anything is written through it" \
		write-through-abs.tar a
	refused "a character device refused" chardev.tar null
	refused "a block device refused" blockdev.tar loop
	refused "a fifo refused" fifo.tar fifo
	refused "a failure at the end removes what was unpacked" late-failure.tar d/null
	[[ $ERR == *"character device"* ]]
	ok "$LABEL... and says what the entry is" "$ERR"

	d=$TEST_DIR/out-setid
	urun "$B" unpack "$SRC/setid.tar" "$d"
	[ "$RC" = 0 ] && [ "$(stat -c %a "$d/suid" "$d/sgid" "$d/sticky" "$d/sgiddir" | tr '\n' ' ')" = \
		"755 755 777 775 " ]
	verdict "${LABEL}setuid, setgid and sticky bits are dropped" 0
	d=$TEST_DIR/out-inside
	urun "$B" unpack "$SRC/links-inside.tar" "$d"
	[ "$RC" = 0 ] && [ "$(cat "$d/a/b/up2")" = top ] && [ "$(readlink "$d/a/self")" = ./. ] &&
		[ "$(cat "$d/dup")" = second ] && [ "$(stat -c %h "$d/top")" = 2 ]
	verdict "${LABEL}links that stay inside are kept; a later entry replaces an earlier file" 0
	rm -rf "$TEST_DIR/out-setid" "$d"

	urun "$B" unpack --max-size=1M "$SRC/bomb-size.tar.gz" "$TEST_DIR/bomb"
	[ "$RC" = 1 ] && [[ $ERR == *"bomb-size.tar.gz: entry 'zeros': the archive unpacks to more than 1048576 bytes"* ]] &&
		[ ! -e "$TEST_DIR/bomb" ]
	verdict "${LABEL}--max-size stops a size bomb" 1
	urun "$B" unpack --max-entries=100 "$SRC/bomb-entries.tar" "$TEST_DIR/bomb"
	[ "$RC" = 1 ] && [[ $ERR == *"bomb-entries.tar: more than 100 entries"* ]] && [ ! -e "$TEST_DIR/bomb" ]
	verdict "${LABEL}--max-entries stops an entry bomb" 1
	urun "$B" unpack "$SRC/bomb-size.tar.gz" "$TEST_DIR/bomb"
	[ "$RC" = 0 ] && [ "$(stat -c %s "$TEST_DIR/bomb/zeros")" = $((4 << 20)) ]
	verdict "${LABEL}the same archive within the default caps" 0
	rm -rf "$TEST_DIR/bomb"

	[ $# -gt 0 ] && return
	mkdir "$TEST_DIR/given"
	chown "$TEST_UID:$TEST_GID" "$TEST_DIR/given"
	urun "$B" unpack "$SRC/late-failure.tar" "$TEST_DIR/given"
	[ "$RC" = 1 ] && [ -d "$TEST_DIR/given" ] && [ -z "$(ls -A "$TEST_DIR/given")" ]
	verdict "${LABEL}an empty directory given is left empty on failure" 1
	urun "$B" unpack "$SRC/src.tar.gz" "$TEST_DIR/given"
	[ "$RC" = 0 ] && [ -f "$TEST_DIR/given/pkg-1.0/random" ]
	verdict "${LABEL}an empty directory given is filled" 0
	urun "$B" unpack "$SRC/src.tar.gz" "$TEST_DIR/given"
	[ "$RC" = 1 ] && [[ $ERR == *"given: not empty"* ]] && [ -f "$TEST_DIR/given/pkg-1.0/random" ]
	verdict "${LABEL}a directory that is not empty is refused and left alone" 1
	rm -rf "$TEST_DIR/given"

	urun "$B" unpack "$SRC/truncated.tar.gz" "$TEST_DIR/trunc"
	[ "$RC" = 1 ] && [[ $ERR == *"$SRC/truncated.tar.gz"* ]] && [ ! -e "$TEST_DIR/trunc" ]
	verdict "${LABEL}a truncated archive: an error, nothing left" 1
	urun "$B" unpack "$SRC/noise.tar" "$TEST_DIR/noise"
	[ "$RC" = 1 ] && [[ $ERR == *"$SRC/noise.tar: "* ]] && [ ! -e "$TEST_DIR/noise" ]
	verdict "${LABEL}not an archive: an error, nothing left" 1
	urun "$B" unpack "$SRC/missing.tar" "$TEST_DIR/missing"
	[ "$RC" = 1 ] && [[ $ERR == *"cannot open $SRC/missing.tar"* ]] && [ ! -e "$TEST_DIR/missing" ]
	verdict "${LABEL}a missing archive: an error, no directory made" 1
	urun "$B" unpack --strip-components=x "$SRC/src.tar.gz" "$TEST_DIR/usage"
	[ "$RC" = 2 ] && [[ $ERR == *"--strip-components x: not a number"* ]]
	verdict "${LABEL}a bad option value is a usage error" 2
}

B=$BUILDER LABEL=""
suite

# the same under the sanitizers
if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	make_test_dir SAN
	copy_artifacts "$BENTO_SAN_BUILD" "$SAN"
	if [ -n "$BUILDER" ]; then
		B=$BUILDER LABEL="[sanitizer build] "
		suite quick
	else
		skip "unpacking with the sanitizer build" "no bento-builder in $BENTO_SAN_BUILD"
	fi
fi

no_leaks "nothing left"
finish
