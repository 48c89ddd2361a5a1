# Each strategy runs the app when forced (by option or variable), and the
# automatic order works out by itself: userns; with user namespaces refused
# (as AppArmor refuses them), fusermount3; with /dev/fuse unusable as well,
# extraction to a cache that the next launch reuses and that a modified image
# does not reuse.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG RUNTIME
cache=$USER_HOME/.cache/bento/extract

# strategy_is NAME: the last run's stderr has the line "bento-runtime: strategy: NAME"
strategy_is() {
	grep -qx "bento-runtime: strategy: $1" "$ERR_FILE"
}

appdir() {
	sed -n 's/^APPDIR=\[\(.*\)\]$/\1/p' "$OUT_FILE"
}

# ------------------------------------------------------------ forced

for s in userns fusermount extract; do
	urun BENTO_DEBUG=1 BENTO_STRATEGY=$s ./"$b" a "b c"
	[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out a "b c")" ] && strategy_is $s
	verdict "BENTO_STRATEGY=$s runs the app with that strategy" 0
	urun BENTO_DEBUG=1 ./"$b" --bento-strategy=$s a "b c"
	[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out a "b c")" ] && strategy_is $s
	verdict "--bento-strategy=$s runs the app with that strategy (the option is not passed on)" 0
done
urun BENTO_DEBUG=1 ./"$b" --appimage-extract-and-run a "b c"
[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out a "b c")" ] && strategy_is extract-and-run
verdict "--appimage-extract-and-run runs the app (strategy extract-and-run)" 0
urun BENTO_DEBUG=1 APPIMAGE_EXTRACT_AND_RUN=1 ./"$b" a "b c"
[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out a "b c")" ] && strategy_is extract-and-run
verdict "APPIMAGE_EXTRACT_AND_RUN=1 runs the app (strategy extract-and-run)" 0
urun ./"$b" --bento-strategy=bogus
[ "$RC" != 0 ] && [ -n "$ERR" ] && [[ $OUT != *Hello* ]]
verdict "--bento-strategy=bogus is refused with a message"
urun BENTO_DEBUG=1 ./"$b"
[ "$RC" = 0 ] && strategy_is userns
verdict "default: strategy userns" 0

# Where each strategy puts APPDIR
rm -rf "$USER_HOME/.cache"
urun HELLO_ENV=1 BENTO_STRATEGY=userns ./"$b"
d=$(appdir)
[ "$d" = "$USER_HOME/.cache/bento/mnt" ]
verdict "[userns] APPDIR is the user's private mount point \$HOME/.cache/bento/mnt"
[ -d "$d" ] && [ -z "$(ls -A "$d")" ] && [ "$(stat -c %u:%a "$d")" = "65534:700" ]
verdict "[userns] on the host it is an empty directory of the user, mode 0700"
mkdir -p "$USER_HOME/run" && chown 65534:65534 "$USER_HOME/run" && chmod 0700 "$USER_HOME/run"
urun HELLO_ENV=1 XDG_RUNTIME_DIR="$USER_HOME/run" BENTO_STRATEGY=userns ./"$b"
d=$(appdir)
[ "$d" = "$USER_HOME/run/bento/mnt" ]
verdict "[userns] with XDG_RUNTIME_DIR, APPDIR is \$XDG_RUNTIME_DIR/bento/mnt"
urun HELLO_ENV=1 XDG_RUNTIME_DIR=/root BENTO_STRATEGY=userns ./"$b"
d=$(appdir)
[ "$d" = "$USER_HOME/.cache/bento/mnt" ]
verdict "[userns] an XDG_RUNTIME_DIR that is not the user's own is not used"
urun HELLO_ENV=1 BENTO_STRATEGY=fusermount ./"$b"
d=$(appdir)
[[ $d == "$USER_TMP"/.mount_* ]]
verdict "[fusermount] APPDIR is \$TMPDIR/.mount_*"
urun HELLO_ENV=1 BENTO_STRATEGY=extract ./"$b"
d=$(appdir)
[[ $d == "$cache"/?* ]] && [ -x "$d/usr/bin/hello" ]
verdict "[extract] APPDIR is in \$HOME/.cache/bento/extract"
urun HELLO_ENV=1 XDG_CACHE_HOME="$USER_HOME/xdg" BENTO_STRATEGY=extract ./"$b"
d=$(appdir)
[[ $d == "$USER_HOME/xdg/bento/extract/"?* ]] && [ -x "$d/usr/bin/hello" ]
verdict "[extract] XDG_CACHE_HOME moves the cache"
urun HELLO_ENV=1 ./"$b" --appimage-extract-and-run
d=$(appdir)
[[ $d == "$USER_TMP"/appimage_extracted_* ]] && [ ! -e "$d" ]
verdict "[extract-and-run] APPDIR is \$TMPDIR/appimage_extracted_*, removed afterwards"
for i in 1 2 3 4 5 6; do
	as_user env HELLO_SLEEP=1 ./"$b" --appimage-extract-and-run "run $i" >"$TEST_DIR/ear.$i" 2>&1 &
done
wait
n=$(grep -l '^arg\[1\]=\[run [1-6]\]$' "$TEST_DIR"/ear.* | wc -l)
left=$(ls -d "$USER_TMP"/appimage_extracted_* 2>/dev/null)
[ "$n" = 6 ] && [ -z "$left" ]
ok "[extract-and-run] 6 concurrent runs all succeed and remove their own directories" \
	"$n of 6 ran; left: $left"
urun HELLO_ENV=1 NO_CLEANUP=1 ./"$b" --appimage-extract-and-run
d=$(appdir)
[[ $d == "$USER_TMP"/appimage_extracted_* ]] && [ -x "$d/usr/bin/hello" ]
verdict "[extract-and-run] NO_CLEANUP=1 keeps the extraction"
urun HELLO_ENV=1 NO_CLEANUP=1 ./"$b" --appimage-extract-and-run
[ "$RC" = 0 ] && [ "$(appdir)" = "$d" ]
verdict "[extract-and-run] NO_CLEANUP=1: the next launch uses the kept extraction" 0
rm -rf "$USER_TMP"/appimage_extracted_*
no_leaks "forced strategies: nothing left"

# ------------------------------------------------------------ automatic order

if [ -z "$RESTRICT" ]; then
	fail "automatic order: the restrict helper was not built (libseccomp-dev missing?)"
	finish
fi

AS_USER_PREFIX=("$RESTRICT" --no-userns --)
urun BENTO_DEBUG=1 ./"$b" a
[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out a)" ] && strategy_is fusermount
verdict "user namespaces refused: the fusermount3 strategy runs the app" 0
no_leaks "user namespaces refused: nothing left (mount gone)"

rm -rf "$USER_HOME/.cache"
AS_USER_PREFIX=("$RESTRICT" --no-userns --no-fuse --)
urun BENTO_DEBUG=1 ./"$b" a
[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out a)" ] && strategy_is extract
verdict "user namespaces refused and /dev/fuse unusable: extraction runs the app" 0
entries1=$(ls -A "$cache" 2>&1)
key=$cache/$entries1
id1=$(stat -c '%i %Y' "$key" "$key/usr/bin/hello" 2>&1)
[ "$(wc -l <<<"$entries1")" = 1 ] && [ -x "$key/usr/bin/hello" ]
ok "the extraction is cached in \$HOME/.cache/bento/extract/KEY" "$entries1"

urun BENTO_DEBUG=1 ./"$b" b
entries2=$(ls -A "$cache" 2>&1)
id2=$(stat -c '%i %Y' "$key" "$key/usr/bin/hello" 2>&1)
[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out b)" ] && strategy_is extract &&
	[ "$entries2" = "$entries1" ] && [ "$id2" = "$id1" ]
verdict "a second launch reuses the cache (same entry, same inodes)" 0 ||
	printf '    | before: %s\n    | after:  %s\n' "$entries1 $id1" "$entries2 $id2"

# A modified image, copied over the same path: repacked with another greeting.
AS_USER_PREFIX=()
offset=$(as_user ./"$b" --appimage-offset)
unsquashfs -q -d appdir -o "${offset:-0}" "$APPIMG" >/dev/null 2>&1
grep -rlZ 'Hello from bento!' appdir | xargs -0 -r perl -pi -e 's/Hello from bento!/Hello from BENTO!/g'
mksquashfs appdir mod.sqfs -quiet -noappend -all-root -comp zstd >/dev/null 2>&1
cat "$RUNTIME" mod.sqfs >modified.AppImage
chmod 0755 modified.AppImage
cp modified.AppImage "$b" # same path, same inode
AS_USER_PREFIX=("$RESTRICT" --no-userns --no-fuse --)
urun BENTO_DEBUG=1 ./"$b" c
entries3=$(ls -A "$cache" 2>&1)
[ "$RC" = 0 ] && [ "$OUT" = "$(hello_out c | sed 's/bento!/BENTO!/')" ] && strategy_is extract
verdict "a modified image (repacked, copied over the same path) is not served from the stale cache" 0
grep -qvxF "$entries1" <<<"$entries3"
ok "a modified image gets a new cache key" "before: $entries1, after: $entries3"

# The hardest case: modified in place with the same size and mtime.  Its
# data is stored uncompressed so that one byte can be changed in place.
AS_USER_PREFIX=()
mksquashfs appdir raw.sqfs -quiet -noappend -all-root -noD -noF >/dev/null 2>&1
cat "$RUNTIME" raw.sqfs >"$b"
cp -p "$b" ref.AppImage
AS_USER_PREFIX=("$RESTRICT" --no-userns --no-fuse --)
urun ./"$b" d
expect "an image with uncompressed data runs by extraction" 0 "$(hello_out d | sed 's/bento!/BENTO!/')"
pos=$(grep -boa 'Hello from BENTO!' "$b" | head -n 1 | cut -d: -f1)
if [ -n "$pos" ]; then
	printf 'Hello from bEnTo!' | dd of="$b" bs=1 seek="$pos" conv=notrunc status=none
	touch -r ref.AppImage "$b"
	[ "$(stat -c '%s %Y' "$b")" = "$(stat -c '%s %Y' ref.AppImage)" ] && ! cmp -s "$b" ref.AppImage
	ok "the image changed in place, same size and mtime"
	urun ./"$b" e
	expect "an image changed in place with the same size and mtime is not served stale" 0 "$(hello_out e | sed 's/bento!/bEnTo!/')"
else
	fail "the greeting is findable in the uncompressed image"
fi
AS_USER_PREFIX=()

no_leaks "nothing left"
finish
