# Extraction is safe with hostile images: it never writes outside the target
# directory, creates symlinks as symlinks and never follows them, skips device
# nodes, FIFOs and sockets, and drops setuid/setgid bits — as the user and as
# root, through --appimage-extract, `bento extract`, the extract strategy and
# --appimage-extract-and-run.
#
# The images: a "strange" one that is a valid SquashFS (mksquashfs with
# pseudo files), and malicious ones whose names were patched after mksquashfs
# (metadata left uncompressed, same-length replacements), one trick each:
# "../escape1", "x/../../escape3", an absolute path, "..", and a directory or
# a file with the same name as a symlink to outside (so that a naive
# extractor writes through the link).
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need RUNTIME
cd "$TEST_DIR"
OUTSIDE=$TEST_DIR/outside
mkdir -m 0777 "$OUTSIDE"
make_test_dir SRC # image sources, away from the extraction places

# ------------------------------------------------------------ the strange image

s=$SRC/strange
mkdir -p "$s/sgiddir" "$s/sub"
echo normal >"$s/normal.txt"
ln "$s/normal.txt" "$s/hard"
echo inside >"$s/sgiddir/file"
echo sub >"$s/sub/file"
printf '#!/bin/sh\necho strange\n' >"$s/AppRun" && chmod 0755 "$s/AppRun"
cp "$s/AppRun" "$s/suid" && chmod 4755 "$s/suid"
cp "$s/AppRun" "$s/sgid" && chmod 2755 "$s/sgid"
chmod 2775 "$s/sgiddir"
ln -s .. "$s/link_parent"
ln -s /etc "$s/link_etc"
ln -s "$OUTSIDE/abs-target" "$s/link_abs"
ln -s ../../../../../../../../tmp "$s/link_deep"
ln -s sub "$s/link_rel"
mksquashfs "$s" "$SRC/strange.sqfs" -quiet -noappend -all-root -comp zstd \
	-p 'dev_char c 644 0 0 1 3' -p 'dev_block b 644 0 0 7 0' \
	-p 'a_fifo i 644 0 0 f' -p 'a_socket i 644 0 0 s' >/dev/null 2>&1
cat "$RUNTIME" "$SRC/strange.sqfs" >strange.AppImage
chmod 0755 strange.AppImage

# ------------------------------------------------------------ the malicious images

# Each has one trick, so that refusing one does not hide another.
MALICIOUS=()
# malicious NAME OLD NEW: image NAME from the directory $SRC/NAME.d, with its
# one name OLD replaced by NEW (of the same length) in the metadata
malicious() {
	local name=$1 img=$SRC/$1.sqfs at n
	mksquashfs "$SRC/$name.d" "$img" -quiet -noappend -all-root -noI -noX >/dev/null 2>&1 || {
		fail "crafting $name: mksquashfs failed"
		return 1
	}
	at=$(grep -boa -- "$2" "$img" | cut -d: -f1)
	n=$(wc -w <<<"$at")
	if [ "$n" != 1 ] || [ ${#2} != ${#3} ]; then
		fail "crafting $name: '$2' occurs $n times in the image"
		return 1
	fi
	printf '%s' "$3" | dd of="$img" bs=1 seek="$at" conv=notrunc status=none
	cat "$RUNTIME" "$img" >"$TEST_DIR/$name.AppImage"
	chmod 0755 "$TEST_DIR/$name.AppImage"
	MALICIOUS+=("$name")
}
mkd() { # NAME: a fresh source directory with a harmless file
	mkdir -p "$SRC/$1.d"
	echo normal >"$SRC/$1.d/normal.txt"
}
mkd m-dotdot-slash
echo escape1 >"$SRC/m-dotdot-slash.d/zzzescape1"
malicious m-dotdot-slash zzzescape1 ../escape1
mkd m-inner-dotdot
mkdir "$SRC/m-inner-dotdot.d/x"
echo escape3 >"$SRC/m-inner-dotdot.d/zzzzzzzzescape3"
malicious m-inner-dotdot zzzzzzzzescape3 x/../../escape3
mkd m-absolute
abs_name=$OUTSIDE/e4
zname=$(printf '%*s' ${#abs_name} '' | tr ' ' z)
echo escape4 >"$SRC/m-absolute.d/$zname"
malicious m-absolute "$zname" "$abs_name"
mkd m-dotdot-dir
mkdir "$SRC/m-dotdot-dir.d/Q9"
echo escape5 >"$SRC/m-dotdot-dir.d/Q9/escape5"
malicious m-dotdot-dir Q9 ..
mkd m-link-then-dir
ln -s "$OUTSIDE" "$SRC/m-link-then-dir.d/evillink0"
mkdir "$SRC/m-link-then-dir.d/evillink1"
echo payload >"$SRC/m-link-then-dir.d/evillink1/payload"
malicious m-link-then-dir evillink1 evillink0
mkd m-link-then-file
ln -s "$OUTSIDE/payload" "$SRC/m-link-then-file.d/evilfile0"
echo payload >"$SRC/m-link-then-file.d/evilfile1"
malicious m-link-then-file evilfile1 evilfile0
[ ${#MALICIOUS[@]} = 6 ]
ok "crafted ${#MALICIOUS[@]} malicious images"

# ------------------------------------------------------------ checks

# outside_writes ROOT: what the hostile images made outside ROOT
outside_writes() {
	ls -A "$OUTSIDE"
	find "$TEST_DIR" \( -name 'escape*' -o -name payload -o -name e4 \) -not -path "$1/*"
}

# check_strange ROOT LABEL: the strange image, extracted at ROOT
check_strange() {
	local r=$1 l=$2 bad="" f
	[ "$(cat "$r/normal.txt" 2>&1)" = normal ] || bad+="normal.txt: $(cat "$r/normal.txt" 2>&1)"$'\n'
	[ "$(cat "$r/sub/file" 2>&1)" = sub ] || bad+="sub/file missing"$'\n'
	[ "$(cat "$r/hard" 2>&1)" = normal ] || bad+="hard link: $(cat "$r/hard" 2>&1)"$'\n'
	for f in link_parent:.. link_etc:/etc "link_abs:$OUTSIDE/abs-target" \
		link_deep:../../../../../../../../tmp link_rel:sub; do
		if [ ! -L "$r/${f%%:*}" ]; then
			bad+="${f%%:*} is not a symlink"$'\n'
		elif [ "$(readlink "$r/${f%%:*}")" != "${f#*:}" ]; then
			bad+="${f%%:*} -> $(readlink "$r/${f%%:*}"), not ${f#*:}"$'\n'
		fi
	done
	[ -z "$bad" ]
	ok "$l: files and symlinks (as symlinks, targets unchanged)" "$bad"
	bad=""
	for f in suid:755 sgid:755 sgiddir:775; do
		[ "$(stat -c %a "$r/${f%%:*}" 2>&1)" = "${f#*:}" ] ||
			bad+="${f%%:*}: mode $(stat -c %a "$r/${f%%:*}" 2>&1), expected ${f#*:}"$'\n'
	done
	[ -z "$bad" ]
	ok "$l: setuid/setgid bits dropped" "$bad"
	bad=""
	for f in dev_char dev_block a_fifo a_socket; do
		[ -e "$r/$f" ] || [ -L "$r/$f" ] && bad+="$(ls -l "$r/$f")"$'\n'
	done
	[ -z "$bad" ]
	ok "$l: device nodes, FIFOs and sockets skipped" "$bad"
	bad=$(outside_writes "$r")
	[ -z "$bad" ]
	ok "$l: nothing written outside" "$bad"
}

# check_malicious ROOT LABEL: after extracting a malicious image at ROOT (a
# pattern): no crash (127 = refused is fine), no sanitizer report, nothing
# written outside, symlinks still symlinks
check_malicious() {
	local r=$1 l=$2 bad=""
	[ "$RC" -le 127 ] || bad+="crashed or timed out: status $RC"$'\n'
	_sanitizer_report && bad+="sanitizer report"$'\n'
	bad+=$(outside_writes "$r")
	[ -z "$bad" ]
	ok "$l: nothing written outside, no crash" "$bad"$'\n'"$(describe_run)"
	find "$OUTSIDE" -mindepth 1 -delete
	find "$TEST_DIR" \( -name 'escape*' -o -name payload -o -name e4 \) -delete
}

# in_dir NAME: a fresh directory owned by the user; cd there
in_dir() {
	mkdir -p "$TEST_DIR/$1" && chown "$TEST_UID:$TEST_GID" "$TEST_DIR/$1" && cd "$TEST_DIR/$1"
}

for who in user root; do
	run=urun
	[ $who = root ] && run=rrun
	in_dir "s-$who"
	$run ../strange.AppImage --appimage-extract
	[ "$RC" = 0 ]
	verdict "[$who] --appimage-extract of a strange image succeeds" 0
	check_strange "$PWD/squashfs-root" "[$who] --appimage-extract"

	for mi in "${MALICIOUS[@]}"; do
		in_dir "$mi-$who"
		$run ../$mi.AppImage --appimage-extract
		check_malicious "$PWD/squashfs-root" "[$who] --appimage-extract of $mi"
	done

	if [ -n "$BENTO" ]; then
		in_dir "sb-$who"
		$run ../bento extract ../strange.AppImage out
		[ "$RC" = 0 ]
		verdict "[$who] bento extract of a strange image succeeds" 0
		check_strange "$PWD/out" "[$who] bento extract"
		for mi in "${MALICIOUS[@]}"; do
			in_dir "$mi-b-$who"
			$run ../bento extract ../$mi.AppImage out
			check_malicious "$PWD/out" "[$who] bento extract of $mi"
		done
	fi
done

# the runtime's own extractions: the cache and extract-and-run
cd "$TEST_DIR"
urun BENTO_STRATEGY=extract ./strange.AppImage
expect "[extract strategy] a strange image runs" 0 strange
check_strange "$(ls -d "$USER_HOME"/.cache/bento/extract/*/ | head -n 1 | sed 's:/$::')" \
	"[extract strategy]"
urun NO_CLEANUP=1 ./strange.AppImage --appimage-extract-and-run
expect "[extract-and-run] a strange image runs" 0 strange
check_strange "$(ls -d "$USER_TMP"/appimage_extracted_*/ | head -n 1 | sed 's:/$::')" \
	"[extract-and-run]"
rm -rf "$USER_TMP"/appimage_extracted_*
for mi in "${MALICIOUS[@]}"; do
	urun BENTO_STRATEGY=extract ./$mi.AppImage
	check_malicious "$USER_HOME/.cache/bento/extract/*" "[extract strategy] $mi"
	urun ./$mi.AppImage --appimage-extract-and-run
	check_malicious "$USER_TMP/appimage_extracted_*" "[extract-and-run] $mi"
	rm -rf "$USER_TMP"/appimage_extracted_*
done

# the same extraction code under the sanitizers
if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	make_test_dir SAN
	copy_artifacts "$BENTO_SAN_BUILD" "$SAN"
	if [ -n "$RUNTIME" ]; then
		in_dir san
		urun TARGET_APPIMAGE=../strange.AppImage "$RUNTIME" --appimage-extract
		[ "$RC" = 0 ]
		verdict "[sanitizer build] --appimage-extract of a strange image" 0
		check_strange "$PWD/squashfs-root" "[sanitizer build] --appimage-extract"
		for mi in "${MALICIOUS[@]}"; do
			in_dir "san-$mi"
			urun TARGET_APPIMAGE=../$mi.AppImage "$RUNTIME" --appimage-extract
			check_malicious "$PWD/squashfs-root" "[sanitizer build] --appimage-extract of $mi"
		done
	else
		skip "extraction with the sanitizer build" "no bento-runtime in $BENTO_SAN_BUILD"
	fi
fi

cd "$TEST_DIR"
no_leaks "nothing left"
finish
