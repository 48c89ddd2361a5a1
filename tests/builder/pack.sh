#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks `bento-builder pack`: the image it writes is complete and readable by
# squashfs-tools (and squashfuse when FUSE is available), reproducible, and bad
# AppDirs are refused with a clear message and no output.
#
# Usage: tests/builder/pack.sh BUILD_DIR
# Needs: squashfs-tools (unsquashfs); optionally squashfuse.
# Prints PASS:/FAIL:/SKIP: lines; exits non-zero if any check failed.
. "$(dirname "$0")/../lib.sh" "$@"

BB=$BUILD_DIR/builder/bento-builder
RUNTIME=${BENTO_RUNTIME:-$BUILD_DIR/runtime/stub/bento-runtime}
[ -f "$RUNTIME" ] || RUNTIME=$(find "$BUILD_DIR" -name bento-runtime -type f -print -quit)
if [ ! -x "$BB" ] || [ ! -f "$RUNTIME" ]; then
	fail "setup (need $BB and the runtime stub bento-runtime in $BUILD_DIR)"
	exit 1
fi
command -v unsquashfs >/dev/null || { fail "setup (unsquashfs not installed)"; exit 1; }

RT=$(stat -c %s "$RUNTIME")
# (tests/lib.sh unmounts what is left mounted below it and removes it on exit)
make_test_dir T
umask 022
unset SOURCE_DATE_EPOCH

# ---- a small AppDir ----

make_appdir() {
	local d=$1
	mkdir -p "$d/usr/bin" "$d/usr/lib" "$d/usr/share/a/b/c" "$d/usr/share/empty-dir"
	# shellcheck disable=SC2016 # the $ is for the script
	printf '#!/bin/sh\necho "hello from $(basename "$0")"\n' >"$d/AppRun"
	chmod 0755 "$d/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=Demo\nExec=AppRun\nIcon=demo\nCategories=Utility;\n' \
		>"$d/demo.desktop"
	# A PNG signature and a few bytes: the builder only checks that the file exists.
	printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$d/demo.png"
	printf '#!/bin/sh\nexit 0\n' >"$d/usr/bin/tool"
	chmod 0755 "$d/usr/bin/tool"
	ln -s tool "$d/usr/bin/tool-link"
	ln -s ../../nowhere "$d/usr/lib/dangling-link"
	: >"$d/usr/share/empty-file"
	head -c 131072 /dev/urandom >"$d/usr/share/exactly-one-block"
	head -c 3000000 /dev/urandom >"$d/usr/lib/random-3MB"
	ln "$d/usr/lib/random-3MB" "$d/usr/lib/hard-link-to-random"
	echo secret >"$d/usr/share/private"
	chmod 0600 "$d/usr/share/private"
	echo deep >"$d/usr/share/a/b/c/deep.txt"
	# Whole blocks of zeros become sparse blocks in the image.
	{ head -c 400000 /dev/zero; echo tail; } >"$d/usr/lib/mostly-zeros"
	# Stored as they are; dropping such bits is the runtime's business.
	cp "$d/usr/bin/tool" "$d/usr/bin/setuid-tool"
	chmod 4755 "$d/usr/bin/setuid-tool"
}

# The tree as "path mode link-target" lines, for comparing modes and targets.
describe_tree() {
	(cd "$1" && find . -path ./.DirIcon -prune -o -printf '%P %M %l\n' | sort)
}

# superblock_u32 FILE OFFSET_IN_SUPERBLOCK
superblock_u32() {
	od -An -tu4 -j $((RT + $2)) -N4 "$1" | tr -d ' '
}
superblock_u16() {
	od -An -tu2 -j $((RT + $2)) -N2 "$1" | tr -d ' '
}

same_bytes() { # same_bytes FILE FILE...
	local first=$1 f
	shift
	for f; do cmp -s "$first" "$f" || return 1; done
}

# extracts_intact FILE OFFSET DEST: unsquashfs reads it and finds the AppDir.
extracts_intact() {
	rm -rf "$3"
	unsquashfs -q -n -o "$2" -d "$3" "$1" >/dev/null 2>&1 &&
		diff -r --no-dereference -x .DirIcon "$APP" "$3"
}

compressor_is() { # compressor_is FILE NAME ID
	[ "$(superblock_u16 "$1" 20)" = "$3" ] &&
		unsquashfs -o "$RT" -s "$1" | grep -qx "Compression $2"
}

prints() { # prints PATTERN CMD...: CMD succeeds and its output matches
	local pattern=$1 out
	shift
	out=$("$@") && grep -q -- "$pattern" <<<"$out"
}

APP=$T/Demo.AppDir
make_appdir "$APP"
DEST=$T/out
mkdir -p "$DEST"

# ---- a good AppDir ----

"$BB" pack "$APP" -o "$DEST/Demo.AppImage"
status=$?
check "pack exits 0" test "$status" -eq 0 -a -f "$DEST/Demo.AppImage"
check "output is executable (mode 755)" test -x "$DEST/Demo.AppImage" -a \
	"$(stat -c %a "$DEST/Demo.AppImage")" = 755
check "output starts with the runtime" cmp -s -n "$RT" "$RUNTIME" "$DEST/Demo.AppImage"
check "image padded to 4 KiB" test $((($(stat -c %s "$DEST/Demo.AppImage") - RT) % 4096)) -eq 0
check "no temporary file left" test "$(ls -A "$DEST")" = Demo.AppImage

listed=$(unsquashfs -o "$RT" -l "$DEST/Demo.AppImage" | sed -n 's|^squashfs-root||p' | sort)
expected=$( (cd "$APP" && find . | sed 's|^\.||'; echo /.DirIcon) | sort)
check "unsquashfs -l lists the tree" test "$listed" = "$expected"

X=$T/extracted
unsquashfs -q -n -o "$RT" -d "$X" "$DEST/Demo.AppImage" >/dev/null 2>&1
check "unsquashfs extracts it" test -d "$X/usr/share/a/b/c"
check "extracted contents equal the AppDir" diff -r --no-dereference -x .DirIcon "$APP" "$X"
check "modes and symlink targets preserved" test "$(describe_tree "$APP")" = "$(describe_tree "$X")"
check ".DirIcon links to the icon" test "$(readlink "$X/.DirIcon")" = demo.png
check "hard links keep their data" cmp -s "$X/usr/lib/random-3MB" "$X/usr/lib/hard-link-to-random"
check "the AppDir is left untouched" test ! -e "$APP/.DirIcon"
owners=$(unsquashfs -o "$RT" -lln "$DEST/Demo.AppImage" | awk '/squashfs-root/ {print $2}' | sort -u)
check "every file owned by root (0/0)" test "$owners" = 0/0
check "mkfs time is 0 without SOURCE_DATE_EPOCH" test "$(superblock_u32 "$DEST/Demo.AppImage" 8)" = 0

if command -v squashfuse >/dev/null && [ -e /dev/fuse ] && mkdir -p "$T/mnt" &&
	squashfuse -o offset="$RT" "$DEST/Demo.AppImage" "$T/mnt" 2>/dev/null; then
	check "squashfuse mounts it with the same contents" \
		diff -r --no-dereference -x .DirIcon "$APP" "$T/mnt"
	{ fusermount3 -u "$T/mnt" || fusermount -u "$T/mnt"; } 2>/dev/null
else
	skip "squashfuse mount" "no squashfuse or no FUSE here"
fi

if [ "$(id -u)" = 0 ] && mkdir -p "$T/kmnt" &&
	mount -t squashfs -o loop,ro,offset="$RT" "$DEST/Demo.AppImage" "$T/kmnt" 2>/dev/null; then
	check "the kernel mounts it with the same contents" \
		diff -r --no-dereference -x .DirIcon "$APP" "$T/kmnt"
	umount "$T/kmnt"
else
	skip "kernel mount" "not root, or no loop devices or squashfs here"
fi

# ---- reproducibility ----

"$BB" pack "$APP" -o "$DEST/again.AppImage"
check "same AppDir twice gives identical bytes" cmp -s "$DEST/Demo.AppImage" "$DEST/again.AppImage"

sleep 1.1
"$BB" pack "$APP" -o "$DEST/later.AppImage"
check "identical at a different wall-clock second" cmp -s "$DEST/Demo.AppImage" "$DEST/later.AppImage"

cp -a "$APP" "$T/elsewhere"
touch "$T/elsewhere/usr/share/private" "$T/elsewhere/usr"
"$BB" pack "$T/elsewhere" -o "$DEST/elsewhere.AppImage"
check "identical from a copy at another path with new mtimes" \
	cmp -s "$DEST/Demo.AppImage" "$DEST/elsewhere.AppImage"

# cp -r without -a breaks the hard link: the image must not notice.
cp -r --preserve=mode "$APP" "$T/unlinked"
"$BB" pack "$T/unlinked" -o "$DEST/unlinked.AppImage"
check "identical when hard links became copies" cmp -s "$DEST/Demo.AppImage" "$DEST/unlinked.AppImage"

for j in 1 2 4; do
	"$BB" pack -j "$j" "$APP" -o "$DEST/j$j.AppImage"
done
check "identical with 1, 2 and 4 compression threads" \
	same_bytes "$DEST/j1.AppImage" "$DEST/j2.AppImage" "$DEST/j4.AppImage"

SOURCE_DATE_EPOCH=1700000000 "$BB" pack "$APP" -o "$DEST/sde.AppImage"
check "SOURCE_DATE_EPOCH sets the mkfs time" test "$(superblock_u32 "$DEST/sde.AppImage" 8)" = 1700000000
unsquashfs -q -n -o "$RT" -d "$T/sde" "$DEST/sde.AppImage" >/dev/null 2>&1
mtimes=$(find "$T/sde" ! -type l -printf '%T@\n' | sed 's/\..*//' | sort -u)
check "SOURCE_DATE_EPOCH sets every mtime" test "$mtimes" = 1700000000
SOURCE_DATE_EPOCH=1700000000 "$BB" pack "$T/elsewhere" -o "$DEST/sde2.AppImage"
check "identical with the same SOURCE_DATE_EPOCH" cmp -s "$DEST/sde.AppImage" "$DEST/sde2.AppImage"

# ---- settings ----

for c in gzip:1 xz:4 lz4:5 zstd:6; do
	name=${c%:*} id=${c#*:}
	"$BB" pack --compression "$name" "$APP" -o "$DEST/$name.AppImage"
	check "--compression $name: superblock compressor id $id" \
		compressor_is "$DEST/$name.AppImage" "$name" "$id"
	check "--compression $name: unsquashfs extracts it intact" \
		extracts_intact "$DEST/$name.AppImage" "$RT" "$T/x-$name"
done
check "zstd is the default" cmp -s "$DEST/Demo.AppImage" "$DEST/zstd.AppImage"

"$BB" pack --compression xz --compression-level 9 "$APP" -o "$DEST/xz9.AppImage"
check "--compression-level is accepted and readable" \
	extracts_intact "$DEST/xz9.AppImage" "$RT" "$T/xz9"

for bs in 4096:4096 1M:1048576; do
	arg=${bs%:*} bytes=${bs#*:}
	"$BB" pack --block-size "$arg" "$APP" -o "$DEST/bs-$arg.AppImage"
	check "--block-size $arg: superblock block size $bytes" \
		test "$(superblock_u32 "$DEST/bs-$arg.AppImage" 12)" = "$bytes"
	check "--block-size $arg: unsquashfs extracts it intact" \
		extracts_intact "$DEST/bs-$arg.AppImage" "$RT" "$T/bs-$arg"
done

cp "$RUNTIME" "$T/custom-runtime"
head -c 1000 /dev/urandom >>"$T/custom-runtime"
"$BB" pack --runtime "$T/custom-runtime" "$APP" -o "$DEST/custom.AppImage"
CRT=$(stat -c %s "$T/custom-runtime")
check "--runtime FILE is prepended instead" cmp -s -n "$CRT" "$T/custom-runtime" "$DEST/custom.AppImage"
check "--runtime FILE: the image follows it" extracts_intact "$DEST/custom.AppImage" "$CRT" "$T/custom"

printf old >"$DEST/replace.AppImage"
"$BB" pack "$APP" -o "$DEST/replace.AppImage"
check "an existing FILE is replaced" cmp -s "$DEST/Demo.AppImage" "$DEST/replace.AppImage"

# ---- refusals ----

# refuse NAME STATUS KEYWORD PACK-ARGS...: pack must exit with STATUS, say
# KEYWORD on stderr and leave its output directory empty.
refuse() {
	local name=$1 status=$2 keyword=$3
	shift 3
	local dir=$T/refused-$RANDOM$RANDOM
	mkdir "$dir"
	"$BB" pack "$@" -o "$dir/Bad.AppImage" 2>"$T/err" >/dev/null
	local got=$?
	if [ "$got" -ne "$status" ]; then
		fail "$name" "exit status $got, expected $status: $(cat "$T/err")"
	elif ! grep -q -- "$keyword" "$T/err"; then
		fail "$name" "message lacks '$keyword': $(cat "$T/err")"
	elif [ -n "$(ls -A "$dir")" ]; then
		fail "$name" "left $(ls -A "$dir")"
	else
		pass "$name"
	fi
}

bad() { # bad NAME: a fresh copy of the good AppDir to break
	rm -rf "${T:?}/$1"
	cp -a "$APP" "$T/$1"
	echo "$T/$1"
}

d=$(bad no-apprun) && rm "$d/AppRun"
refuse "missing AppRun" 1 "AppRun is missing" "$d"
d=$(bad noexec-apprun) && chmod 0644 "$d/AppRun"
refuse "non-executable AppRun" 1 "AppRun is not executable" "$d"
d=$(bad escaping-apprun) && rm "$d/AppRun" && ln -s ../elsewhere/AppRun "$d/AppRun"
refuse "AppRun symlink out of the AppDir" 1 "outside the AppDir" "$d"
d=$(bad absolute-apprun) && rm "$d/AppRun" && ln -s /bin/sh "$d/AppRun"
refuse "AppRun symlink to an absolute path" 1 "outside the AppDir" "$d"
d=$(bad dangling-apprun) && rm "$d/AppRun" && ln -s usr/bin/missing "$d/AppRun"
refuse "dangling AppRun symlink" 1 "dangling" "$d"
d=$(bad linked-apprun) && rm "$d/AppRun" && ln -s usr/bin/tool "$d/AppRun"
"$BB" pack "$d" -o "$DEST/linked.AppImage"
status=$?
check "AppRun symlink inside the AppDir is fine" test "$status" -eq 0
d=$(bad two-desktop) && cp "$d/demo.desktop" "$d/other.desktop"
refuse "two desktop files" 1 ".desktop files" "$d"
d=$(bad no-desktop) && rm "$d/demo.desktop"
refuse "no desktop file" 1 "no .desktop file" "$d"
d=$(bad no-icon-key) && sed -i '/^Icon=/d' "$d/demo.desktop"
refuse "desktop file without Icon=" 1 "no Icon= key" "$d"
d=$(bad no-icon) && rm "$d/demo.png"
refuse "missing icon" 1 "icon is missing" "$d"
d=$(bad fifo) && mkfifo "$d/usr/share/a/pipe"
refuse "fifo inside the AppDir" 1 "usr/share/a/pipe: is a fifo" "$d"
SOURCE_DATE_EPOCH=yesterday refuse "malformed SOURCE_DATE_EPOCH" 1 SOURCE_DATE_EPOCH "$APP"
SOURCE_DATE_EPOCH=-1 refuse "negative SOURCE_DATE_EPOCH" 1 SOURCE_DATE_EPOCH "$APP"
refuse "nonexistent APPDIR" 1 "does not exist" "$T/no-such-dir"
refuse "APPDIR is a file" 1 "not a directory" "$APP/AppRun"
refuse "unknown option" 2 "unknown option" --frobnicate "$APP"
refuse "unknown compressor" 2 "--compression" --compression lzo "$APP"
refuse "bad block size" 2 "--block-size" --block-size 3000 "$APP"
refuse "level out of range" 2 "--compression-level" --compression-level 99 "$APP"
refuse "--runtime that is no runtime" 1 "not an AppImage type 2 runtime" --runtime "$APP/AppRun" "$APP"

d=$(bad fifo2) && mkfifo "$d/pipe"
printf old >"$DEST/keep.AppImage"
"$BB" pack "$d" -o "$DEST/keep.AppImage" 2>/dev/null
check "a failed pack leaves an existing FILE alone" test "$(cat "$DEST/keep.AppImage")" = old
check "a failed pack leaves no temporary file" test -z "$(find "$DEST" -name '.keep.AppImage.*')"

"$BB" pack "$APP" -o "$APP/inside.AppImage" 2>"$T/err"
status=$?
check "output inside the AppDir is refused" test "$status" -eq 2 -a ! -e "$APP/inside.AppImage"

# ---- the command line ----

check "--help" prints "pack" "$BB" --help
check "pack --help" prints "--compression" "$BB" pack --help
check "--version" prints "^bento-builder [0-9]" "$BB" --version
"$BB" frobnicate >/dev/null 2>&1
status=$?
check "unknown verb is a usage error (2)" test "$status" -eq 2
"$BB" >/dev/null 2>&1
status=$?
check "no verb is a usage error (2)" test "$status" -eq 2

finish
