# `bento update` of an installed app interrupted, as the user, against nginx
# on loopback (version 3's 4 MB object served at 256 kB/s, so that its pull
# lasts 16 s; the repository made with Debian's ostree, tests/repo/lib/attack.sh):
# SIGKILL during the pull, and during the deploy (strace kills it as its
# checkout makes a symbolic link half-way through 2000 files, and as it
# renames the finished checkout):
# after each, `bento run ID` prints version 1, the installation's lock is
# free, and the next `bento update` finishes, prints version 3 and leaves no
# temporary deployment.  Two updates at once: the second waits or exits 4
# (busy); never do both write (the lock is held meanwhile; one deployment of
# version 3 at the end).
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/attack.sh"

attack_setup
need_tools strace
make_tree v1 1
make_tree v3 3
GOOD1=$TEST_DIR/variants/good1
new_repo "$GOOD1"
commit_tree "$GOOD1" v1 "$FPR_A" >/dev/null && summary "$GOOD1" "$FPR_A"
ok "version 1 published (Debian's ostree)" || finish
variant v3 "$GOOD1"
V3=$V
commit_tree "$V3" v3 "$FPR_A" >/dev/null && summary "$V3" "$FPR_A"
ok "version 3 published (4 MB of new data, 2000 new files)" || finish
SLOW_URI=$(object_uri "$V3" /usr/share/data/big3.bin)
serve_variant "$GOOD1"
start_web "$TEST_DIR/www" "$(web_conf "$SLOW_URI")" || finish

# fresh_client NAME [PREFIX]: a new installation with version 1 from a remote
# on $WEB_URL/PREFIXrepo; then version 3 is served.  Sets DEPLOYS (the
# branch's directory of deployments) and BEFORE.
fresh_client() {
	client "$1"
	serve_variant "$GOOD1"
	bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" origin "$WEB_URL/${2:-}repo" &&
		bento_c install origin "$APP_ID" && [ "$(installed_version)" = "version 1" ]
	ok "$1: version 1 installed" "$(describe_run)" || finish
	DEPLOYS=$INST/app/$APP_ID/stable
	BEFORE=$(state)
	serve_variant "$V3"
	: >"$WEB_DIR/access.log"
}

# temporaries: the deployments being made
temporaries() {
	find "$DEPLOYS" -maxdepth 1 -name '.tmp-*' 2>/dev/null
}

# lock_free: nobody holds the installation's lock (a lock taken by a killed
# process must not outlive it)
lock_free() {
	[ ! -e "$INST/lock" ] || flock -n "$INST/lock" true
}

# after_kill WHAT: the app still runs version 1 from the same deployment, the
# lock is free, and the next update finishes with version 3, cleaning up
after_kill() {
	local what=$1
	[ "$(installed_version)" = "version 1" ] && [ "$(readlink "$DEPLOYS/active")" = "$BEFORE_ACTIVE" ]
	ok "$what: bento run $APP_ID prints version 1 (the same active deployment)" \
		"$(describe_run) active: $(readlink "$DEPLOYS/active")"
	lock_free
	ok "$what: the installation's lock is free" "$(ls -l "$INST")"
	RUN_TIMEOUT=120 bento_c update "$APP_ID"
	[ "$RC" = 0 ] && [ "$(installed_version)" = "version 3" ] && [ -z "$(temporaries)" ]
	ok "$what: the next bento update finishes: version 3, no temporary deployment left" \
		"$(describe_run); left: $(temporaries)"
}

# ---- SIGKILL during the pull

fresh_client kill-pull
BEFORE_ACTIVE=$(readlink "$DEPLOYS/active")
bg_user "$TEST_DIR/pull.out" "$TEST_DIR/pull.err" "$C" ./bento update "$APP_ID"
UPD=$BG_PID
# the commit, its trees and 2000 small files come at full speed (a second or
# two); the 4 MB object then takes 16 s: kill 4 s in, while it is served
# (its progress lines say so: "objects FETCHED/REQUESTED, BYTES")
sleep 4
progress=$(grep -E '^objects [0-9]+/[0-9]+' "$TEST_DIR/pull.err" | tail -n 1)
_alive "$UPD" && ! grep -q "$SLOW_URI" "$WEB_DIR/access.log" &&
	[ "$(grep -c '^200 /repo/objects/' "$WEB_DIR/access.log")" -gt 100 ] && [ -n "$progress" ]
ok "the update is pulling version 3 (small objects fetched, the 4 MB one not yet: $progress)" \
	"$(grep -c . "$WEB_DIR/access.log") requests; $(cat "$TEST_DIR/pull.err")"
kill -KILL "$UPD"
bg_wait "$UPD" 10
after_kill "SIGKILL during the pull"

# ---- SIGKILL during the deploy, at two points of it

# deploy_killed WHAT SYSCALL WHEN CHECK: bento update run under strace, which
# sends it SIGKILL as it makes its WHENth SYSCALL (a deterministic point of
# the deploy, after the pull); CHECK judges the temporary deployment left
deploy_killed() {
	local what=$1 syscall=$2 when=$3 check=$4 tmp
	fresh_client "kill-$syscall" fast/
	BEFORE_ACTIVE=$(readlink "$DEPLOYS/active")
	AS_USER_PREFIX=(strace -f -qq -o "$TEST_DIR/strace-$syscall.log" -e trace="$syscall"
		-e inject="$syscall":signal=KILL:when="$when")
	bg_user "$TEST_DIR/$syscall.out" "$TEST_DIR/$syscall.err" "$C" ./bento update "$APP_ID"
	AS_USER_PREFIX=()
	bg_wait "$BG_PID" 60
	tmp=$(temporaries)
	[ "$(grep -c . <<<"$tmp")" = 1 ] && "$check" "$tmp" &&
		[ "$(readlink "$DEPLOYS/active")" = "$BEFORE_ACTIVE" ] &&
		grep -q 'killed by SIGKILL' "$TEST_DIR/strace-$syscall.log"
	ok "$what: killed, its temporary deployment left ($(basename "$tmp")), the active one unchanged" \
		"$(ls -la "$DEPLOYS"); $(tail -n 3 "$TEST_DIR/strace-$syscall.log"); $(cat "$TEST_DIR/$syscall.err")"
	after_kill "$what"
}
# the checkout's second symbolic link (AppRun is the first), half-way
# through the 2000 files of usr/share/many: the top's files are there, the
# many up to 1000 (in name order), not 999
partial() {
	[ -e "$1/.bento/metadata" ] && [ -e "$1/usr/share/many/1000" ] &&
		[ ! -e "$1/usr/share/many/999" ] && [ ! -e "$1/usr/share/many/1000-link" ]
}
deploy_killed "SIGKILL during the checkout" symlinkat 2 partial
# the rename of the finished checkout to its commit's name
complete() { [ -e "$1/usr/share/many/2000" ] && [ -L "$1/AppRun" ]; }
deploy_killed "SIGKILL between the checkout and its rename" rename 1 complete

# ---- two updates at once

fresh_client two
BEFORE_ACTIVE=$(readlink "$DEPLOYS/active")
bg_user "$TEST_DIR/first.out" "$TEST_DIR/first.err" "$C" ./bento update "$APP_ID"
FIRST=$BG_PID
sleep 3
_alive "$FIRST" && ! lock_free
ok "the first update is pulling, holding the installation's lock" "$(cat "$TEST_DIR/first.err")"
t0=$(now_ms)
RUN_TIMEOUT=120 bento_c update "$APP_ID"
second_end=$(now_ms)
SECOND_RC=$RC SECOND_ERR=$ERR
first_alive=no
_alive "$FIRST" && first_alive=yes
bg_wait "$FIRST" 120
FIRST_RC=$RC
if [ "$SECOND_RC" = 4 ]; then
	[ "$first_alive" = yes ] && grep -Eqi 'busy|another|in use|being|lock' <<<"$SECOND_ERR"
	ok "the second update, meanwhile, exits 4 saying the installation is busy" \
		"first alive: $first_alive; $SECOND_ERR"
else
	[ "$SECOND_RC" = 0 ] && [ "$first_alive" = no ]
	ok "the second update waited for the first (status 0 after it ended)" \
		"status $SECOND_RC after $((second_end - t0)) ms, first alive: $first_alive; $SECOND_ERR"
fi
n_deploy=$(find "$DEPLOYS" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)
[ "$FIRST_RC" = 0 ] && [ "$(installed_version)" = "version 3" ] && [ -z "$(temporaries)" ] &&
	[ "$n_deploy" = 2 ]
ok "the first update finishes: version 3, two deployments (3 and 1), nothing half-written" \
	"status $FIRST_RC: $(cat "$TEST_DIR/first.err"); $(ls -la "$DEPLOYS")"

stop_web
finish
