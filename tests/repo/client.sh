# The client side of issue 17, as the unprivileged user against nginx on
# loopback serving a repository that bento-builder published:
# remote-add (refused without a key unless --no-gpg-verify), remote-list,
# remote-ls, remote-delete; install -> run prints version 1; version 2
# exported with static deltas -> `bento update` fetches the delta (nginx's
# log: /repo/deltas/, no /repo/objects/), fewer bytes than the zsync update
# of the same change -> version 2; rollback -> 1, rollback -> 2; branches
# side by side and `bento switch`; list and info; the desktop entry and icon
# exported and removed with the app; remove --delete-data; two apps sharing
# a file store it once; a --system installation run by the user; a file
# claiming an installed app's id refused (and, as the control, accepted
# once trusted).
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BENTO BUILDER HELLO
. "$(dirname "$0")/lib/publish.sh"
for tool in nginx gpg ostree zsyncmake; do
	command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || {
		fail "$SCRIPT_NAME: $tool is not installed (scripts/setup.sh installs it)"
		finish
	}
done
RUN_TIMEOUT=120
ID=$REPO_APP_ID
APPS=$USER_HOME/.local/share/applications
ICONS=$USER_HOME/.local/share/icons/hicolor
INST=$USER_HOME/.local/share/bento/installation

make_repo_versions
export_version 1
verdict "version 1 exported and the repository updated" 0 || finish
serve_repo || finish

# ---- remotes
urun "$BENTO" remote-add test "$REPO_URL"
[ "$RC" = 2 ] && [[ $ERR == *"--no-gpg-verify"* ]]
verdict "remote-add without a key: refused, usage status 2, names --no-gpg-verify" 2
urun "$BENTO" remote-list
[ "$RC" = 0 ] && [ -z "$OUT" ]
verdict "the refused remote was not added" 0
urun "$BENTO" remote-add --no-gpg-verify plain "$REPO_URL"
[ "$RC" = 0 ]
verdict "remote-add --no-gpg-verify: added" 0
urun "$BENTO" remote-add test "$REPO_URL" --gpg-import="$KEYFILE" --mirror="$WEB_URL/mirror"
[ "$RC" = 0 ]
verdict "remote-add with the publisher's key" 0
urun "$BENTO" remote-add test "$REPO_URL" --gpg-import="$KEYFILE"
[ "$RC" = 1 ]
verdict "remote-add of an existing name: an error" 1
urun "$BENTO" remote-add --if-not-exists test "$REPO_URL" --gpg-import="$KEYFILE"
[ "$RC" = 0 ]
verdict "remote-add --if-not-exists of an existing name: nothing to do" 0
urun "$BENTO" remote-list
[ "$RC" = 0 ] && grep -q "^test	$REPO_URL	$FPR	mirror=$WEB_URL/mirror\$" "$OUT_FILE" &&
	grep -q "^plain	$REPO_URL	no-gpg-verify\$" "$OUT_FILE"
verdict "remote-list: both, with the key's fingerprint, no-gpg-verify, the mirror" 0
urun "$BENTO" remote-delete plain
[ "$RC" = 0 ]
verdict "remote-delete plain" 0
urun "$BENTO" remote-list
[ "$(wc -l <"$OUT_FILE")" = 1 ] && grep -q "^test	" "$OUT_FILE"
verdict "remote-list: only test is left" 0
urun "$BENTO" remote-ls test
commit1=$(ostree --repo="$REPO" rev-parse "app/$ID/x86_64/stable")
[ "$RC" = 0 ] && [ "$OUT" = "$ID	stable	1	$commit1" ]
verdict "remote-ls: the app, its branch, version and commit, from the summary" 0

# ---- install and run
: >"$WEB_DIR/access.log"
urun "$BENTO" install test "$ID"
[ "$RC" = 0 ]
verdict "install test $ID" 0
urun "$BENTO" run "$ID"
expect "bento run $ID prints version 1" 0 "RepoHello version 1"
grep -q "/repo/objects/" "$WEB_DIR/access.log"
ok "install fetched objects" "$(cat "$WEB_DIR/access.log")"
urun "$BENTO" list
[ "$RC" = 0 ] && [ "$OUT" = "$ID	stable	1	$commit1	test	current" ]
verdict "list: the app, branch, version, commit, remote, current" 0

# ---- the desktop
desktop=$APPS/$ID.desktop
grep -qx "Exec=bento run $ID %F" "$desktop" && grep -qx "X-Bento-Installation=user" "$desktop" &&
	grep -qx "Icon=$ID" "$desktop" && ! grep -q "^TryExec=" "$desktop" &&
	cmp -s "$ICONS/scalable/apps/$ID.svg" "$TEST_DIR/v/v1.AppDir/$ID.svg"
ok "the desktop entry (Exec=bento run $ID %F) and the icon are exported" \
	"$(cat "$desktop"; ls -lR "$USER_HOME/.local/share/icons")"

# ---- update by static delta
export_version 2
verdict "version 2 exported, update-repo with static deltas" 0 || finish
commit2=$(ostree --repo="$REPO" rev-parse "app/$ID/x86_64/stable")
: >"$WEB_DIR/access.log"
urun "$BENTO" update
[ "$RC" = 0 ] && [[ $OUT == *"updated to 2"* ]]
verdict "bento update (no argument): every installed app" 0
cp "$WEB_DIR/access.log" "$TEST_DIR/delta.log"
# (the commit's detached signature, objects/XX/COMMIT.commitmeta, is fetched
# on its own: a delta carries no signature)
grep -q "^200 /repo/deltas/" delta.log && ! grep -v '\.commitmeta ' delta.log | grep -q "/repo/objects/"
ok "the update came by static delta: /repo/deltas/ fetched, no /repo/objects/ but the signature" \
	"$(cat delta.log)"
# bytes served: the whole files nginx answered with 200
delta_bytes=$(awk '$1 == 200 { sub(/^\/repo\//, "", $2); print $2 }' delta.log |
	while read -r f; do stat -c %s "$REPO/$f" 2>/dev/null || echo 0; done |
	awk '{ t += $1 } END { print t + 0 }')
urun "$BENTO" run "$ID"
expect "after the update, bento run prints version 2" 0 "RepoHello version 2"
urun "$BENTO" update "$ID"
[ "$RC" = 0 ] && [[ $OUT == *"up to date"* ]]
verdict "bento update ID again: up to date" 0

# the same change as a single-file zsync update (as tests/update/update.sh)
. "$SRC_DIR/tests/update/lib/apps.sh"
mkdir -p www/z z && chown "$TEST_UID:$TEST_GID" www/z z
for n in 1 2; do
	urun GNUPGHOME="$GH" SOURCE_DATE_EPOCH=1700000000 "$BUILDER" pack "v/v$n.AppDir" \
		-o "z/v$n.AppImage" --update-information="zsync|$WEB_URL/z/app.AppImage.zsync" \
		--sign-key "$FPR"
	[ "$RC" = 0 ]
	verdict "version $n packed with zsync update information" 0 || finish
done
cp z/v2.AppImage www/z/v2.AppImage && cp z/v2.AppImage.zsync www/z/app.AppImage.zsync
chmod 0644 www/z/*
SERVED=www/z/v2.AppImage
install -m 0755 -o "$TEST_UID" -g "$TEST_GID" z/v1.AppImage "$USER_HOME/app.AppImage"
: >"$WEB_DIR/access.log"
urun "$BENTO" update "$USER_HOME/app.AppImage"
zsync_bytes=$(log_bytes)
[ "$RC" = 0 ] && cmp -s "$USER_HOME/app.AppImage" z/v2.AppImage
verdict "the single-file zsync update of the same change" 0
echo "bytes of the update 1 -> 2: static delta $delta_bytes, zsync $zsync_bytes"
[ "$delta_bytes" -gt 0 ] && [ "$delta_bytes" -lt "$zsync_bytes" ]
ok "the static delta ($delta_bytes bytes) is smaller than the zsync update ($zsync_bytes bytes)"

# ---- rollback
urun "$BENTO" rollback "$ID"
[ "$RC" = 0 ]
verdict "rollback $ID" 0
urun "$BENTO" run "$ID"
expect "after rollback, version 1 runs" 0 "RepoHello version 1"
urun "$BENTO" rollback "$ID"
[ "$RC" = 0 ]
verdict "rollback $ID again" 0
urun "$BENTO" run "$ID"
expect "after the second rollback, version 2 runs" 0 "RepoHello version 2"
urun "$BENTO" info "$ID"
[ "$RC" = 0 ] && [[ $OUT == *"Branch: stable"* ]] && [[ $OUT == *"Commit: $commit2"* ]] &&
	[[ $OUT == *"Previous: $commit1"* ]] && [[ $OUT == *"Key: $FPR"* ]] &&
	[[ $OUT == *"Version: 2"* ]] && [[ $OUT == *"Origin: remote test, ref app/$ID/x86_64/stable"* ]]
verdict "info ID: branch, origin, key, version, commit and previous" 0
