# tests/repo/lib/attack.sh — what the adversarial tests of the repository
# client share (tests/repo/{refuse,interrupt,mirror,system}.sh).  The served
# repositories, good and hostile, are made with Debian's `ostree` command,
# not with bento-builder, so that what the client refuses or accepts does not
# depend on bento's own publisher; their commits carry the metadata
# /work/notes/repo-spec.md names (ref binding, version, bento.app-id, ...).
#
# attack_setup: the artifacts (in_test_dir), two signing keys (A, the
#   publisher's; B, somebody else's) and their public keys key-A.asc,
#   key-B.asc, key-AB.asc; $TEST_DIR/data.bin.
# make_tree DIR VERSION [METADATA_TEXT]: an AppDir of org.bento.RepoHello
#   whose command prints "version VERSION" (make_versioned_appdir's data, and
#   version 3 adds 4 MB of new data and 2000 small files with a symbolic
#   link half-way through them, for interruptions)
# new_repo DIR: an empty archive-mode repository (the user's)
# commit_tree DIR TREE SIGN_FPR [OSTREE_COMMIT_OPTIONS...]: commits TREE on $REF of DIR,
#   signed by SIGN_FPR (none if empty), the spec's metadata; prints the
#   commit.  COMMIT_REF, COMMIT_APP_ID, COMMIT_META override the ref, the
#   bento.app-id and the bento.metadata text (default: the tree's file)
# summary DIR [SIGN_FPR]: regenerates DIR's summary (signed if SIGN_FPR),
#   with a modification time of its own: two summaries of the same size
#   made in the same second would have the same ETag and Last-Modified, and
#   ostree's cached copy of the first would stand for the second
# deltas DIR: static deltas parent->head and from scratch of $REF
# serve_variant DIR: www/repo (what nginx serves) now points to DIR
# client NAME: a user of its own for the next bento commands (an installed
#   app's id belongs to its remote's key, in the user's HOME): HOME is
#   $TEST_DIR/clients/NAME; sets C (the env assignment to pass to urun) and
#   INST (the installation's directory)
# bento_c ARGS...: urun ./bento (or $BENTO_CMD) with the client's environment
# installed_version: what `bento run $APP_ID` prints (sets RC too)
# active_commit: the commit INST's active deployment of $APP_ID points to
# ostree_verifies DIR_URL KEYFILE [PULL_OPTIONS...]: Debian's ostree pulls
#   $REF from the URL into a fresh repository with gpg verification against
#   KEYFILE; prints what the checked-out version file says

APP_ID=org.bento.RepoHello
ARCH=$(uname -m)
REF=app/$APP_ID/$ARCH/stable
KEY_A="Key A <a@example.org>"
KEY_B="Key B <b@example.org>"
_stamp=1700000000

attack_setup() {
	in_test_dir BENTO BUILDER HELLO
	command -v ostree >/dev/null || {
		fail "Debian's ostree command is installed (scripts/setup.d/repoattack.packages)"
		finish
	}
	GH=$TEST_DIR/gnupg
	test_keys "$GH" "$KEY_A" "$KEY_B"
	FPR_A=$(fingerprint_of "$GH" a@example.org)
	FPR_B=$(fingerprint_of "$GH" b@example.org)
	[ -n "$FPR_A" ] && [ -n "$FPR_B" ]
	ok "two test keys" || finish
	as_user GNUPGHOME="$GH" gpg --batch --export "$FPR_A" >key-A.asc
	as_user GNUPGHOME="$GH" gpg --batch --export "$FPR_B" >key-B.asc
	as_user GNUPGHOME="$GH" gpg --batch --export "$FPR_A" "$FPR_B" >key-AB.asc
	head -c 4000000 /dev/urandom >data.bin
	mkdir -p www variants clients
	chown "$TEST_UID:$TEST_GID" www variants clients
}

GOOD_METADATA="[Application]
name=$APP_ID
command=usr/bin/show-version
"

make_tree() {
	local dir=$1 v=$2 meta=${3-$GOOD_METADATA} i
	make_versioned_appdir "$dir" "$v"
	mv "$dir/hello.desktop" "$dir/$APP_ID.desktop"
	printf '#!/bin/sh\nexec cat /app/usr/share/data/version\n' >"$dir/usr/bin/show-version"
	chmod 0755 "$dir/usr/bin/show-version"
	mkdir -p "$dir/.bento"
	printf '%s' "$meta" >"$dir/.bento/metadata"
	if [ "$v" = 3 ]; then
		head -c 4000000 /dev/urandom >"$dir/usr/share/data/big3.bin"
		mkdir -p "$dir/usr/share/many"
		for i in $(seq 2000); do echo "$i" >"$dir/usr/share/many/$i"; done
		# the checkout's second symbolic link (after AppRun), half-way
		# through these (in name order: 1000 < 1000-link < 1001 < 999)
		ln -s 1000 "$dir/usr/share/many/1000-link"
	fi
	chown -R "$TEST_UID:$TEST_GID" "$dir"
}

new_repo() {
	as_user ostree init --mode=archive --repo="$1"
}

commit_tree() {
	local dir=$1 tree=$2 fpr=$3 meta
	shift 3
	_stamp=$((_stamp + 100))
	meta=${COMMIT_META-$(tr -d '\0' <"$tree/.bento/metadata")}
	as_user ostree --repo="$dir" commit --branch="${COMMIT_REF:-$REF}" --tree=dir="$tree" \
		--owner-uid=0 --owner-gid=0 --no-xattrs --timestamp="@$_stamp" \
		-s "$(cat "$tree/usr/share/data/version")" \
		--add-metadata-string=version="$(sed 's/version //' "$tree/usr/share/data/version")" \
		--add-metadata-string=bento.app-id="${COMMIT_APP_ID:-$APP_ID}" \
		--add-metadata-string=bento.branch=stable --add-metadata-string=bento.arch="$ARCH" \
		--add-metadata-string=bento.metadata="$meta" \
		${fpr:+--gpg-sign="$fpr" --gpg-homedir="$GH"} "$@"
}

summary() {
	rm -f "$1/summary.sig"
	as_user ostree --repo="$1" summary -u ${2:+--gpg-sign="$2" --gpg-homedir="$GH"} &&
		_stamp=$((_stamp + 100)) &&
		touch -h -d "@$_stamp" "$1/summary" ${2:+"$1/summary.sig"}
}

deltas() {
	local parent
	parent=$(as_user ostree --repo="$1" rev-parse "$REF^" 2>/dev/null)
	[ -n "$parent" ] && as_user ostree --repo="$1" static-delta generate --from="$parent" --to="$REF" >/dev/null 2>&1
	as_user ostree --repo="$1" static-delta generate --empty --to="$REF" >/dev/null 2>&1
}

# variant NAME FROM: a copy of the repository FROM, $TEST_DIR/variants/NAME; sets V
variant() {
	V=$TEST_DIR/variants/$1
	rm -rf "$V"
	cp -a "$2" "$V"
}

serve_variant() {
	ln -sfn "$1" www/repo
}

client() {
	local home=$TEST_DIR/clients/$1
	install -d -m 0700 -o "$TEST_UID" -g "$TEST_GID" "$home"
	C="HOME=$home"
	INST=$home/.local/share/bento/installation
}

bento_c() {
	urun "$C" "${BENTO_CMD:-./bento}" "$@"
}

installed_version() {
	urun "$C" "${BENTO_CMD:-./bento}" run "$APP_ID"
	printf '%s' "$OUT"
}

active_commit() {
	basename "$(readlink "$INST/app/$APP_ID/stable/active" 2>/dev/null)"
}

# the deployments present and the active one, to compare before and after
state() {
	(cd "$INST/app/$APP_ID/stable" 2>/dev/null && ls -A && readlink active previous)
}

ostree_verifies() {
	local url=$1 key=$2 r=$TEST_DIR/ostree-check
	shift 2
	rm -rf "$r" "$r.co"
	as_user ostree init --mode=bare-user-only --repo="$r" >/dev/null &&
		as_user ostree --repo="$r" remote add --gpg-import="$key" o "$url" >/dev/null &&
		as_user ostree --repo="$r" pull "$@" o "$REF" >/dev/null 2>"$TEST_DIR/ostree-check.err" &&
		as_user ostree --repo="$r" checkout -U "$REF" "$r.co" >/dev/null 2>&1 &&
		cat "$r.co/usr/share/data/version"
}

# object_uri DIR PATH: the URI nginx serves the file object of PATH in the
# head of $REF of DIR at (DIR served as www/repo)
object_uri() {
	local sum
	sum=$(as_user ostree --repo="$1" ls -C "$REF" "$2" | awk '{print $5}')
	echo "/repo/objects/${sum:0:2}/${sum:2}.filez"
}

# web_conf SLOW_URI: nginx's server configuration for start_web: SLOW_URI
# (the 4 MB object of version 3) served at 256 kB/s, so that a pull of
# version 3 lasts 16 s, except under /fast/ (the same files at full speed)
web_conf() {
	printf 'location = %s { limit_rate 256k; } location /fast/ { alias %s/www/; }' "$1" "$TEST_DIR"
}
