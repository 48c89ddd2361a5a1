# Mirrors, as the user: the published repository (Debian's ostree, key A,
# tests/repo/lib/attack.sh) served by one nginx, and a mirror of it made with
# Debian's `ostree pull --mirror` (its summary regenerated and signed with
# the same key) served by a second.  A remote with both URLs (`bento
# remote-add --mirror=URL`) installs and updates through the mirror while the
# first server is stopped (control: the same remote without the mirror
# fails); a remote of its own on the mirror's URL with the same key verifies
# too; and a mirror is trusted no more than the first URL: a mirror serving a
# summary signed by another key is refused (control: a remote that trusts
# that key too accepts it).
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/../security/lib/table.sh"

attack_setup
make_tree v1 1
make_tree v2 2
make_tree v3 3
mkdir -p www1 www2 && chown "$TEST_UID:$TEST_GID" www1 www2
PUB=$TEST_DIR/www1/repo
new_repo "$PUB"
commit_tree "$PUB" v1 "$FPR_A" >/dev/null && deltas "$PUB" && summary "$PUB" "$FPR_A"
ok "version 1 published on the first server's files (Debian's ostree, key A)" || finish

# start_one 1|2 [PORT]: nginx serving www1 or www2; sets URL1/PID1 or URL2/PID2
start_one() {
	WEB_NAME=web$1 WEB_PORT=${2:-} start_web "$TEST_DIR/www$1" || finish
	printf -v "URL$1" '%s' "$WEB_URL/repo"
	printf -v "PID$1" '%s' "$WEB_PID"
	printf -v "PORT$1" '%s' "$PORT"
	printf -v "LOG$1" '%s' "$WEB_DIR/access.log"
}
stop_one() {
	local pid
	pid=PID$1
	kill -TERM "${!pid}" 2>/dev/null
	bg_wait "${!pid}" 10
}
start_one 1

# mirror: www2/mirror follows the first server by `ostree pull --mirror`, its
# summary regenerated and signed with key A (the mirror's own listing: the
# first server's summary names static deltas the mirror does not hold)
MIRROR=$TEST_DIR/www2/mirror
new_repo "$MIRROR"
as_user ostree --repo="$MIRROR" remote add --gpg-import="$TEST_DIR/key-A.asc" origin "$URL1" >/dev/null
mirror() {
	as_user ostree --repo="$MIRROR" pull --mirror origin "$REF" >"$TEST_DIR/mirror.log" 2>&1 &&
		summary "$MIRROR" "$FPR_A"
}
mirror
ok "Debian's ostree pull --mirror copies the repository, with key A verifying it" "$(cat mirror.log)"
ln -sfn mirror www2/repo
start_one 2
[ "$(ostree_verifies "$URL2" key-A.asc)" = "version 1" ]
ok "Debian's ostree verifies the mirror with key A" "$(cat ostree-check.err)"

# ---- the first server stopped: a remote with the mirror installs through it

client no-mirror
bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" origin "$URL1"
client two-urls
bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" --mirror="$URL2" origin "$URL1"
ok "remote-add --mirror=URL" "$(describe_run)"
stop_one 1
client no-mirror
bento_c install origin "$APP_ID"
[ "$RC" != 0 ] && [ ! -e "$INST/app/$APP_ID/stable/active" ]
ok "control: without the mirror, the install fails while the first server is stopped (status $RC)" \
	"$(describe_run)"
client two-urls
: >"$LOG2"
bento_c install origin "$APP_ID"
[ "$RC" = 0 ] && [ "$(installed_version)" = "version 1" ] && grep -q '^200 /repo/objects/' "$LOG2"
ok "with the mirror, the install goes through it: version 1 (the mirror's log shows the objects)" \
	"$(describe_run); mirror's log: $(head -n 5 "$LOG2")"
grep -qF "$URL2" <<<"$ERR"
ok "  ... and says it tries the mirror" "$ERR"

# ---- version 2: published on the first server, mirrored, the first server stopped again

commit_tree "$PUB" v2 "$FPR_A" >/dev/null && deltas "$PUB" && summary "$PUB" "$FPR_A"
ok "version 2 published" || finish
start_one 1 "$PORT1"
mirror
ok "the mirror follows" "$(cat mirror.log)"
stop_one 1
: >"$LOG2"
bento_c update "$APP_ID"
[ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ] && grep -q '^200 /repo/' "$LOG2"
ok "bento update through the mirror while the first server is stopped: version 2" \
	"$(describe_run); mirror's log: $(head -n 5 "$LOG2")"

# ---- a remote of its own on the mirror's URL, with the same key

client mirror-remote
bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" mirror "$URL2" &&
	bento_c install mirror "$APP_ID"
[ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ]
ok "a remote on the mirror's URL with key A installs version 2, verified" "$(describe_run)"

# ---- a mirror is trusted no more than the first URL

HOSTILE=$TEST_DIR/www2/hostile
cp -a "$MIRROR" "$HOSTILE"
commit_tree "$HOSTILE" v3 "$FPR_B" >/dev/null && summary "$HOSTILE" "$FPR_B"
ln -sfn hostile www2/repo
client control-hostile
bento_c remote-add --gpg-import="$TEST_DIR/key-AB.asc" --mirror="$URL2" origin "$URL1" &&
	bento_c install origin "$APP_ID"
v=$(installed_version)
CONTROL=no
[ "$v" = "version 3" ] && CONTROL=yes
client two-urls
BEFORE=$(state)
bento_c update "$APP_ID"
after=$(state)
BLOCKED=NO
[ "$RC" = 3 ] && grep -Eq 'GPG|gpg|signature|key' <<<"$ERR" && [ "$after" = "$BEFORE" ] &&
	[ "$(installed_version)" = "version 2" ] && BLOCKED=yes
record "the mirror (first server down) serves a summary and commit signed by key B" "mirror" \
	"$BLOCKED" "$CONTROL" "update: status $RC, $(head -c 400 <<<"$ERR" | tr '\n' ' '); control: a remote with keys A and B installs \"$v\" from that mirror"
ln -sfn mirror www2/repo
start_one 1 "$PORT1"
bento_c update "$APP_ID"
[ "$RC" = 0 ] && [ "$(installed_version)" = "version 2" ]
ok "  ... then, the first server back, an update succeeds (up to date, version 2)" "$(describe_run)"

print_table
stop_one 1
stop_one 2
finish
