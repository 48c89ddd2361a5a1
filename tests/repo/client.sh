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
need_tools nginx gpg ostree zsyncmake
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
urun "$BENTO" update
[ "$RC" = 0 ] && [ ! -e "$INST" ]
verdict "bento update with nothing installed: nothing to do, no installation made" 0
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

urun "$BENTO" remote-add wrong "$REPO_URL" --gpg-import="$KEYFILE_OTHER"
[ "$RC" = 0 ]
verdict "remote-add wrong: the repository's URL with another key" 0
urun "$BENTO" remote-ls wrong
[ "$RC" = 1 ] && [ -z "$OUT" ]
verdict "remote-ls wrong: the summary's signature is refused" 1
urun "$BENTO" install wrong "$ID"
[ "$RC" = 1 ] && [ ! -e "$INST/app/$ID" ]
verdict "install from wrong: refused, nothing installed" 1
urun "$BENTO" remote-delete wrong
[ "$RC" = 0 ]
verdict "remote-delete wrong" 0
urun "$BENTO" remote-add down http://127.0.0.1:9/repo --mirror="$REPO_URL" --gpg-import="$KEYFILE"
[ "$RC" = 0 ]
urun "$BENTO" remote-ls down
[ "$RC" = 0 ] && [[ $OUT == "$ID	stable	1	"* ]]
verdict "a remote whose server is down: remote-ls falls back to its mirror" 0
urun "$BENTO" remote-delete down
[ "$RC" = 0 ]
verdict "remote-delete down" 0

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
[ "$RC" = 0 ] && [[ $OUT == *"updated to version 2"* ]]
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
! grep -q $'\r' "$ERR_FILE" && grep -q "^received .* in .* s$" "$ERR_FILE"
ok "without a terminal the progress is one line per event, no bar" "$(cat -A "$ERR_FILE")"
urun "$BENTO" run "$ID"
expect "after the update, bento run prints version 2" 0 "RepoHello version 2"
as_user mkdir "$INST/app/$ID/stable/.tmp-$commit2-AbCdEf"
urun "$BENTO" update "$ID"
[ "$RC" = 0 ] && [[ $OUT == *"up to date"* ]] && [ ! -e "$INST/app/$ID/stable/.tmp-$commit2-AbCdEf" ] &&
	[ "$(ls "$INST/app/$ID/stable" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$commit1" "$commit2" active origin previous | sort | tr '\n' ' ')" ]
verdict "bento update ID again: up to date; an unfinished .tmp-* deployment removed, two deployments kept" 0

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

# ---- branches as channels
export_version 1 beta
verdict "version 1 exported to the branch beta" 0 || finish
urun "$BENTO" install --branch=beta test "$ID"
[ "$RC" = 0 ] && [[ $OUT == *"bento switch $ID beta"* ]]
verdict "install --branch=beta beside stable, which stays current" 0
commit_beta=$(ostree --repo="$REPO" rev-parse "app/$ID/x86_64/beta")
urun "$BENTO" list
[ "$RC" = 0 ] && [ "$OUT" = "$ID	beta	1	$commit_beta	test
$ID	stable	2	$commit2	test	current" ]
verdict "list: both branches, stable current" 0
urun "$BENTO" run "$ID"
expect "bento run runs stable: version 2" 0 "RepoHello version 2"
urun "$BENTO" switch "$ID" beta
[ "$RC" = 0 ]
verdict "switch $ID beta" 0
urun "$BENTO" run "$ID"
expect "after switch to beta: version 1" 0 "RepoHello version 1"
urun "$BENTO" switch "$ID" nightly
[ "$RC" = 1 ] && [[ $ERR == *nightly* ]]
verdict "switch to a branch the remote does not have: an error naming it" 1
urun "$BENTO" run "$ID"
expect "... and beta still runs" 0 "RepoHello version 1"
urun "$BENTO" switch "$ID" stable
[ "$RC" = 0 ]
verdict "switch back to stable" 0
urun "$BENTO" run "$ID"
expect "stable runs again: version 2" 0 "RepoHello version 2"

# ---- usage errors, unknown apps, a busy installation
urun "$BENTO" install test
[ "$RC" = 2 ]
verdict "install without an ID: usage status 2" 2
urun "$BENTO" install test 'org.bento.Bad Id'
[ "$RC" = 2 ]
verdict "install of an invalid app id: usage status 2" 2
urun "$BENTO" remote-ls
[ "$RC" = 2 ]
verdict "remote-ls without NAME: usage status 2" 2
urun "$BENTO" run org.bento.NotInstalled
[ "$RC" = 127 ] && [[ $ERR == *"no app of that id is installed"* ]]
verdict "run of an app id not installed: 127, says so" 127
urun "$BENTO" remove org.bento.NotInstalled
[ "$RC" = 1 ] && [[ $ERR == *"not installed"* ]]
verdict "remove of an app id not installed: 1, says so" 1
urun "$BENTO" install nosuchremote "$ID"
[ "$RC" = 1 ] && [[ $ERR == *nosuchremote* ]]
verdict "install from an unknown remote: 1, names it" 1
bg_user "$TEST_DIR/lock.out" "$TEST_DIR/lock.err" python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(30)' "$INST/lock"
locker=$BG_PID
wait_for_line "$TEST_DIR/lock.out" locked 10 "$locker"
urun "$BENTO" update "$ID"
[ "$RC" = 4 ] && [[ $ERR == *"another bento"* ]]
verdict "update while another holds the installation's lock: status 4" 4
kill "$locker" 2>/dev/null
bg_wait "$locker" 5

# ---- a file that claims the installed app's id
mkdir -p idfile && chown "$TEST_UID:$TEST_GID" idfile
urun GNUPGHOME="$GH" SOURCE_DATE_EPOCH=1700000000 "$BUILDER" pack "v/v1.AppDir" \
	-o idfile/other.AppImage --sign-key "$FPR_OTHER"
[ "$RC" = 0 ]
verdict "a file with the app's id, signed by another key" 0
urun idfile/other.AppImage
[ "$RC" = 127 ] && [[ $ERR == *"belongs to the files signed by key $FPR"* ]]
verdict "that file is refused the installed app's id (its remote's key)" 127
urun "$TEST_DIR/v/v1.AppImage"
expect "control: the same app signed by the remote's key runs with the id" 0 "RepoHello version 1"
urun "$BENTO" trust idfile/other.AppImage
[ "$RC" = 0 ]
verdict "bento trust hands the id to the other key's file" 0
urun idfile/other.AppImage
expect "the trusted file runs with the id" 0 "RepoHello version 1"
urun "$BENTO" run "$ID"
[ "$RC" = 127 ] && [[ $ERR == *"belongs to the files signed by key $FPR_OTHER"* ]]
verdict "now the installed app is refused the id: it belongs to the other key" 127
urun "$BENTO" trust "$ID"
[ "$RC" = 0 ] && [[ $OUT == *"$FPR"*"installed from remote test"* ]]
verdict "bento trust ID hands it back to the installed app's remote key" 0
urun "$BENTO" run "$ID"
expect "the installed app runs again" 0 "RepoHello version 2"

# ---- objects shared between apps
ID2=org.bento.RepoHelloTwo
cp -a v/v1.AppDir v/two.AppDir
sed -i "s/^name=.*/name=$ID2/" v/two.AppDir/.bento/metadata
# a desktop entry that tries to get around the rewriting of its command
sed -e 's/^Exec=.*/Exec = sh -c "echo evil" %U/' "v/two.AppDir/$ID.desktop" >"v/two.AppDir/$ID2.desktop"
printf 'TryExec=sh\nDBusActivatable=true\nExec[de]=sh\n' >>"v/two.AppDir/$ID2.desktop"
rm "v/two.AppDir/$ID.desktop"
chown -R "$TEST_UID:$TEST_GID" v/two.AppDir
urun "$BUILDER" export --repo="$REPO" --gpg-sign="$FPR" --gpg-homedir="$GH" v/two.AppDir
[ "$RC" = 0 ] && urun "$BUILDER" update-repo "$REPO" --generate-static-deltas --gpg-sign="$FPR" \
	--gpg-homedir="$GH"
[ "$RC" = 0 ]
verdict "a second app, $ID2, sharing the 4 MB file, published" 0
objects_before=$(find "$INST/repo/objects" -type f | wc -l)
# on a terminal (script(1) makes one): the progress is one line redrawn
urun script -qec "$BENTO install test $ID2" /dev/null
[ "$RC" = 0 ] && grep -q $'\r\033\[K' "$OUT_FILE" && grep -q "received .* in .* s" "$OUT_FILE"
verdict "install $ID2 on a terminal: a progress bar redrawn in place" 0
objects_after=$(find "$INST/repo/objects" -type f | wc -l)
big1=$INST/app/$ID/stable/active/usr/share/data/big.bin
big2=$INST/app/$ID2/stable/active/usr/share/data/big.bin
[ "$(stat -L -c %i "$big1")" = "$(stat -L -c %i "$big2")" ] &&
	[ $((objects_after - objects_before)) -lt 10 ]
ok "the shared file is one inode in both deployments; $ID2 added $((objects_after - objects_before)) objects" \
	"$(stat -L "$big1" "$big2")"
urun "$BENTO" run "$ID2"
expect "$ID2 runs" 0 "RepoHello version 1"
[ "$(grep -c Exec "$APPS/$ID2.desktop")" = 1 ] && grep -qx "Exec=bento run $ID2 %U" "$APPS/$ID2.desktop" &&
	! grep -Eq "TryExec|DBusActivatable|evil" "$APPS/$ID2.desktop"
ok "a hostile desktop entry: one Exec=bento run $ID2 %U, no TryExec, D-Bus activation or other command" \
	"$(cat "$APPS/$ID2.desktop")"
urun "$BENTO" remove "$ID2"
[ "$RC" = 0 ]
verdict "remove $ID2" 0
cmp -s "$big1" "$TEST_DIR/data.bin"
ok "$ID's copy of the shared file is intact after $ID2's removal"

# ---- a remote without a key: its apps get no key's id
urun "$BENTO" remote-add --no-gpg-verify plain "$REPO_URL"
[ "$RC" = 0 ]
urun "$BENTO" install plain "$ID2"
[ "$RC" = 0 ]
verdict "install $ID2 from a remote without a key" 0
urun "$BENTO" run "$ID2"
[ "$RC" = 127 ] && [[ $ERR == *"belongs to the files signed by key $FPR"* ]]
verdict "it is refused the id that the key's install of $ID2 had" 127
urun "$BENTO" trust "$ID2"
[ "$RC" = 0 ] && [[ $OUT == *"unsigned file $INST/app/$ID2"* ]]
verdict "bento trust $ID2 binds the id to the unverified installation's place" 0
urun "$BENTO" run "$ID2"
expect "$ID2 from the keyless remote runs" 0 "RepoHello version 1"
echo changed >v/two.AppDir/usr/share/data/extra
urun "$BUILDER" export --repo="$REPO" --gpg-sign="$FPR" --gpg-homedir="$GH" v/two.AppDir
[ "$RC" = 0 ] && urun "$BUILDER" update-repo "$REPO" --generate-static-deltas --gpg-sign="$FPR" \
	--gpg-homedir="$GH"
[ "$RC" = 0 ]
verdict "a new commit of $ID2 published" 0
urun "$BENTO" update "$ID2"
[ "$RC" = 0 ] && [[ $OUT == *"updated to"* ]]
verdict "update $ID2 from the keyless remote" 0
urun "$BENTO" run "$ID2"
expect "after the update it keeps its id (bound to its installation, not a deployment)" 0 \
	"RepoHello version 1"
urun "$BENTO" remove "$ID2"
[ "$RC" = 0 ] && urun "$BENTO" remote-delete plain
[ "$RC" = 0 ]
verdict "remove $ID2, remote-delete plain" 0

# ---- remove, the desktop, the data
[ -d "$USER_HOME/.var/app/$ID" ]
ok "$ID has its data directory"
urun "$BENTO" remove "$ID"
[ "$RC" = 0 ] && [ ! -e "$INST/app/$ID" ] && [ ! -e "$APPS/$ID.desktop" ] &&
	[ ! -e "$ICONS/scalable/apps/$ID.svg" ] && [ -d "$USER_HOME/.var/app/$ID" ] &&
	[ -z "$(ostree --repo="$INST/repo" refs | grep "$ID")" ]
verdict "remove: no deployment, desktop entry, icon or ref left; the data kept" 0
urun "$BENTO" run "$ID"
[ "$RC" = 127 ]
verdict "a removed app does not run" 127
urun "$BENTO" install test "$ID"
[ "$RC" = 0 ]
verdict "install again" 0
urun "$BENTO" remove --delete-data "$ID"
[ "$RC" = 0 ] && [ ! -e "$USER_HOME/.var/app/$ID" ] && [ ! -e "$INST/app/$ID" ]
verdict "remove --delete-data: the data is gone too" 0
urun "$BENTO" remote-delete test
[ "$RC" = 0 ]
verdict "remote-delete test once nothing comes from it" 0

# ---- the system's installation, root's, run by the user
SYS=$TEST_DIR/system
SYSENV=(BENTO_SYSTEM_DIR=$SYS BENTO_SYSTEM_EXPORT_DIR=$TEST_DIR/sysshare)
rrun "${SYSENV[@]}" "$BENTO" remote-add --system test "$REPO_URL" --gpg-import="$KEYFILE"
[ "$RC" = 0 ]
verdict "root: remote-add --system" 0
rrun "${SYSENV[@]}" "$BENTO" install --system test "$ID"
[ "$RC" = 0 ] && [ "$(stat -c %U "$SYS/app/$ID/stable")" = root ] &&
	grep -qx "X-Bento-Installation=system" "$TEST_DIR/sysshare/applications/$ID.desktop"
verdict "root: install --system (root's files, the desktop entry exported)" 0
urun "${SYSENV[@]}" "$BENTO" list --system
[ "$RC" = 0 ] && [ "$OUT" = "$ID	stable	2	$commit2	test	current" ]
verdict "the user lists the system's apps" 0
urun "${SYSENV[@]}" "$BENTO" run "$ID"
expect "the user runs the system's $ID" 0 "RepoHello version 2"
urun "${SYSENV[@]}" "$BENTO" remote-ls --system test
[ "$RC" = 0 ] && [[ $OUT == *"$ID	stable	2	$commit2"* ]]
verdict "the user lists what the system's remote offers" 0
urun "${SYSENV[@]}" "$BENTO" update --system "$ID"
[ "$RC" != 0 ] && [[ $ERR == *"$SYS"* ]]
verdict "the user cannot update the system's installation" 1
rrun "${SYSENV[@]}" "$BENTO" remove --system "$ID"
[ "$RC" = 0 ] && [ ! -e "$TEST_DIR/sysshare/applications/$ID.desktop" ]
verdict "root: remove --system" 0

# ---- the sanitizer build's bento: the same paths, no report
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -x "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	mkdir -p san && cp "$BENTO_SAN_BUILD/runtime/cli/bento" san/bento && chmod 0755 san/bento
	SB=$TEST_DIR/san/bento
	urun "$SB" remote-add test "$REPO_URL" --gpg-import="$KEYFILE"
	[ "$RC" = 0 ]
	verdict "sanitizer build: remote-add" 0
	urun "$SB" remote-ls test
	[ "$RC" = 0 ] && [[ $OUT == *"$ID	beta	1	"* ]]
	verdict "sanitizer build: remote-ls" 0
	urun "$SB" install --branch=beta test "$ID"
	[ "$RC" = 0 ]
	verdict "sanitizer build: install --branch=beta" 0
	urun "$SB" run "$ID"
	expect "sanitizer build: run ID" 0 "RepoHello version 1"
	export_version 2 beta
	verdict "version 2 exported to beta" 0
	urun "$SB" update
	[ "$RC" = 0 ] && [[ $OUT == *"updated to version 2"* ]]
	verdict "sanitizer build: update" 0
	urun "$SB" rollback "$ID"
	[ "$RC" = 0 ]
	verdict "sanitizer build: rollback" 0
	urun "$SB" list
	[ "$RC" = 0 ] && [[ $OUT == "$ID	beta	1	"* ]]
	verdict "sanitizer build: list" 0
	urun "$SB" info "$ID"
	[ "$RC" = 0 ]
	verdict "sanitizer build: info ID" 0
	urun "$SB" switch "$ID" stable
	[ "$RC" = 0 ]
	verdict "sanitizer build: switch" 0
	urun "$SB" remove --delete-data "$ID"
	[ "$RC" = 0 ]
	verdict "sanitizer build: remove" 0
	urun "$SB" remote-delete test
	[ "$RC" = 0 ]
	verdict "sanitizer build: remote-delete" 0
else
	skip "the sanitizer build's bento" "no sanitizer build given (tests/run BUILD SAN_BUILD)"
fi

[ -z "$(bento_mounts)" ]
ok "no mount left" "$(bento_mounts)"
finish
