# The extraction cache (issue 14): `bento cache` lists it (entry, size, last
# use, the file it came from) and cleans it (--older-than, --all), never
# removing the tree of a running app; each extract launch records its file
# and drops the entries whose file is gone or changed, without following a
# symbolic link planted in the cache.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG BENTO
cache=$USER_HOME/.cache/bento/extract
records=$cache.sources

urun "$BENTO" cache
expect "bento cache without a cache says it is empty" 0 "the extraction cache is empty"

for f in a b c; do
	cp "$APPIMG" $f.AppImage && chown "$TEST_UID:$TEST_GID" $f.AppImage
	urun BENTO_STRATEGY=extract ./$f.AppImage x
	expect "[$f] the extract strategy runs the app" 0 "$(hello_out x)"
done
# entry_of FILE: the cache entry FILE's last launch used
entry_of() {
	local r
	r=$(grep -lxF -- "$TEST_DIR/$1" "$records"/* 2>/dev/null) && echo "$cache/$(basename "$r")"
}
ea=$(entry_of a.AppImage) eb=$(entry_of b.AppImage) ec=$(entry_of c.AppImage)
[ -d "$ea" ] && [ -d "$eb" ] && [ -d "$ec" ] && [ "$ea" != "$eb" ]
[ "$(ls -A "$cache" | wc -l)" = 3 ]
ok "each launch records the file its entry came from (extract.sources/ENTRY); the cache holds the trees only" "$(ls -la "$cache" "$records")"

urun "$BENTO" cache
[ "$RC" = 0 ] && [ "$(grep -c "  $TEST_DIR/[abc].AppImage\$" <<<"$OUT")" = 3 ] &&
	grep -q "^$(basename "$ea")  [0-9.]* [KM]iB  20[0-9-]* [0-9:]*  $TEST_DIR/a.AppImage\$" <<<"$OUT" &&
	grep -q "^3 entries, .* in $cache\$" <<<"$OUT"
verdict "bento cache lists each entry with its size, last use and file" 0

# ---- automatic removal -----------------------------------------------------

rm b.AppImage
urun "$BENTO" cache
grep -q "  $TEST_DIR/b.AppImage (gone)\$" <<<"$OUT"
verdict "an entry whose file was removed is listed as gone"
touch c.AppImage # a changed file: its old entry is never used again
urun BENTO_STRATEGY=extract ./a.AppImage y
expect "the next extract launch runs" 0 "$(hello_out y)"
[ ! -e "$eb" ] && [ ! -e "$records/$(basename "$eb")" ] && [ ! -e "$ec" ] && [ -d "$ea" ]
ok "it removed the entries of the removed and the changed file, kept the others" "$(ls -la "$cache")"
urun BENTO_STRATEGY=extract ./c.AppImage z
ec=$(entry_of c.AppImage)
[ "$RC" = 0 ] && [ -d "$ec" ]
verdict "the changed file gets a new entry" 0

# A planted entry whose tree links to the user's files, and one that is a
# link itself: removing the first removes the link, never what it names.
mkdir -p "$USER_HOME/victim" && echo precious >"$USER_HOME/victim/file"
chown -R "$TEST_UID:$TEST_GID" "$USER_HOME/victim"
as_user sh -c 'mkdir "$1/fe-1-2-3.4-5.6" && ln -s "$2" "$1/fe-1-2-3.4-5.6/link" &&
	printf %s /nonexistent/x.AppImage >"$1.sources/fe-1-2-3.4-5.6" &&
	ln -s "$2" "$1/fe-7-8-9.4-5.6" && printf %s /nonexistent/y >"$1.sources/fe-7-8-9.4-5.6"' sh "$cache" "$USER_HOME/victim"
urun BENTO_STRATEGY=extract ./a.AppImage w
[ "$RC" = 0 ] && [ ! -e "$cache/fe-1-2-3.4-5.6" ] && [ "$(cat "$USER_HOME/victim/file")" = precious ] &&
	[ -L "$cache/fe-7-8-9.4-5.6" ]
verdict "a planted entry is removed without following its link; an entry that is a link is no entry: the user's files stay" 0

# ---- cleaning -----------------------------------------------------------------

as_user touch -d '10 days ago' "$records/$(basename "$ea")"
urun "$BENTO" cache --older-than=5d
[ "$RC" = 0 ] && [ ! -e "$ea" ] && [ -d "$ec" ] && grep -q "^removed $(basename "$ea")  " <<<"$OUT" &&
	grep -q "^1 entry removed, " <<<"$OUT"
verdict "--older-than=5d removes the entry unused for 10 days, keeps the recent one" 0
urun "$BENTO" cache --older-than=1h
[ "$RC" = 0 ] && [ -d "$ec" ]
verdict "--older-than=1h keeps an entry used now" 0

start_hello BENTO_STRATEGY=extract || fail "hello runs from the cache" "$(describe_run)"
urun "$BENTO" cache --all
eh=$(entry_of "$(basename "$APPIMG")")
[ "$RC" = 0 ] && [ -d "$eh" ] && grep -q "^in use, kept $(basename "$eh")  " <<<"$OUT" && [ ! -e "$ec" ]
verdict "--all removes every entry but the one a running app uses" 0
_alive "$APP"
ok "the running app still runs"
kill -TERM "$RT"
bg_wait "$RT" 10
urun "$BENTO" cache --all
[ "$RC" = 0 ] && [ -z "$(find "$cache" -mindepth 1 -maxdepth 1 ! -name 'fe-7-8-9.4-5.6*')" ]
verdict "once it has ended, --all removes its entry too: the cache is empty" 0

# ---- usage -----------------------------------------------------------------

for bad in --older-than=abc --older-than=5 --older-than=-1d "--all --older-than=1d" --bogus extra; do
	# shellcheck disable=SC2086
	urun "$BENTO" cache $bad
	[ "$RC" = 2 ] && [ -n "$ERR" ]
	verdict "bento cache $bad is a usage error (status 2) with a message"
done
urun "$BENTO" cache --help
[ "$RC" = 0 ] && grep -q -- '--older-than=DURATION' <<<"$OUT" && grep -q -- '--all' <<<"$OUT"
verdict "bento cache --help describes its options" 0
urun "$BENTO" --help
grep -q '^  cache ' <<<"$OUT"
verdict "bento --help lists the cache verb"

LEAK_WAIT=2 no_leaks "nothing left behind"
finish
