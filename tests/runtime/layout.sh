# The file layout: AppImage Type 2 magic and sections, a static stripped
# stub of bounded size, the payload at the end of the ELF, and
# --appimage-offset agreeing with unsquashfs.
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need RUNTIME APPIMG
cd "$TEST_DIR"

# section_size FILE NAME: the size (decimal) of an ELF section, empty if none
section_size() {
	local hex
	hex=$(readelf -S -W "$1" 2>/dev/null | awk -v n="$2" '{
		for (i = 1; i <= NF; i++) if ($i == n) { print $(i + 4); exit }
	}')
	[ -n "$hex" ] && echo $((16#$hex))
}

# elf_end FILE: where the ELF ends (end of the section header table)
elf_end() {
	readelf -h "$1" 2>/dev/null | awk -F: '
		/Start of section headers/ { split($2, a, " "); shoff = a[1] }
		/Size of section headers/ { split($2, a, " "); shentsize = a[1] }
		/Number of section headers/ { split($2, a, " "); shnum = a[1] }
		END { if (shoff != "") print shoff + shentsize * shnum }'
}

for f in "$RUNTIME" "$APPIMG"; do
	b=$(basename "$f")
	magic=$(od -An -tx1 -j8 -N3 "$f" | tr -d ' \n')
	[ "$magic" = 414902 ]
	ok "$b: AppImage Type 2 magic 41 49 02 at offset 8" "found: $magic"
	for s in .upd_info:1024 .sha256_sig:1024 .sig_key:8192 .digest_md5:16; do
		got=$(section_size "$f" "${s%%:*}")
		[ "$got" = "${s#*:}" ]
		ok "$b: section ${s%%:*} of ${s#*:} bytes" "size: ${got:-no such section}"
	done
done

b=$(basename "$RUNTIME")
readelf -h "$RUNTIME" | grep -Eq 'Machine:[[:space:]]+Advanced Micro Devices X86-64'
ok "$b: x86-64 ELF"
ph=$(readelf -l -W "$RUNTIME" 2>&1)
! grep -q INTERP <<<"$ph"
ok "$b: static (no PT_INTERP)" "$ph"
dyn=$(readelf -d -W "$RUNTIME" 2>&1)
! grep -q '(NEEDED)' <<<"$dyn"
ok "$b: needs no shared library (no DT_NEEDED)" "$dyn"
sec=$(readelf -S -W "$RUNTIME" 2>&1)
! grep -Eq '[[:space:]]\.(symtab|strtab|debug_[a-z]+)[[:space:]]' <<<"$sec"
ok "$b: stripped (no .symtab/.strtab/.debug_*)" "$sec"
size=$(stat -c %s "$RUNTIME")
mib=$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }')
# (1.5 MiB until the runtime checked signatures itself, to tell which key an
# app id belongs to: libcrypto's SHA-256 is 18 KB of it.  The guard is for
# the accidents, such as a library that pulls in glibc's iconv or dlopen.)
[ "$size" -le $((7 * 1048576 / 4)) ]
ok "$b: stub size $size bytes ($mib MiB) <= 1.75 MiB (aim: 1 MiB)"
# It really runs without a loader: a static binary execs in an empty root.
# (No loader or library is reachable there.)
mkdir -p chroot && cp "$RUNTIME" chroot/rt
out=$(unshare -R chroot /rt --appimage-version 2>&1)
rc=$?
[ $rc = 0 ] && [[ $out == *bento* ]]
ok "$b: runs in an empty root (no loader, no libraries)" "status $rc: $out"

# The payload: at the end of the ELF, which is where the stub ends.
b=$(basename "$APPIMG")
urun ./"$b" --appimage-offset
offset=$OUT
[ "$RC" = 0 ] && [[ $offset =~ ^[0-9]+$ ]]
verdict "--appimage-offset prints a number and exits 0 ($offset)" 0
end=$(elf_end "$APPIMG")
[ "$offset" = "$end" ]
ok "$b: payload offset = end of the ELF ($end)" "offset: $offset"
[ "$offset" = "$size" ]
ok "$b: payload offset = size of bento-runtime ($size)" "offset: $offset"
sq=$(od -An -c -j "${offset:-0}" -N4 "$APPIMG" | tr -d ' \n')
[ "$sq" = hsqs ]
ok "$b: SquashFS magic 'hsqs' at the offset" "found: $sq"
list=$(unsquashfs -o "${offset:-0}" -l "$APPIMG" 2>&1)
rc=$?
[ $rc = 0 ] && grep -qx 'squashfs-root/AppRun' <<<"$list" &&
	grep -qx 'squashfs-root/usr/bin/hello' <<<"$list" &&
	grep -Eqx 'squashfs-root/[^/]+\.desktop' <<<"$list"
ok "unsquashfs -o OFFSET -l lists the tree (AppRun, usr/bin/hello, *.desktop)" "status $rc: $list"
# The AppImage's runtime part is bento-runtime with its sections filled in.
cmp -s -n 8 "$RUNTIME" "$APPIMG"
ok "$b: starts with the bento runtime"

finish
