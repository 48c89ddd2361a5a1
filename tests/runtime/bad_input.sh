# Bad input: the runtime says in one line on stderr which file and what is
# wrong, and exits with 127, within 2 s — for truncated files, corrupt
# superblocks, a missing payload, files that are no AppImage, unreadable
# files.  Repeated with the sanitizer build when there is one.
. "$(dirname "$0")/../lib.sh" "$@"

# one_bad NAME FILE_NAMED -- [VAR=VALUE...] CMD...: run as the user and check
one_bad() {
	local name=$1 named=$2 lines
	shift 3
	urun "$@"
	lines=$(grep -c '' <<<"$ERR")
	[ "$RC" = 127 ] && [ -n "$ERR" ] && [ "$lines" = 1 ] && [[ $ERR == *"$named"* ]] &&
		[ "$MS" -lt 2000 ]
	verdict "$name: one line naming '$named', status 127, < 2 s" 127
}

# patch FILE AT BYTE COUNT: overwrite COUNT bytes at AT with BYTE (octal)
patch() {
	head -c "$4" /dev/zero | tr '\0' "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# bad_inputs SUFFIX: with RUNTIME, APPIMG (and BENTO) in $TEST_DIR
bad_inputs() {
	local sfx=$1 size offset used rt
	cd "$TEST_DIR"
	rt=./$(basename "$RUNTIME")
	size=$(stat -c %s "$APPIMG")
	offset=$(as_user "$APPIMG" --appimage-offset)
	[[ $offset =~ ^[0-9]+$ ]] || {
		fail "--appimage-offset works$sfx (needed to make bad files)" "$offset"
		return
	}
	used=$(od -An -tu8 -j $((offset + 40)) -N8 "$APPIMG" | tr -d ' ')

	# truncated: the first half (which may end inside the runtime itself, so
	# the runtime opens it by TARGET_APPIMAGE), and inside the payload
	head -c $((size / 2)) "$APPIMG" >half.AppImage
	head -c $((offset + 100)) "$APPIMG" >sb-only.AppImage
	head -c $((offset + used - 1)) "$APPIMG" >short.AppImage
	cp "$APPIMG" sb-ff.AppImage && patch sb-ff.AppImage $((offset + 4)) 377 92
	cp "$APPIMG" sb-a5.AppImage && patch sb-a5.AppImage $((offset + 4)) 245 92
	cp "$APPIMG" no-magic.AppImage && patch no-magic.AppImage "$offset" 000 4
	cp "$APPIMG" big-used.AppImage && patch big-used.AppImage $((offset + 40)) 177 8
	inode_table=$(od -An -tu8 -j $((offset + 64)) -N8 "$APPIMG" | tr -d ' ')
	cp "$APPIMG" inodes.AppImage && patch inodes.AppImage $((offset + inode_table)) 132 64
	chmod 0755 ./*.AppImage
	: >empty
	cp "$APPIMG" unreadable.AppImage && chmod 000 unreadable.AppImage
	cp "$APPIMG" exec-only.AppImage && chmod 0111 exec-only.AppImage

	one_bad "truncated to its first half (TARGET_APPIMAGE)$sfx" half.AppImage -- \
		TARGET_APPIMAGE=half.AppImage "$rt"
	if [ -z "$sfx" ]; then
		# The static runtime checks its own length before the C library
		# starts (runtime/stub/entry.c), so even a file cut inside the
		# runtime, run directly, reports it (from 3 KiB on: below that the
		# kernel cannot even load the check).
		one_bad "truncated to its first half, run directly" half.AppImage -- ./half.AppImage
		for cut in 3072 65536 $((offset - 1)); do
			head -c $cut "$APPIMG" >cut-$cut.AppImage && chmod 0755 cut-$cut.AppImage
			one_bad "truncated to $cut bytes (inside the runtime), run directly" \
				cut-$cut.AppImage -- ./cut-$cut.AppImage
		done
	fi
	one_bad "truncated 100 bytes into the payload$sfx" sb-only.AppImage -- ./sb-only.AppImage
	one_bad "truncated by the payload's last byte$sfx" short.AppImage -- ./short.AppImage
	one_bad "superblock overwritten with 0xff$sfx" sb-ff.AppImage -- ./sb-ff.AppImage
	one_bad "superblock overwritten with 0xa5$sfx" sb-a5.AppImage -- ./sb-a5.AppImage
	one_bad "SquashFS magic zeroed$sfx" no-magic.AppImage -- ./no-magic.AppImage
	one_bad "bytes_used beyond the end of the file$sfx" big-used.AppImage -- ./big-used.AppImage
	one_bad "inode table overwritten$sfx" inodes.AppImage -- ./inodes.AppImage
	one_bad "the bare runtime run by itself$sfx" "$(basename "$RUNTIME")" -- "$rt"
	one_bad "the bare runtime as TARGET_APPIMAGE$sfx" "$(basename "$RUNTIME")" -- \
		TARGET_APPIMAGE="$RUNTIME" "$rt"
	one_bad "TARGET_APPIMAGE=/etc/passwd$sfx" passwd -- TARGET_APPIMAGE=/etc/passwd "$rt"
	one_bad "TARGET_APPIMAGE=/bin/true$sfx" true -- TARGET_APPIMAGE=/bin/true "$rt"
	one_bad "TARGET_APPIMAGE=an empty file$sfx" empty -- TARGET_APPIMAGE=empty "$rt"
	one_bad "TARGET_APPIMAGE=a directory$sfx" /usr/share -- TARGET_APPIMAGE=/usr/share "$rt"
	one_bad "TARGET_APPIMAGE=a missing file$sfx" /no/such/file -- TARGET_APPIMAGE=/no/such/file "$rt"
	one_bad "TARGET_APPIMAGE=an unreadable file (mode 000)$sfx" unreadable.AppImage -- \
		TARGET_APPIMAGE=unreadable.AppImage "$rt"
	one_bad "an executable but unreadable file (mode 0111)$sfx" exec-only.AppImage -- ./exec-only.AppImage
	one_bad "options on a corrupt file: --appimage-extract$sfx" sb-ff.AppImage -- \
		./sb-ff.AppImage --appimage-extract
	one_bad "options on a corrupt file: --appimage-mount$sfx" sb-ff.AppImage -- \
		./sb-ff.AppImage --appimage-mount
	one_bad "options on a corrupt file: --bento-strategy=extract$sfx" inodes.AppImage -- \
		./inodes.AppImage --bento-strategy=extract
	[ ! -e squashfs-root ] || [ -z "$(ls -A squashfs-root)" ]
	ok "nothing extracted from a corrupt file$sfx"

	if [ -n "$BENTO" ]; then
		local bento=./$(basename "$BENTO")
		one_bad "bento run: truncated to its first half$sfx" half.AppImage -- "$bento" run half.AppImage
		one_bad "bento run: superblock overwritten$sfx" sb-ff.AppImage -- "$bento" run sb-ff.AppImage
		one_bad "bento run: an unreadable file$sfx" unreadable.AppImage -- "$bento" run unreadable.AppImage
		one_bad "bento run: not an AppImage$sfx" passwd -- "$bento" run /etc/passwd
		urun "$bento" info sb-ff.AppImage
		[ "$RC" != 0 ] && [ -n "$ERR" ] && [[ $ERR == *sb-ff.AppImage* ]]
		verdict "bento info: a corrupt file is reported, non-zero status$sfx"
		urun "$bento" info half.AppImage
		[ "$RC" != 0 ] && [ -n "$ERR" ]
		verdict "bento info: a truncated file is reported, non-zero status$sfx"
	fi
}

make_test_dir
copy_artifacts
need RUNTIME APPIMG
bad_inputs ""
no_leaks "nothing left"

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	make_test_dir
	copy_artifacts "$BENTO_SAN_BUILD"
	if [ -n "$RUNTIME" ] && [ -n "$APPIMG" ]; then
		bad_inputs " [sanitizer build]"
		no_leaks "nothing left [sanitizer build]"
	else
		skip "bad input with the sanitizer build" "no runtime or hello AppImage in $BENTO_SAN_BUILD"
	fi
fi
finish
