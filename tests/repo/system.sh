# The system installation (--system; BENTO_SYSTEM_DIR in a root-owned
# directory stands for /var/lib/bento/installation): root adds a remote and
# installs the app (repository by Debian's ostree, key A,
# tests/repo/lib/attack.sh); the unprivileged user runs it; the user cannot
# change it: remote-add, install, update, rollback and remove --system as the
# user fail cleanly (status 1 or 3, a message naming the installation,
# nothing changed), nor can the user write into it; nor can the user hold
# its lock to keep root's updates out (control: with the lock file readable,
# as it once was, the user's flock makes root's update exit 4).  Root then
# updates, and the user runs the new version; root removes it.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/../security/lib/table.sh"

attack_setup
make_tree v1 1
make_tree v2 2
GOOD1=$TEST_DIR/variants/good1
new_repo "$GOOD1"
commit_tree "$GOOD1" v1 "$FPR_A" >/dev/null && deltas "$GOOD1" && summary "$GOOD1" "$FPR_A"
ok "version 1 published (Debian's ostree, key A)" || finish
variant good2 "$GOOD1"
GOOD2=$V
commit_tree "$GOOD2" v2 "$FPR_A" >/dev/null && deltas "$GOOD2" && summary "$GOOD2" "$FPR_A"
serve_variant "$GOOD1"
start_web "$TEST_DIR/www" || finish
URL=$WEB_URL/repo

# a root-owned place for the system installation, as /var/lib is
SYSBASE=$(mktemp -d "${BENTO_TEST_ROOT:-/tmp}/bento-system.XXXXXX")
chmod 0755 "$SYSBASE"
on_exit "rm -rf --one-file-system $SYSBASE"
SYS=$SYSBASE/var/lib/bento/installation
S="BENTO_SYSTEM_DIR=$SYS"
DEPLOYS=$SYS/app/$APP_ID/stable

# sys_state: what the user must not change (the deployments, the links, the
# remotes' config)
sys_state() {
	(cd "$DEPLOYS" && ls -A && readlink active) 2>&1
	cat "$SYS/repo/config" 2>&1
}

rrun "$S" ./bento remote-add --system --gpg-import="$TEST_DIR/key-A.asc" origin "$URL"
verdict "root: bento remote-add --system" 0
rrun "$S" ./bento install --system origin "$APP_ID"
verdict "root: bento install --system origin $APP_ID" 0
[ "$(stat -c %U "$SYS/repo" "$DEPLOYS/active" | sort -u)" = root ]
ok "the system installation is root's" "$(ls -la "$SYS" "$DEPLOYS")"

urun "$S" ./bento run "$APP_ID"
[ "$RC" = 0 ] && [ "$OUT" = "version 1" ]
verdict "the user runs the system's app: version 1" 0
urun "$S" ./bento list --system
[ "$RC" = 0 ] && grep -q "$APP_ID" <<<"$OUT"
verdict "the user lists the system installation" 0

# ---- the user cannot change it

BEFORE=$(sys_state)
# refused VERB...: as the user, bento VERB --system ... fails cleanly
user_refused() {
	urun "$S" ./bento "$@"
	{ [ "$RC" = 1 ] || [ "$RC" = 3 ]; } && grep -qF "$SYS" <<<"$ERR" &&
		[ "$(sys_state)" = "$BEFORE" ] && ! _sanitizer_report
	ok "the user: bento $* fails (status $RC), naming the installation; nothing changed" \
		"$(describe_run)"$'\n'"$(diff <(echo "$BEFORE") <(sys_state))"
}
serve_variant "$GOOD2"
user_refused remote-add --system --no-gpg-verify evil "$URL"
user_refused install --system origin "$APP_ID"
user_refused update --system "$APP_ID"
user_refused rollback --system "$APP_ID"
user_refused remove --system "$APP_ID"
user_refused remote-delete --system origin
urun "$S" ./bento run "$APP_ID"
[ "$OUT" = "version 1" ]
verdict "the user still runs version 1" 0
commit=$(readlink "$DEPLOYS/active")
! as_user touch "$DEPLOYS/$commit/x" 2>/dev/null && ! as_user sh -c "echo >>'$DEPLOYS/$commit/usr/share/data/version'" 2>/dev/null &&
	! as_user sh -c "echo >>'$SYS/repo/config'" 2>/dev/null && ! as_user ln -sfn /tmp "$DEPLOYS/active" 2>/dev/null
ok "the user cannot write into the deployment, the repository's config or the active link" \
	"$(ls -la "$DEPLOYS/$commit")"

# ---- the user cannot hold the installation's lock (root's updates would wait forever)

name="the user holds the system installation's lock (flock on SYS/lock)"
lock_holder() { # start as the user a flock on SYS/lock, held 60 s; status 0 if it holds
	rm -f "$TEST_DIR/flock.out"
	bg_user "$TEST_DIR/flock.out" "$TEST_DIR/flock.err" flock -n "$SYS/lock" sh -c 'echo held; exec sleep 60'
	HOLDER=$BG_PID
	wait_for_line "$TEST_DIR/flock.out" '^held$' 5 "$HOLDER"
}
release() {
	kill -KILL "$HOLDER" $(descendants "$HOLDER") 2>/dev/null
	bg_wait "$HOLDER" 5
}
BLOCKED=NO
if lock_holder; then
	OBS="the user took the lock ($(stat -c '%a %U' "$SYS/lock"))"
	rrun "$S" ./bento update --system "$APP_ID"
	OBS+="; root's update meanwhile: status $RC $(head -c 200 <<<"$ERR")"
	release
else
	OBS="the user cannot open it: $(cat "$TEST_DIR/flock.err") ($(stat -c '%a %U' "$SYS/lock"))"
	rrun "$S" ./bento update --system "$APP_ID"
	[ "$RC" = 0 ] && BLOCKED=yes
	OBS+="; root's update: status $RC"
fi
urun "$S" ./bento run "$APP_ID"
OBS+="; the user now runs \"$OUT\""
# control: the lock file readable by all (0644, as the client first made it)
serve_variant "$GOOD1"
chmod 0644 "$SYS/lock"
CONTROL=no
if lock_holder; then
	rrun "$S" ./bento rollback --system "$APP_ID"
	[ "$RC" = 4 ] && CONTROL=yes
	CONTROL_OBS="with the lock 0644 the user holds it and root's rollback exits $RC: $(head -c 200 <<<"$ERR")"
	release
else
	CONTROL_OBS="even with the lock 0644 the user cannot take it: $(cat "$TEST_DIR/flock.err")"
fi
record "$name" "denial of service" "$BLOCKED" "$CONTROL" "$OBS; control: $CONTROL_OBS"
! as_user flock -n "$SYS/repo/.lock" true 2>/dev/null
ok "nor can the user open libostree's lock of the repository (repo/.lock)" "$(ls -la "$SYS/repo")"
rrun "$S" ./bento rollback --system "$APP_ID"
[ "$RC" = 0 ] && [ "$(stat -c %a "$SYS/lock")" = 600 ]
verdict "root's next command makes the lock root's alone again (0600)" 0

# ---- root changes it

serve_variant "$GOOD2"
rrun "$S" ./bento update --system "$APP_ID"
verdict "root: bento update --system" 0
urun "$S" ./bento run "$APP_ID"
[ "$RC" = 0 ] && [ "$OUT" = "version 2" ]
verdict "the user runs the updated app: version 2" 0
# ---- modes a user could abuse in root's installation

# hostile_modes NAME WHAT CHECK_CMD: a commit of version 2 plus what
# tweak_NAME adds (signed by key A: the publisher's own mistake or malice),
# installed by root's update.  Blocked when CHECK_CMD finds nothing to abuse
# in the installation (whether it was refused or deployed tamed); the
# control is Debian's ostree checking it out as root from a `bare`
# repository, where CHECK_CMD does find it.
hostile_modes() {
	local name=$1 what=$2 check=$3 co=$TEST_DIR/bare-$1 v
	rm -rf "v2-$name" && cp -a v2 "v2-$name"
	"tweak_$name" "v2-$name"
	variant "$name" "$GOOD2"
	v=$V
	commit_tree "$v" "v2-$name" "$FPR_A" >/dev/null && summary "$v" "$FPR_A"
	ostree init --mode=bare --repo="$co.repo" >/dev/null &&
		ostree --repo="$co.repo" pull-local "$v" "$REF" >/dev/null 2>&1 &&
		ostree --repo="$co.repo" checkout "$REF" "$co" >/dev/null 2>&1
	CONTROL=no
	"$check" "$co" && CONTROL=yes
	local control_found=$CHECK_FOUND
	serve_variant "$v"
	rrun "$S" ./bento update --system "$APP_ID"
	BLOCKED=yes
	OBS="root's update: status $RC $(head -c 300 <<<"$ERR" | tr '\n' ' ')"
	if "$check" "$SYS/app"; then
		BLOCKED=NO
		OBS+="; in the installation: $CHECK_FOUND"
	fi
	urun "$S" ./bento run "$APP_ID"
	[ "$OUT" = "version 2" ] || BLOCKED=NO
	OBS+="; the user runs \"$OUT\""
	record "a commit with $what, installed --system" "file modes" "$BLOCKED" "$CONTROL" \
		"$OBS; control: Debian's ostree checks out as root from a bare repository: $control_found"
}
tweak_setuid() { cp /bin/true "$1/usr/bin/su-helper" && chmod 04755 "$1/usr/bin/su-helper"; }
setuid_found() { # DIR: a setuid file below DIR
	CHECK_FOUND=$(find "$1" -perm -4000 -type f 2>/dev/null | head -n 3)
	[ -n "$CHECK_FOUND" ]
}
tweak_writable_file() { echo 'exec /bin/sh' >"$1/usr/bin/hook" && chmod 0666 "$1/usr/bin/hook"; }
writable_file_found() { # DIR: a file below DIR the user can write
	CHECK_FOUND=$(as_user find "$1" -type f -writable 2>/dev/null | head -n 3)
	[ -n "$CHECK_FOUND" ]
}
tweak_writable_dir() { mkdir -p "$1/usr/share/open" && chmod 0777 "$1/usr/share/open"; }
writable_dir_found() { # DIR: a directory below DIR the user can write into
	CHECK_FOUND=$(as_user find "$1" -type d -writable 2>/dev/null | head -n 3)
	[ -n "$CHECK_FOUND" ]
}
hostile_modes setuid "a setuid-root executable (04755)" setuid_found
hostile_modes writable_file "a world-writable file (0666)" writable_file_found
hostile_modes writable_dir "a world-writable directory (0777)" writable_dir_found

rrun "$S" ./bento remove --system "$APP_ID"
verdict "root: bento remove --system" 0
urun "$S" ./bento run "$APP_ID"
[ "$RC" != 0 ] && [ ! -e "$SYS/app/$APP_ID" ]
verdict "removed: the user's bento run $APP_ID fails, no deployment left"

print_table
stop_web
finish
