# Hostile repositories: `bento update` of an installed app (version 1, from a
# remote whose key is A, as the user) refuses each, says why, and leaves the
# installation as it was (the same deployments, the same active one, version
# 1 still runs); the next update from a good repository then installs
# version 2.  Each row of the table has its control: the same repository
# accepted where the defence is not in the way (a remote that trusts the
# other key too, a remote added with --no-gpg-verify, Debian's ostree without
# content verification or without ref-binding checks, Debian's ostree, which
# knows nothing of bento's app ids and metadata), or, where nothing can turn
# the defence off, proof that the altered file reached the client.  The
# repositories are made with Debian's ostree (tests/repo/lib/attack.sh),
# served by nginx on loopback.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/../security/lib/table.sh"
. "$(dirname "$0")/../runtime/lib/bad_metadata.sh"

attack_setup
make_tree v1 1
make_tree v2 2
make_tree v3 3
GOOD1=$TEST_DIR/variants/good1
new_repo "$GOOD1"
commit_tree "$GOOD1" v1 "$FPR_A" >/dev/null && deltas "$GOOD1" && summary "$GOOD1" "$FPR_A"
ok "the good repository with version 1, signed by key A (Debian's ostree)" || finish
variant slow "$GOOD1"
SLOW=$V
commit_tree "$SLOW" v3 "$FPR_A" >/dev/null && summary "$SLOW" "$FPR_A"
SLOW_URI=$(object_uri "$SLOW" /usr/share/data/big3.bin)
serve_variant "$GOOD1"
start_web "$TEST_DIR/www" "$(web_conf "$SLOW_URI")" || finish
URL=$WEB_URL/repo
[ "$(ostree_verifies "$URL" key-A.asc)" = "version 1" ]
ok "Debian's ostree pulls and verifies the good repository with key A" "$(cat ostree-check.err)"

# fixed: a good repository whose head is version 2, newer than anything
# served before (what the publisher puts back after an attack); sets FIXED
n_fixed=0
fixed() {
	n_fixed=$((n_fixed + 1))
	variant "fixed$n_fixed" "$GOOD1"
	FIXED=$V
	commit_tree "$FIXED" v2 "$FPR_A" >/dev/null && deltas "$FIXED" && summary "$FIXED" "$FPR_A"
}

# fresh_client NAME [URL_SUFFIX]: a new installation with version 1 installed
# from the good repository through a remote "origin" with key A
fresh_client() {
	client "$1"
	serve_variant "$GOOD1"
	bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" origin "$WEB_URL/${2:-}repo" &&
		bento_c install origin "$APP_ID" && [ "$(installed_version)" = "version 1" ]
}

# refused WHY_REGEX: the last run refused the update (status 3, "an app
# could not be updated (it stays as it was)" in bento update --help; stderr
# matching the extended WHY_REGEX) and the installation is as it was
# ($BEFORE); then a good repository updates it to version 2.  Sets BLOCKED
# (yes|NO) and OBS.
refused() {
	local why=$1 rc=$RC err=$ERR after now
	after=$(state)
	now=$(installed_version)
	BLOCKED=NO
	OBS="update: status $rc, $(head -c 300 <<<"$err" | tr '\n' ' ')"
	if [ "$rc" = 3 ] && grep -Eq -- "$why" <<<"$err" && [ "$after" = "$BEFORE" ] &&
		[ "$now" = "version 1" ]; then
		fixed
		serve_variant "$FIXED"
		bento_c update "$APP_ID"
		if [ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ]; then
			BLOCKED=yes
			OBS+="; version 1 still ran, the next update from a good repository installed version 2"
		else
			OBS+="; BUT the next update from a good repository: status $RC, $(head -c 300 <<<"$ERR")"
		fi
	else
		[ "$rc" = 3 ] || OBS+=" (expected 3)"
		grep -Eq -- "$why" <<<"$err" || OBS+="; the message does not match /$why/"
		[ "$after" = "$BEFORE" ] || OBS+="; the installation changed: $(tr '\n' ' ' <<<"$after") (was $(tr '\n' ' ' <<<"$BEFORE"))"
		[ "$now" = "version 1" ] || OBS+="; bento run $APP_ID now prints \"$now\""
	fi
}

# attack NAME CLASS WHY_REGEX VARIANT [REACHED_REGEX]: a fresh client updates
# from VARIANT; with REACHED_REGEX, the control is that nginx's access log of
# the update has a line matching it (the altered file reached the client)
attack() {
	local name=$1 class=$2 why=$3 dir=$4 reached=${5:-} slug
	slug=$(tr -c 'a-zA-Z0-9\n' - <<<"$name")
	if ! fresh_client "$slug"; then
		record "$name" "$class" ERROR "$CONTROL" "version 1 could not be installed: $(describe_run)"
		return
	fi
	BEFORE=$(state)
	serve_variant "$dir"
	: >"$WEB_DIR/access.log"
	bento_c update "$APP_ID"
	cp "$WEB_DIR/access.log" "$TEST_DIR/access-$slug.log"
	if [ -n "$reached" ]; then
		CONTROL=no
		grep -Eq -- "$reached" "$WEB_DIR/access.log" && CONTROL=yes
		CONTROL_OBS+="fetched: $CONTROL"
	fi
	refused "$why"
	record "$name" "$class" "$BLOCKED" "$CONTROL" "$OBS; control: $CONTROL_OBS"
}

# control_install NAME KEYFILE|--no-gpg-verify VARIANT: a remote that trusts
# KEYFILE (or nothing) installs VARIANT's head: sets CONTROL, CONTROL_OBS
control_install() {
	local opt=--gpg-import=$TEST_DIR/$2 v
	[ "$2" = --no-gpg-verify ] && opt=$2
	client "control-$1"
	serve_variant "$3"
	bento_c remote-add "$opt" origin "$URL" && bento_c install origin "$APP_ID"
	v=$(installed_version)
	CONTROL=no
	[ "$v" = "version 2" ] && CONTROL=yes
	CONTROL_OBS="a remote with ${opt#--gpg-import=$TEST_DIR/} installs it and runs \"$v\""
}

# control_ostree VARIANT [PULL_OPTIONS...]: Debian's ostree verifies VARIANT with key A
control_ostree() {
	local dir=$1 v
	shift
	serve_variant "$dir"
	v=$(ostree_verifies "$URL" key-A.asc "$@")
	CONTROL=no
	[ "$v" = "version 2" ] && CONTROL=yes
	CONTROL_OBS="Debian's ostree pull $* with key A accepts it: \"$v\" $(head -c 200 ostree-check.err)"
}

# ---- signatures

variant summary-by-B "$GOOD1"
commit_tree "$V" v2 "$FPR_A" >/dev/null && summary "$V" "$FPR_B"
control_install summary-by-B key-AB.asc "$V"
attack "summary signed by another key (B)" "signature" 'GPG|gpg|signature|key|signed' "$V"

variant commit-by-B "$GOOD1"
commit_tree "$V" v2 "$FPR_B" >/dev/null && summary "$V" "$FPR_A"
control_install commit-by-B key-AB.asc "$V"
attack "commit signed by another key (B), summary by A" "signature" 'GPG|gpg|signature|key|signed' "$V"

variant unsigned "$GOOD1"
commit_tree "$V" v2 "" >/dev/null && summary "$V"
control_install unsigned --no-gpg-verify "$V"
attack "unsigned repository (no summary.sig, unsigned commit), the remote has a key" "signature" \
	'GPG|gpg|signature|signed' "$V"

variant summary-unsigned "$GOOD1"
commit_tree "$V" v2 "$FPR_A" >/dev/null && summary "$V"
control_install summary-unsigned --no-gpg-verify "$V"
attack "summary.sig removed, commits signed" "signature" 'GPG|gpg|signature|signed|summary' "$V"

# object_path FILE: the URI regex of a repository's FILE as nginx logs it
object_path() {
	echo "^200 /repo/objects/$(basename "$(dirname "$1")")/$(basename "$1") "
}

# ---- objects altered on the server (no static deltas: the client fetches objects)

# object_of VARIANT PATH: the object file of PATH in VARIANT's head, its type by the field
object_file() { # DIR PATH FIELD(5: file's checksum or dirtree) EXT
	local sum
	sum=$(as_user ostree --repo="$1" ls -C -d "$REF" "$2" | awk -v f="$3" '{print $f}')
	echo "$1/objects/${sum:0:2}/${sum:2}.$4"
}

variant filez-swapped "$GOOD1"
commit_tree "$V" v2 "$FPR_A" >/dev/null && summary "$V" "$FPR_A"
# the object of version 2's version file replaced by a valid object of
# other content ("version EVIL") made in a scratch repository
cp -a v2 evil && echo "version EVIL" >evil/usr/share/data/version
new_repo scratch && COMMIT_REF=evil commit_tree scratch evil "" >/dev/null
target=$(object_file "$V" /usr/share/data/version 5 filez)
evil=$(COMMIT_REF=evil REF=evil object_file scratch /usr/share/data/version 5 filez)
cp "$evil" "$target"
serve_variant "$V"
v=$(ostree_verifies "$URL" key-A.asc)
[ -z "$v" ]
ok "Debian's ostree with content verification refuses the replaced object too" "$v"
# without content verification (a mirror pull with --http-trusted) the
# evil content is checked out
r=$TEST_DIR/trusting
as_user ostree init --mode=archive --repo="$r" >/dev/null
as_user ostree --repo="$r" remote add --gpg-import=key-A.asc o "$URL" >/dev/null
as_user ostree --repo="$r" pull --mirror --http-trusted o "$REF" >/dev/null 2>&1
as_user ostree --repo="$r" checkout -U "$REF" "$r.co" >/dev/null 2>&1
v=$(cat "$r.co/usr/share/data/version" 2>/dev/null)
CONTROL=no
[ "$v" = "version EVIL" ] && CONTROL=yes
CONTROL_OBS="Debian's ostree pull --mirror --http-trusted (no content checksums) checks out \"$v\""
attack "a file object (.filez) replaced by another valid object on the server" "object integrity" \
	'[Cc]orrupt|checksum|[Mm]ismatch' "$V"
grep -Eq "$(object_path "$target")" "$TEST_DIR"/access-a-file-object*.log
ok "  ... and the client did fetch the replaced object (the attack reached it)" "$(cat "$TEST_DIR"/access-a-file-object*.log)"

# flip PATH OFFSET COUNT: invert COUNT bytes at OFFSET of PATH
flip() {
	python3 -c 'import sys
p, at, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
b = bytearray(open(p, "rb").read())
at = min(at, max(0, len(b) - n))
for i in range(at, at + n): b[i] ^= 0xff
open(p, "wb").write(b)' "$@"
}

variant dirtree-flipped "$GOOD1"
commit_tree "$V" v2 "$FPR_A" >/dev/null && summary "$V" "$FPR_A"
target=$(object_file "$V" /usr/share/data 5 dirtree)
flip "$target" 8 4
CONTROL_OBS="nothing turns metadata verification off (not even ostree's --http-trusted); the client fetched the flipped $(basename "$target"): "
attack "bytes of a .dirtree flipped on the server" "object integrity" \
	'[Cc]orrupt|checksum|[Mm]ismatch|[Ii]nvalid' "$V" "$(object_path "$target")"

variant delta-flipped "$GOOD1"
commit_tree "$V" v3 "$FPR_A" >/dev/null && deltas "$V" && summary "$V" "$FPR_A"
parts=$(find "$V/deltas" -name '[0-9]*' -type f)
for p in $parts; do flip "$p" 100 16; done
CONTROL_OBS="nothing turns delta verification off (not even ostree's --http-trusted); the client fetched a flipped part: "
attack "bytes of a static delta part flipped on the server" "object integrity" \
	'[Cc]orrupt|checksum|[Mm]ismatch|[Ii]nvalid' "$V" '^200 /repo/deltas/.*/[0-9]+ '

# ---- app id and ref binding

variant other-app-id "$GOOD1"
COMMIT_APP_ID=org.evil.Other commit_tree "$V" v2 "$FPR_A" >/dev/null && summary "$V" "$FPR_A"
control_ostree "$V"
attack "commit whose bento.app-id is another app (org.evil.Other)" "app id" 'org\.evil\.Other' "$V"

cp -a v2 v2-other && printf '[Application]\nname=org.evil.Other\ncommand=usr/bin/show-version\n' \
	>v2-other/.bento/metadata
variant other-metadata-id "$GOOD1"
commit_tree "$V" v2-other "$FPR_A" >/dev/null && summary "$V" "$FPR_A"
control_ostree "$V"
attack "commit whose .bento/metadata names another app (org.evil.Other)" "app id" 'org\.evil\.Other' "$V"

cp -a v2 v2-nometa && rm -rf v2-nometa/.bento
variant no-metadata "$GOOD1"
COMMIT_META=$GOOD_METADATA commit_tree "$V" v2-nometa "$FPR_A" >/dev/null && summary "$V" "$FPR_A"
control_ostree "$V"
# (without .bento/metadata, the runtime would run the tree as a plain
# AppImage: unsandboxed)
attack "commit without .bento/metadata (bento.metadata claims one)" "metadata" '\.bento/metadata' "$V"

cp -a v2 v2-linkmeta && rm v2-linkmeta/.bento/metadata &&
	ln -s /etc/passwd v2-linkmeta/.bento/metadata
variant symlink-metadata "$GOOD1"
COMMIT_META=$GOOD_METADATA commit_tree "$V" v2-linkmeta "$FPR_A" >/dev/null && summary "$V" "$FPR_A"
control_ostree "$V"
attack ".bento/metadata a symlink to /etc/passwd" "metadata" '\.bento/metadata' "$V"

variant ref-binding "$GOOD1"
COMMIT_REF=app/$APP_ID/$ARCH/beta commit_tree "$V" v2 "$FPR_A" >/dev/null
as_user ostree --repo="$V" refs --force --create="$REF" "app/$APP_ID/$ARCH/beta"
summary "$V" "$FPR_A"
control_ostree "$V" --disable-verify-bindings
attack "the beta branch's commit served as stable (ref binding)" "ref binding" 'bind|beta' "$V"

variant other-app-ref "$GOOD1"
COMMIT_REF=app/org.evil.Other/$ARCH/stable COMMIT_APP_ID=org.evil.Other commit_tree "$V" v2-other "$FPR_A" >/dev/null
as_user ostree --repo="$V" refs --force --create="$REF" "app/org.evil.Other/$ARCH/stable"
summary "$V" "$FPR_A"
control_ostree "$V" --disable-verify-bindings
attack "another app's commit (org.evil.Other) served under this app's ref" "ref binding" \
	'bind|org\.evil\.Other' "$V"

# ---- a replay: the server's head set back to an older signed commit

# version 2 installed; then the server serves the good repository of version
# 1 again: all signatures and bindings hold, only the age tells
variant newer "$GOOD1"
NEWER=$V
commit_tree "$NEWER" v2 "$FPR_A" >/dev/null && deltas "$NEWER" && summary "$NEWER" "$FPR_A"
r=$TEST_DIR/replay
as_user ostree init --mode=bare-user-only --repo="$r" >/dev/null
as_user ostree --repo="$r" remote add --gpg-import=key-A.asc o "$URL" >/dev/null
serve_variant "$NEWER"
as_user ostree --repo="$r" pull o "$REF" >/dev/null 2>&1
serve_variant "$GOOD1"
as_user ostree --repo="$r" pull o "$REF" >/dev/null 2>&1 &&
	[ "$(as_user ostree --repo="$r" rev-parse "o:$REF")" = "$(as_user ostree --repo="$GOOD1" rev-parse "$REF")" ]
replayed=$?
CONTROL=no
[ $replayed = 0 ] && CONTROL=yes
CONTROL_OBS="Debian's ostree pull (without --timestamp-check) takes version 1's commit back: $CONTROL"
name="the server's head set back to an older signed commit (version 1 replayed)"
if fresh_client replay; then
	serve_variant "$NEWER"
	bento_c update "$APP_ID"
	[ "$(installed_version)" = "version 2" ]
	ok "replay: version 2 installed" "$(describe_run)"
	BEFORE=$(state)
	serve_variant "$GOOD1"
	bento_c update "$APP_ID"
	after=$(state) now=$(installed_version)
	BLOCKED=NO
	OBS="update: status $RC, $(head -c 300 <<<"$ERR" | tr '\n' ' '), then runs \"$now\""
	if [ "$RC" = 3 ] && grep -Eqi 'older|downgrade' <<<"$ERR" && [ "$after" = "$BEFORE" ] &&
		[ "$now" = "version 2" ]; then
		fixed
		serve_variant "$FIXED"
		bento_c update "$APP_ID"
		[ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ] && [ "$(active_commit)" = "$(as_user ostree --repo="$FIXED" rev-parse "$REF")" ] &&
			BLOCKED=yes
		OBS+="; a newer commit then: status $RC"
	fi
	record "$name" "replay" "$BLOCKED" "$CONTROL" "$OBS; control: $CONTROL_OBS"
else
	record "$name" "replay" ERROR "$CONTROL" "version 1 could not be installed: $(describe_run)"
fi

# ---- a server that goes away mid-pull

client control-slow
serve_variant "$GOOD1"
bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" origin "$URL" && bento_c install origin "$APP_ID"
serve_variant "$SLOW"
t0=$(now_ms)
RUN_TIMEOUT=120 bento_c update "$APP_ID"
CONTROL=no
[ "$RC" = 0 ] && [ "$(installed_version)" = "version 3" ] && CONTROL=yes
CONTROL_OBS="the same update from the same server left alone installs \"$(installed_version)\" in $(($(now_ms) - t0)) ms"
name="the server goes away mid-pull (nginx killed)"
if fresh_client server-killed; then
	BEFORE=$(state)
	serve_variant "$SLOW"
	: >"$WEB_DIR/access.log"
	bg_user "$TEST_DIR/killed.out" "$TEST_DIR/killed.err" "$C" ./bento update "$APP_ID"
	UPD=$BG_PID
	# everything but the 4 MB object comes at full speed (in about a
	# second); that one takes 16 s: nginx is killed 3 s into the update
	sleep 3
	mid=no
	_alive "$UPD" && ! grep -q "$SLOW_URI" "$WEB_DIR/access.log" && mid=yes
	kill -KILL "$WEB_PID" $(descendants "$WEB_PID")
	bg_wait "$UPD" 60
	RC=$RC ERR=$(cat "$TEST_DIR/killed.err")
	WEB_PORT=$PORT start_web "$TEST_DIR/www" "$(web_conf "$SLOW_URI")"
	if [ $mid = yes ]; then
		refused '.'
	else
		BLOCKED=NO OBS="the update was not mid-pull when nginx was killed: status $RC $(head -c 300 <<<"$ERR")"
	fi
	record "$name" "network loss" "$BLOCKED" "$CONTROL" "$OBS; control: $CONTROL_OBS"
else
	record "$name" "network loss" ERROR "$CONTROL" "version 1 could not be installed: $(describe_run)"
fi

# ---- hostile .bento/metadata (the runtime's table, tests/runtime/lib/bad_metadata.sh)

variant metadata "$GOOD1"
META=$V
fresh_client metadata
ok "a client with version 1 for the metadata rows" "$(describe_run)"
BEFORE=$(state)
cp -a v2 vmeta
n_meta=0
meta_row() {
	local what=$1 text=$2 msg=$3 v
	n_meta=$((n_meta + 1))
	# shellcheck disable=SC2059 # the metadata is a format on purpose
	printf "$text" >vmeta/.bento/metadata
	# the commit's bento.metadata says all is well: only the tree's file is hostile
	COMMIT_META=$GOOD_METADATA commit_tree "$META" vmeta "$FPR_A" >/dev/null && summary "$META" "$FPR_A"
	serve_variant "$META"
	v=$(ostree_verifies "$URL" key-A.asc)
	CONTROL=no
	[ "$v" = "version 2" ] && CONTROL=yes
	bento_c update "$APP_ID"
	BLOCKED=NO
	OBS="status $RC, $(head -c 300 <<<"$ERR")"
	if [ "$RC" = 3 ] && grep -qF -- ".bento/metadata$msg" <<<"$ERR" && [ "$(state)" = "$BEFORE" ] &&
		[ "$(installed_version)" = "version 1" ]; then
		BLOCKED=yes
	else
		[ "$RC" = 3 ] || OBS+=" (expected 3)"
		grep -qF -- ".bento/metadata$msg" <<<"$ERR" || OBS+="; the message lacks \".bento/metadata$msg\""
		[ "$(state)" = "$BEFORE" ] || OBS+="; the installation changed: $(state | tr '\n' ' ')"
	fi
	record "hostile .bento/metadata: $what" "metadata" "$BLOCKED" "$CONTROL" \
		"$OBS; control: Debian's ostree accepts the commit (\"$v\")"
}
bad_metadata_rows meta_row "$APP_ID"
fixed
serve_variant "$FIXED"
bento_c update "$APP_ID"
[ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ]
verdict "after $n_meta hostile metadata commits, an update from a good repository installs version 2" 0

# ---- with the sanitizers: one refusal of each kind by the sanitizer
# build's bento, with no report (verdict checks the run's stderr)

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -x "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	mkdir -p san && cp "$BENTO_SAN_BUILD/runtime/cli/bento" san/bento && chmod 0755 san/bento
	BENTO_CMD=$TEST_DIR/san/bento
	fresh_client san
	verdict "sanitizer build: version 1 installed" 0
	for dir in "$TEST_DIR/variants/summary-by-B" "$TEST_DIR/variants/filez-swapped" \
		"$TEST_DIR/variants/delta-flipped" "$TEST_DIR/variants/other-app-id" \
		"$TEST_DIR/variants/ref-binding" "$TEST_DIR/variants/symlink-metadata" "$META"; do
		serve_variant "$dir"
		bento_c update "$APP_ID"
		[ "$RC" = 3 ] && [ "$(installed_version)" = "version 1" ]
		verdict "sanitizer build: refuses $(basename "$dir"), version 1 still runs" 3
	done
	fixed
	serve_variant "$FIXED"
	bento_c update "$APP_ID"
	[ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ]
	verdict "sanitizer build: then updates to version 2" 0
	serve_variant "$GOOD1"
	bento_c update "$APP_ID"
	[ "$RC" = 3 ] && [ "$(installed_version)" = "version 2" ]
	verdict "sanitizer build: refuses version 1 replayed" 3
	BENTO_CMD=./bento
fi

print_table
stop_web
finish
