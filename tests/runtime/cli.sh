# The bento command: run, info, extract, help and version.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BENTO APPIMG

# ------------------------------------------------------------ help, version

urun ./bento --help
[ "$RC" = 0 ] && [ -n "$OUT" ] && grep -q run <<<"$OUT" && grep -q info <<<"$OUT" &&
	grep -q extract <<<"$OUT"
verdict "bento --help names run, info, extract; status 0" 0
urun ./bento --version
[ "$RC" = 0 ] && [ -n "$OUT" ]
verdict "bento --version prints a version; status 0" 0
for verb in run info extract; do
	urun ./bento $verb --help
	[ "$RC" = 0 ] && [ -n "$OUT" ] && grep -q "$verb" <<<"$OUT"
	verdict "bento $verb --help; status 0" 0
done
urun ./bento no-such-verb
[ "$RC" != 0 ] && [ -n "$ERR" ]
verdict "bento no-such-verb: an error and a non-zero status"
urun ./bento
[ "$RC" != 0 ] && [ -n "$OUT$ERR" ]
verdict "bento without a verb: usage and a non-zero status"

# ------------------------------------------------------------ run

urun ./bento run "$b" a "" "--appimage-offset" "--strategy=extract"
expect "bento run FILE ARGS: like running the file" 0 "$(hello_out a "" "--appimage-offset" "--strategy=extract")"
urun HELLO_EXIT=42 ./bento run "$b"
expect "bento run: the app's exit status" 42 "$(hello_out)"
for s in userns fusermount extract; do
	urun BENTO_DEBUG=1 ./bento run --strategy=$s "$b" x
	[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out x)" ] && grep -qx "bento: strategy: $s" "$ERR_FILE"
	verdict "bento run --strategy=$s FILE" 0
done
urun HELLO_ENV=1 ./bento run "$b"
[ "$RC" = 0 ] && grep -qxF "APPIMAGE=[$APPIMG]" "$OUT_FILE" && grep -qx "uid=$TEST_UID gid=$TEST_GID" "$OUT_FILE"
verdict "bento run: APPIMAGE is the file, the app runs as the user" 0

# ------------------------------------------------------------ info

offset=$(as_user ./"$b" --appimage-offset)
urun ./bento info "$b"
info=$OUT
field() {
	sed -n "s/^$1: //p" <<<"$info"
}
sq=$(unsquashfs -s -o "${offset:-0}" "$APPIMG" 2>/dev/null)
[ "$RC" = 0 ]
verdict "bento info FILE: status 0" 0
[ "$(field Offset)" = "$offset" ]
ok "bento info: Offset ($(field Offset)) = --appimage-offset" "$info"
ps=$(field 'Payload size')
[[ $ps =~ ^[0-9]+$ ]] && [ "$ps" -gt 0 ] && [ "$ps" -le $(($(stat -c %s "$APPIMG") - ${offset:-0})) ]
ok "bento info: Payload size ($ps) fits in the file" "$info"
comp=$(sed -n 's/^Compression //p' <<<"$sq")
[ "$(field Compression)" = zstd ] && [ "$comp" = zstd ]
ok "bento info: Compression: zstd (unsquashfs agrees)" "$info"$'\n'"$sq"
bs=$(sed -n 's/^Block size //p' <<<"$sq")
[ "$(field 'Block size')" = "$bs" ] && [ -n "$bs" ]
ok "bento info: Block size ($(field 'Block size')) = unsquashfs's" "$info"$'\n'"$sq"
[ "$(field Name)" = Hello ]
ok "bento info: Name: Hello" "$info"
grep -q '^Update information:' <<<"$info"
ok "bento info: an Update information line" "$info"
[[ $(field Signature) =~ ^(none|present)$ ]]
ok "bento info: Signature: none|present" "$info"
# with update information embedded by another tool
upd='zsync|https://example.invalid/hello.zsync'
cp "$APPIMG" upd.AppImage
hex=$(readelf -S -W upd.AppImage | awk '{ for (i = 1; i <= NF; i++) if ($i == ".upd_info") print $(i + 3) }')
printf '%s' "$upd" | dd of=upd.AppImage bs=1 seek=$((16#${hex:-0})) conv=notrunc status=none
urun ./bento info upd.AppImage
[ "$RC" = 0 ] && grep -qxF "Update information: $upd" <<<"$OUT"
verdict "bento info: Update information shows the embedded string" 0
urun ./bento info /etc/passwd
[ "$RC" != 0 ] && [[ $ERR == *passwd* ]]
verdict "bento info on a file that is no AppImage: an error naming it"

# ------------------------------------------------------------ extract

unsquashfs -q -d ref -o "${offset:-0}" "$APPIMG" >/dev/null 2>&1
mkdir x1 x2 && chown "$TEST_UID:$TEST_GID" x1 x2
cd x1
urun ../bento extract ../"$b"
[ "$RC" = 0 ] && [ -z "$(diff -r --no-dereference ../ref squashfs-root 2>&1)" ] &&
	[ -L squashfs-root/AppRun ]
verdict "bento extract FILE: ./squashfs-root, the same as unsquashfs" 0
cd ../x2
urun ../bento extract ../"$b" out
[ "$RC" = 0 ] && [ -z "$(diff -r --no-dereference ../ref out 2>&1)" ] && [ ! -e squashfs-root ]
verdict "bento extract FILE DIR: into DIR" 0
urun out/AppRun z
expect "the extracted app runs" 0 "$(hello_out z)"
cd "$TEST_DIR"

no_leaks "nothing left"
finish
