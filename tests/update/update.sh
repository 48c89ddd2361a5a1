# bento update, as the user, against nginx on loopback: 1.0 -> 1.1 of a
# 4 MB app where one small file changed downloads less than 10 % of the new
# file (bytes counted from nginx's access log) and gives exactly 1.1, which
# runs; the same through gh-releases-zsync (a release list served by nginx,
# `latest` and a tag, a pattern with *); --check and info --check-update;
# an up-to-date file is left alone; trust: another key refused (both
# fingerprints named, the file byte-identical) then accepted with
# --allow-new-key, an unsigned update of a signed file refused, a signed
# update of an unsigned file accepted with a notice, the app id handed to the
# accepted key and back on rollback; pling-v1-zsync refused;
# rollback restores the exact old bytes and a second rollback the new ones;
# --output writes beside the file and leaves it alone; a corrupted 1.1, a
# server that ignores ranges, a missing control file.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/apps.sh"

in_test_dir BENTO BUILDER HELLO
need_tools nginx gpg python3

pick_port
URL=http://127.0.0.1:$PORT
make_versions "zsync|$URL/Hello.AppImage.zsync"
GH_UPD="gh-releases-zsync|bento-test|hello|latest|Hello-*-x86_64.AppImage.zsync"
pack_as v1-gh v1.AppDir "$GH_UPD" a@example.org
pack_as v1-ghtag v1.AppDir "gh-releases-zsync|bento-test|hello|v2.0|*x86_64.AppImage.zsync" a@example.org
pack_as v1-pling v1.AppDir "pling-v1-zsync|1234|Hello-*.zsync" a@example.org
# A sandboxed app (with .bento/metadata): its app id belongs to its key
for v in 1 2; do
	cp -a v$v.AppDir v${v}id.AppDir
	mkdir -p v${v}id.AppDir/.bento
	printf '[Application]\nname=org.bento.UpdateTest\ncommand=AppRun\n' >v${v}id.AppDir/.bento/metadata
	chown -R "$TEST_UID:$TEST_GID" v${v}id.AppDir
done
pack_as v1id-A v1id.AppDir "zsync|$URL/Hello.AppImage.zsync" a@example.org
pack_as v2id-B v2id.AppDir "zsync|$URL/Hello.AppImage.zsync" b@example.org
pack_as v1-norange v1.AppDir "zsync|$URL/norange/Hello.AppImage.zsync" a@example.org
pack_as v1-missing v1.AppDir "zsync|$URL/missing/Hello.AppImage.zsync" a@example.org
# The release list, as GitHub's API gives it: a decoy first
mkdir -p www/api/repos/bento-test/hello/releases/tags
for f in latest tags/v2.0; do
	cat >"www/api/repos/bento-test/hello/releases/$f" <<JSON
{"tag_name": "v2.0", "name": "Hello 2", "assets": [
  {"name": "Hello-2-x86_64.AppImage", "browser_download_url": "$URL/v2-A.AppImage"},
  {"name": "Hello-2-i386.AppImage.zsync", "browser_download_url": "$URL/nothing.zsync"},
  {"name": "Hello-2-x86_64.AppImage.zsync", "browser_download_url": "$URL/Hello.AppImage.zsync"}
]}
JSON
done
chown -R "$TEST_UID:$TEST_GID" www
serve v2-A
# /norange/ answers every range request with 200 and the whole file
WEB_PORT=$PORT start_web "$TEST_DIR/www" "location /norange/ { max_ranges 0; alias $TEST_DIR/www/; }" ||
	finish
GHENV=BENTO_GITHUB_API_URL=$URL/api

same() { cmp -s "$1" "$2"; }

urun ./bento update --help
[ "$RC" = 0 ] && [[ $OUT == *--allow-new-key* ]] && [[ $OUT == *BENTO_GITHUB_API_URL* ]]
verdict "bento update --help" 0
urun ./bento rollback --help
verdict "bento rollback --help" 0

# ---- 1.0 -> 1.1 by delta

install_app v1-A
urun ./bento info "$APP"
[ "$RC" = 0 ] && [[ $OUT == *"Update information: zsync|$URL/Hello.AppImage.zsync"* ]]
verdict "bento info shows the update information" 0
urun ./bento info --check-update "$APP"
[ "$RC" = 0 ] && [[ $OUT == *"Update: available"* ]]
verdict "bento info --check-update: an update is available" 0
urun ./bento update --check "$APP"
[ "$RC" = 1 ] && [[ $OUT == *"update is available"* ]] && same "$APP" v/v1-A.AppImage
verdict "update --check: 1, update available, the file untouched" 1
: >"$WEB_DIR/access.log"
urun ./bento update "$APP"
bytes=$(log_bytes)
size=$(stat -c %s v/v2-A.AppImage)
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage
verdict "update 1.0 -> 1.1: the file is byte-identical to 1.1" 0
[ "$bytes" -gt 0 ] && [ "$bytes" -lt $((size / 10)) ]
ok "it downloaded $bytes bytes of $size, less than 10 %" "$(cat "$WEB_DIR/access.log")"
[ "$(stat -c %a "$APP")" = 755 ] && [ -z "$(leftovers "$(dirname "$APP")")" ]
ok "the old file's mode, no temporary file left" "$(stat -c %a "$APP"; ls -la "$(dirname "$APP")")"
urun "$APP"
expect "the updated file runs" 0 "$(hello_out)"
kept=$(find "$USER_HOME/.local/share/bento/previous" -name file)
[ "$(echo "$kept" | wc -l)" = 1 ] && same "$kept" v/v1-A.AppImage &&
	[ "$(cat "$(dirname "$kept")/path")" = "$APP" ] &&
	[ "$(basename "$(dirname "$kept")")" = "$(printf '%s' "$APP" | sha256sum | cut -c1-64)" ]
ok "the old version is kept under previous/SHA256(PATH)/file" "$kept"

# ---- the directory is hostile: names like a leftover's planted there are
# never followed, used or removed unless they are the user's own regular files

install_app v1-A
echo secret >"$USER_HOME/secret" && chown "$TEST_UID:$TEST_GID" "$USER_HOME/secret"
ln -s "$USER_HOME/secret" "$USER_HOME/Apps/.app.AppImage.bento-update-planted1"
mkfifo "$USER_HOME/Apps/.app.AppImage.bento-update-planted2"
head -c 100000 /dev/urandom >"$USER_HOME/Apps/.app.AppImage.bento-update-planted3" # root's
urun ./bento update "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage && [ "$(cat "$USER_HOME/secret")" = secret ] &&
	[ -L "$USER_HOME/Apps/.app.AppImage.bento-update-planted1" ] &&
	[ -p "$USER_HOME/Apps/.app.AppImage.bento-update-planted2" ] &&
	[ -f "$USER_HOME/Apps/.app.AppImage.bento-update-planted3" ] && [[ $ERR != *"reusing"* ]]
verdict "a symlink, a FIFO and another user's file named like partial downloads: ignored, left alone" 0
rm -f "$USER_HOME/Apps/.app.AppImage.bento-update-"*
urun ./bento rollback "$APP"
urun ./bento rollback "$APP"
same "$APP" v/v2-A.AppImage
ok "(back at 1.1 with 1.0 kept)"

# ---- no update information

install -m 0755 -o "$TEST_UID" -g "$TEST_GID" "$APPIMG" "$USER_HOME/plain.AppImage"
cp "$APPIMG" plain.ref
urun ./bento update --check "$USER_HOME/plain.AppImage"
[ "$RC" = 3 ] && [[ $ERR == *"has no update information"* ]] && same "$USER_HOME/plain.AppImage" plain.ref
verdict "update --check of a file without update information: 3, says so" 3

# ---- up to date

urun ./bento update --check "$APP"
[ "$RC" = 0 ] && [[ $OUT == *"up to date"* ]]
verdict "update --check on the new file: 0, up to date" 0
before=$(stat -c '%i %Y %Z' "$APP")
: >"$WEB_DIR/access.log"
urun ./bento update "$APP"
[ "$RC" = 0 ] && [[ $OUT == *"up to date"* ]] && [ "$(stat -c '%i %Y %Z' "$APP")" = "$before" ] &&
	! grep -q 'AppImage ' "$WEB_DIR/access.log"
verdict "update of an up-to-date file changes nothing and downloads nothing of it" 0

# ---- rollback

urun ./bento rollback "$APP"
[ "$RC" = 0 ] && same "$APP" v/v1-A.AppImage && [ "$(stat -c %a "$APP")" = 755 ]
verdict "rollback restores the exact old bytes" 0
urun "$APP"
expect "the rolled back file runs" 0 "$(hello_out)"
urun ./bento rollback "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage
verdict "a second rollback returns to the new version" 0
install_app v1-A "$USER_HOME/Other"
urun ./bento rollback "$APP"
[ "$RC" = 3 ] && [[ $ERR == *"no earlier version"* ]] && same "$APP" v/v1-A.AppImage
verdict "rollback of a file of the same name elsewhere: nothing kept for it, refused" 3

# A rollback killed between its two renames: the file already put back
# (1.0) and the newer version kept only as previous/DIGEST/swap; the next
# rollback completes it first ("swap" becomes "file"), then goes back to 1.1.
# Killed before the first rename (the file still 1.1): "swap" is dropped.
APP=$USER_HOME/Apps/app.AppImage
store=$(dirname "$kept")
install -m 0755 -o "$TEST_UID" -g "$TEST_GID" v/v1-A.AppImage "$APP"
install -m 0600 -o "$TEST_UID" -g "$TEST_GID" v/v1-A.AppImage "$store/file"
install -m 0600 -o "$TEST_UID" -g "$TEST_GID" v/v2-A.AppImage "$store/swap"
head -c 1000 v/v2-A.AppImage >"$store/.file.bento-update-000000000000" # an unfinished copy
urun ./bento rollback "$APP"
[ "$RC" = 0 ] && [[ $ERR == *"finishing a rollback that was interrupted"* ]] &&
	same "$APP" v/v2-A.AppImage && same "$store/file" v/v1-A.AppImage && [ ! -e "$store/swap" ] &&
	[ -z "$(ls -A "$store" | grep -v -x -e file -e path)" ]
verdict "a rollback killed after putting the file back is completed by the next one (and its unfinished copy removed)" 0
install -m 0600 -o "$TEST_UID" -g "$TEST_GID" v/v2-A.AppImage "$store/swap"
urun ./bento rollback "$APP"
[ "$RC" = 0 ] && same "$APP" v/v1-A.AppImage && same "$store/file" v/v2-A.AppImage && [ ! -e "$store/swap" ]
verdict "a rollback killed before putting the file back is undone, and the next one works" 0

# ---- trust

check_refused() { # NAME VARIANT-INSTALLED MESSAGE-PATTERN...
	local name=$1 v=$2 p good=1
	shift 2
	[ "$RC" = 1 ] && same "$APP" "v/$v.AppImage" && [ -z "$(leftovers "$(dirname "$APP")")" ] ||
		good=0
	for p in "$@"; do
		[[ $ERR == *"$p"* ]] || good=0
	done
	[ $good = 1 ]
	verdict "$name" 1
}
install_app v1-A
serve v2-B
urun ./bento update "$APP"
check_refused "a 1.1 signed by another key is refused, naming both keys, the file byte-identical" \
	v1-A "$FPR_A" "$FPR_B" "--allow-new-key"
urun ./bento update --allow-new-key "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-B.AppImage
verdict "accepted with --allow-new-key" 0
install_app v1-A
serve v2-unsigned
urun ./bento update --allow-new-key "$APP"
check_refused "an unsigned 1.1 of a signed 1.0 is refused (even with --allow-new-key)" v1-A unsigned
install_app v1-unsigned
serve v2-A
urun ./bento update "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage && [[ $ERR == *"was unsigned"*"$FPR_A"* ]]
verdict "a signed 1.1 of an unsigned 1.0 is accepted, with a notice" 0

# The app id follows the key the user accepted: a sandboxed 1.0 signed by
# key A owns org.bento.UpdateTest once run; a 1.1 signed by key B elsewhere
# is refused it (the control); updated with --allow-new-key, the file gets
# the id handed over and runs; rolled back, the id returns to key A.
install_app v1id-A
urun "$APP"
expect "a sandboxed 1.0 signed by key A runs (its id is key A's)" 0 "$(hello_out)"
install -m 0755 -o "$TEST_UID" -g "$TEST_GID" v/v2id-B.AppImage "$USER_HOME/Other/b.AppImage"
urun "$USER_HOME/Other/b.AppImage"
[ "$RC" = 127 ] && [[ $ERR == *"belongs to"* ]]
verdict "control: a 1.1 signed by key B is refused the id" 127
serve v2id-B
urun ./bento update --allow-new-key "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2id-B.AppImage && [[ $ERR == *"org.bento.UpdateTest now belongs to the key $FPR_B"* ]]
verdict "update --allow-new-key hands the id to key B" 0
urun "$APP"
expect "and the updated file runs as the app" 0 "$(hello_out)"
urun ./bento rollback "$APP"
[ "$RC" = 0 ] && same "$APP" v/v1id-A.AppImage && [[ $ERR == *"now belongs to the key $FPR_A"* ]]
verdict "rollback hands the id back to key A" 0
urun "$APP"
expect "and the rolled back file runs as the app" 0 "$(hello_out)"
serve v2-A

# FILE a symbolic link: the file it leads to is updated, the link stays
install_app v1-A
install -d -o "$TEST_UID" -g "$TEST_GID" "$USER_HOME/bin"
ln -s ../Apps/app.AppImage "$USER_HOME/bin/app" && chown -h "$TEST_UID:$TEST_GID" "$USER_HOME/bin/app"
urun ./bento update "$USER_HOME/bin/app"
[ "$RC" = 0 ] && [ -L "$USER_HOME/bin/app" ] && same "$APP" v/v2-A.AppImage
verdict "update through a symbolic link updates its target and keeps the link" 0

# ---- --output

install_app v1-A
urun ./bento update --output "$USER_HOME/Apps/new.AppImage" "$APP"
[ "$RC" = 0 ] && same "$APP" v/v1-A.AppImage && same "$USER_HOME/Apps/new.AppImage" v/v2-A.AppImage
verdict "--output NEW writes the new version there and leaves FILE alone" 0
urun ./bento update --output "$USER_HOME/Apps/new.AppImage" "$APP"
[ "$RC" = 2 ] && [[ $ERR == *"exists already"* ]] && same "$USER_HOME/Apps/new.AppImage" v/v2-A.AppImage
verdict "--output refuses an existing file" 2

# ---- --seed

install_app v1-unsigned
rm -f "$USER_HOME/Apps/new.AppImage"
: >"$WEB_DIR/access.log"
urun ./bento update --seed "$TEST_DIR/v/v2-A.AppImage" --output "$USER_HOME/Apps/new.AppImage" "$APP"
[ "$RC" = 0 ] && same "$USER_HOME/Apps/new.AppImage" v/v2-A.AppImage && [ "$(log_bytes)" = 0 ]
verdict "--seed: a seed that holds every block, nothing downloaded" 0

# ---- gh-releases-zsync

install_app v1-gh
urun "$GHENV" ./bento update --check "$APP"
[ "$RC" = 1 ]
verdict "gh-releases-zsync latest: --check finds the update" 1
: >"$WEB_DIR/access.log"
urun "$GHENV" ./bento update "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage && [ "$(log_bytes)" -lt $((size / 10)) ] &&
	grep -q '^200 /api/repos/bento-test/hello/releases/latest' "$WEB_DIR/access.log"
verdict "gh-releases-zsync latest, pattern Hello-*-x86_64.AppImage.zsync: updated by delta" 0
install_app v1-ghtag
urun "$GHENV" ./bento update "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage
verdict "gh-releases-zsync with the tag v2.0, pattern *x86_64.AppImage.zsync" 0
install_app v1-gh
urun BENTO_GITHUB_API_URL=$URL/nowhere ./bento update "$APP"
[ "$RC" = 3 ] && [[ $ERR == *"no such release"* ]] && same "$APP" v/v1-gh.AppImage
verdict "gh-releases-zsync without such a release: 3, the file unchanged" 3
install_app v1-pling
urun ./bento update "$APP"
[ "$RC" = 3 ] && [[ $ERR == *pling-v1-zsync*"not supported"* ]] && same "$APP" v/v1-pling.AppImage
verdict "pling-v1-zsync is refused with a clear message" 3

# ---- a hostile or broken server, end to end (the zsync client's own
# tests cover the control file's corruptions)

serve v2-A
cp www/v2-A.AppImage good.AppImage
# (garbage of the same length: whatever range the client fetches is wrong)
head -c "$(stat -c %s good.AppImage)" /dev/urandom >www/v2-A.AppImage
install_app v1-A
urun ./bento update "$APP"
[ "$RC" = 3 ] && same "$APP" v/v1-A.AppImage && [[ $ERR == *SHA-1* ]]
verdict "a corrupted 1.1 on the server (SHA-1 mismatch): 3, the file byte-identical" 3
cp good.AppImage www/v2-A.AppImage
urun ./bento update "$APP"
[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage && [ -z "$(leftovers "$(dirname "$APP")")" ]
verdict "once the server is mended, the next update succeeds and leaves nothing behind" 0
install_app v1-norange
urun ./bento update "$APP"
{ [ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage; } || { [ "$RC" = 3 ] && same "$APP" v/v1-norange.AppImage; }
verdict "a server that answers ranges with 200 and the whole file: the right file or a clean refusal (status $RC)" 0
install_app v1-missing
urun ./bento update "$APP"
[ "$RC" = 3 ] && same "$APP" v/v1-missing.AppImage && [[ $ERR == *404* ]]
verdict "no control file on the server (404): 3, the file byte-identical" 3

# ---- the sanitizer build's bento: the same paths, no report

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -x "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	mkdir -p san && cp "$BENTO_SAN_BUILD/runtime/cli/bento" san/bento && chmod 0755 san/bento
	SB=$TEST_DIR/san/bento
	serve v2-A
	install_app v1-A
	urun "$SB" update --check "$APP"
	[ "$RC" = 1 ]
	verdict "sanitizer build: update --check" 1
	urun "$SB" update "$APP"
	[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage
	verdict "sanitizer build: update 1.0 -> 1.1" 0
	urun "$SB" rollback "$APP"
	[ "$RC" = 0 ] && same "$APP" v/v1-A.AppImage
	verdict "sanitizer build: rollback" 0
	serve v2-B
	urun "$SB" update "$APP"
	[ "$RC" = 1 ] && same "$APP" v/v1-A.AppImage
	verdict "sanitizer build: another key refused" 1
	serve v2-A
	install_app v1-gh
	urun "$GHENV" "$SB" info --check-update "$APP"
	[ "$RC" = 0 ] && [[ $OUT == *"Update: available"* ]]
	verdict "sanitizer build: info --check-update through gh-releases-zsync" 0
	urun "$GHENV" "$SB" update "$APP"
	[ "$RC" = 0 ] && same "$APP" v/v2-A.AppImage
	verdict "sanitizer build: update through gh-releases-zsync" 0
else
	skip "the sanitizer build's bento" "no sanitizer build given (tests/run BUILD SAN_BUILD)"
fi

stop_web
finish
