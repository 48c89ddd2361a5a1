# tests/repo/lib/publish.sh — fixtures shared by tests/repo/*.sh (issue 17):
# a signed OSTree repository published by bento-builder, served by nginx.
# Source it after tests/lib.sh and in_test_dir (BUILDER, BENTO, HELLO set).
#
# make_repo_versions       keys, AppDirs and packed files of versions 1 and 2
# export_version N [BRANCH] publish version N (export + update-repo)
# serve_repo               nginx on $TEST_DIR/www; REPO_URL
# The app prints "RepoHello version N" (N = 1 or 2) when run; its id is
# $REPO_APP_ID, its ref app/$REPO_APP_ID/x86_64/BRANCH (stable by default).

REPO_APP_ID=org.bento.RepoHello
REPO_KEY="Repo Key <repo@example.org>"
OTHER_KEY="Other Key <other@example.org>"

# make_repo_versions: sets
#   REPO      $TEST_DIR/www/repo, where export_version publishes
#   GH        the test user's GnuPG home, holding two signing keys
#   FPR       the fingerprint of the repository's key (repo@example.org)
#   KEYFILE   that key's public key, exported (what `--gpg-import=` takes)
#   FPR_OTHER, KEYFILE_OTHER: another key (other@example.org), for refusals
#   $TEST_DIR/v/vN.AppDir     the AppDirs of versions 1 and 2 (sandboxed:
#                             .bento/metadata names $REPO_APP_ID; the desktop
#                             entry has X-AppImage-Version=N; 4 MB of data,
#                             version 2 changes one small file and adds one)
#   $TEST_DIR/v/vN.AppImage   them packed by bento-builder, signed by $FPR
# and makes $TEST_DIR/www (the test user's, what serve_repo serves).
# Stops the script (finish) when something fails.
make_repo_versions() {
	local n d
	REPO=$TEST_DIR/www/repo
	GH=$TEST_DIR/gnupg
	test_keys "$GH" "$REPO_KEY" "$OTHER_KEY"
	FPR=$(fingerprint_of "$GH" repo@example.org)
	FPR_OTHER=$(fingerprint_of "$GH" other@example.org)
	KEYFILE=$TEST_DIR/repo-key.gpg
	KEYFILE_OTHER=$TEST_DIR/other-key.gpg
	as_user GNUPGHOME="$GH" gpg --batch --export "$FPR" >"$KEYFILE" 2>/dev/null &&
		as_user GNUPGHOME="$GH" gpg --batch --export "$FPR_OTHER" >"$KEYFILE_OTHER" 2>/dev/null &&
		[ -n "$FPR" ] && [ -n "$FPR_OTHER" ] && [ -s "$KEYFILE" ] && [ -s "$KEYFILE_OTHER" ]
	ok "publish fixture: two signing keys, exported" || finish
	chmod 0644 "$KEYFILE" "$KEYFILE_OTHER"
	[ -f "$TEST_DIR/data.bin" ] || head -c 4000000 /dev/urandom >"$TEST_DIR/data.bin"
	mkdir -p "$TEST_DIR/v" "$TEST_DIR/www"
	for n in 1 2; do
		d=$TEST_DIR/v/v$n.AppDir
		make_versioned_appdir "$d" $n
		# the Flatpak layout: ID.desktop, icon ID.svg, a command that says
		# which version runs
		rm -f "$d/hello.desktop" "$d/hello.svg" "$d/AppRun"
		sed -e "s/^Icon=.*/Icon=$REPO_APP_ID/" -e 's/^Exec=.*/Exec=AppRun %F/' \
			-e 's/^Name=.*/Name=Repo Hello/' "$SRC_DIR/manifests/hello/hello.desktop" \
			>"$d/$REPO_APP_ID.desktop"
		echo "X-AppImage-Version=$n" >>"$d/$REPO_APP_ID.desktop"
		cp "$SRC_DIR/manifests/hello/hello.svg" "$d/$REPO_APP_ID.svg"
		printf '#!/bin/sh\nprintf "RepoHello %%s\\n" "$(cat "$(dirname "$0")/usr/share/data/version")"\n' \
			>"$d/AppRun"
		chmod 0755 "$d/AppRun"
		mkdir -p "$d/.bento"
		printf '[Application]\nname=%s\ncommand=AppRun\n' "$REPO_APP_ID" >"$d/.bento/metadata"
	done
	chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/v" "$TEST_DIR/www"
	for n in 1 2; do
		urun GNUPGHOME="$GH" SOURCE_DATE_EPOCH=1700000000 "$BUILDER" pack \
			"$TEST_DIR/v/v$n.AppDir" -o "$TEST_DIR/v/v$n.AppImage" --sign-key "$FPR"
		verdict "publish fixture: version $n packed" 0 || finish
	done
}

# export_version N [BRANCH]: as the test user, `bento-builder export` of
# $TEST_DIR/v/vN.AppImage to the ref app/$REPO_APP_ID/x86_64/BRANCH (default
# stable) of $REPO (= $TEST_DIR/www/repo, created on first use), signed by
# $FPR, then `update-repo --generate-static-deltas` signed by $FPR.  Sets
# RC/OUT/ERR of the last step (urun); status 0 when both succeeded.
export_version() {
	local n=$1 branch=${2:-stable}
	urun "$BUILDER" export --repo="$REPO" --branch="$branch" --gpg-sign="$FPR" \
		--gpg-homedir="$GH" "$TEST_DIR/v/v$n.AppImage"
	[ "$RC" = 0 ] || return 1
	urun "$BUILDER" update-repo "$REPO" --generate-static-deltas --gpg-sign="$FPR" \
		--gpg-homedir="$GH"
	[ "$RC" = 0 ]
}

# serve_repo: nginx (as the test user) serving $TEST_DIR/www (start_web);
# sets REPO_URL=$WEB_URL/repo, what `bento remote-add NAME "$REPO_URL"
# --gpg-import="$KEYFILE"` and `ostree remote add` take.
serve_repo() {
	start_web "$TEST_DIR/www" || return 1
	REPO_URL=$WEB_URL/repo
}
