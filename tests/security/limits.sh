# The sandbox's resource limits and the app's environment (issue 12, holes
# 11, 13 and 19), as rows of the escape table.  Each attack of
# tests/helpers/limits.c runs in the sandbox, where it must be blocked, and
# in a control run where the same attack works: with the limit raised
# through --bento-limit (the documented way), natively, or unsandboxed.
#   tmpfs    writing more than its size into /tmp, /dev/shm, /run
#            (XDG_RUNTIME_DIR), /dev and /; more files than /dev's inodes;
#            more terminals than the sandbox's devpts allows
#   pids     a (bounded) fork bomb, against RLIMIT_NPROC and against a
#            delegated cgroup v2 (made here as systemd's Delegate=yes makes
#            one: a directory of the user's that enables the pids controller
#            for its children, the launcher in a leaf below it)
#   env      the launcher's secrets, absent in the app; what the allowlist
#            and --bento-env / bento run --env pass, present
#   builder  a build step's `env > /app/env.txt` with secrets in the
#            builder's environment
# At the end the table: attack | class | blocked | control escaped.
# Alone: BENTO_TEST_FILTER=security/limits tests/run BUILD [SAN_BUILD].
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/table.sh"
. "$(dirname "$0")/lib/verdict.sh"

make_test_dir
copy_artifacts
need BUILDER BENTO
need_program LIMITS_BUILT limits
cd "$TEST_DIR" || exit 1
RUN_TIMEOUT=60

IMG=$TEST_DIR/img
mkdir -p "$IMG" "$TEST_DIR/appdirs"
chmod 0755 "$IMG"
MIB=$((1024 * 1024))
GIB=$((1024 * MIB))
APP_ID=org.example.Limits

# make_image NAME METADATA: an image whose command is the limits program
# (usr/bin/limits; AppRun links to it), METADATA its .bento/metadata (none
# if empty: a plain AppImage).
make_image() {
	local d=$TEST_DIR/appdirs/$1 out
	mkdir -p "$d/usr/bin"
	cp "$LIMITS_BUILT" "$d/usr/bin/limits"
	ln -s usr/bin/limits "$d/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=Limits\nExec=limits\nIcon=limits\nCategories=Utility;\n' \
		>"$d/limits.desktop"
	printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$d/limits.png"
	if [ -n "$2" ]; then
		mkdir -p "$d/.bento"
		printf '%s\n' "$2" >"$d/.bento/metadata"
	fi
	if ! out=$(SOURCE_DATE_EPOCH=0 "$BUILDER" pack "$d" -o "$IMG/$1.AppImage" 2>&1); then
		fail "pack the $1 image" "$out"
		return 1
	fi
}
md() { # ID [LINES]: metadata of app ID
	printf '[Application]\nname=%s\ncommand=usr/bin/limits\n%s' "$1" "${2:-}"
}
make_image lim "$(md "$APP_ID")" &&
	make_image big "$(md org.example.LimitsBig $'\n[Limits]\ntmp-size=3G\nprocesses=100')" &&
	make_image bad "$(md org.example.LimitsBad $'\n[Limits]\ntmp-size=0')" &&
	make_image plain "" || {
	echo "FAIL: $SCRIPT_NAME: the images could not be made"
	exit 1
}
LIM=$IMG/lim.AppImage
PLAIN=$IMG/plain.AppImage

# ---------------------------------------------------------------- rows

# attempt CMD...: V and OBS of one run of CMD as the user (urun; as root
# with AS=rrun), as lib/verdict.sh reads it.
AS=urun
attempt() {
	$AS "$@"
	attack_verdict
}

# lrow NAME CLASS: the attack S (an array: the command) in the sandbox,
# the control C; both as $AS.
S=() C=()
lrow() {
	attempt "${S[@]}"
	SV=$V SOBS=$OBS
	attempt "${C[@]}"
	CV=$V COBS=$OBS
	attack_row "$1" "$2"
	S=() C=()
}

# ---------------------------------------------------------------- tmpfs sizes

# What the app sees mounted: the documented default sizes, one inode per
# 4 KiB (at least 1024), a devpts of 512 terminals.
urun "$LIM" cat /proc/self/mountinfo
mnt() { # MOUNT-POINT: the super options of the mount there
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++) ; print $(i + 3) }' <<<"$OUT" | tail -n 1
}
for want in "/ size=8192k,nr_inodes=2048" "/dev size=1024k,nr_inodes=1024" \
	"/dev/shm size=1048576k,nr_inodes=262144" "/tmp size=2097152k,nr_inodes=524288" \
	"/run size=65536k,nr_inodes=16384"; do
	m=${want%% *} o=${want#* }
	[[ ,$(mnt "$m"), == *",$o,"* ]]
	ok "$m is a tmpfs of the default size ($o)" "mounted: $(mnt "$m")"
done
[[ ,$(mnt /dev/pts), == *,max=512,* ]]
ok "/dev/pts is a devpts instance of at most 512 terminals" "mounted: $(mnt /dev/pts)"

S=("$LIM" fill /tmp $((2 * GIB + MIB)))
C=("$LIM" --bento-limit=tmp-size=3G fill /tmp $((2 * GIB + MIB)))
lrow "fill /tmp beyond its 2 GiB (control: tmp-size=3G)" "tmpfs size"
S=("$LIM" fill /dev/shm $((GIB + MIB)))
C=("$LIM" --bento-limit=shm-size=2G fill /dev/shm $((GIB + MIB)))
lrow "fill /dev/shm beyond its 1 GiB (control: shm-size=2G)" "tmpfs size"
S=("$LIM" fill /run/user/$TEST_UID $((65 * MIB)))
C=("$LIM" --bento-limit=run-size=128M fill /run/user/$TEST_UID $((65 * MIB)))
lrow "fill XDG_RUNTIME_DIR (/run) beyond its 64 MiB (control: run-size=128M)" "tmpfs size"
S=("$LIM" fill /dev $((2 * MIB)))
C=("$LIM" --bento-limit=dev-size=4M fill /dev $((2 * MIB)))
lrow "fill /dev beyond its 1 MiB (control: dev-size=4M)" "tmpfs size"
S=("$LIM" files /dev 4096)
C=("$LIM" --bento-limit=dev-size=64M files /dev 4096)
lrow "4096 files in /dev, beyond its 1024 inodes (control: dev-size=64M)" "tmpfs inodes"
# The root is read-only once built, whatever its size: the control writes
# the same amount natively into a big tmpfs of the test's.
BIGTMP=$TEST_DIR/bigtmp
mkdir -p "$BIGTMP"
mount -t tmpfs -o size=64m,mode=0777 bento-limits-test "$BIGTMP"
S=("$LIM" fill / $((9 * MIB)))
C=("$LIM" --bento-no-sandbox fill "$BIGTMP" $((9 * MIB)))
lrow "fill / beyond its 8 MiB (control: natively into a tmpfs)" "tmpfs size"
umount "$BIGTMP"
# A new devpts instance has the kernel's pool for instances other than the
# host's (kernel.pty.max - kernel.pty.reserve); the control opens as many
# on the host's own.
S=("$LIM" ptys 600)
C=("$LIM" --bento-no-sandbox ptys 600)
lrow "600 terminals, beyond the sandbox's 512 (control: the host's devpts)" "devpts instances"

# [Limits] in the metadata and the user's override.
urun "$IMG/big.AppImage" cat /proc/self/mountinfo /proc/self/limits
[[ ,$(mnt /tmp), == *,size=3145728k,* ]] &&
	grep -Eq '^Max processes +100 +100 ' <<<"$OUT"
ok "[Limits] of the metadata applies (tmp-size=3G, processes=100)" "$(mnt /tmp); $(grep 'Max processes' <<<"$OUT")"
urun "$BENTO" info "$IMG/big.AppImage"
grep -q 'Limit: /tmp holds at most 3 GiB' <<<"$OUT" &&
	grep -q 'Limit: at most 100 processes and threads at once' <<<"$OUT"
verdict "bento info shows the image's limits" 0
urun "$BENTO" override "$APP_ID" --limit=tmp-size=512M --limit=processes=300
rc1=$RC
urun "$LIM" cat /proc/self/mountinfo /proc/self/limits
[ "$rc1" = 0 ] && [[ ,$(mnt /tmp), == *,size=524288k,* ]] &&
	grep -Eq '^Max processes +300 +300 ' <<<"$OUT" &&
	grep -qx 'tmp-size=512M' "$USER_HOME/.local/share/bento/overrides/$APP_ID"
ok "bento override --limit= is kept in the override and applies" "$(mnt /tmp); $(grep 'Max processes' <<<"$OUT")"
urun "$BENTO" override --reset "$APP_ID"
urun "$LIM" cat /proc/self/limits
grep -Eq '^Max processes +8192 +8192 ' <<<"$OUT"
ok "without an override, at most 8192 processes (RLIMIT_NPROC here)" "$(grep 'Max processes' <<<"$OUT")"
urun "$LIM" --bento-limit=tmp-size=12Q cat /proc/self/limits
[ "$RC" = 127 ] && [ -z "$OUT" ] && [[ $ERR == *"tmp-size=12Q"*"expected a size"* ]]
verdict "--bento-limit=tmp-size=12Q is refused, naming it" 127
urun "$IMG/bad.AppImage" cat /proc/self/limits
[ "$RC" = 127 ] && [ -z "$OUT" ] && [[ $ERR == *"metadata:"*"tmp-size=0"*"out of range"* ]]
verdict "tmp-size=0 in the metadata is refused, naming its line" 127
urun "$LIM" --bento-limit=procs=5 cat /proc/self/limits
[ "$RC" = 127 ] && [[ $ERR == *'unknown limit "procs"'* ]]
verdict "an unknown limit is refused" 127

# ---------------------------------------------------------------- processes

S=("$LIM" --bento-limit=processes=64 forkbomb 200)
C=("$LIM" --bento-limit=processes=1000 forkbomb 200)
lrow "a fork bomb, RLIMIT_NPROC (processes=64; control: processes=1000)" "pids limit"
S=("$IMG/big.AppImage" forkbomb 200)
C=("$IMG/big.AppImage" --bento-limit=processes=1000 forkbomb 200)
lrow "a fork bomb, processes=100 in the metadata (control: processes=1000)" "pids limit"
urun BENTO_DEBUG=1 "$LIM" --bento-limit=processes=64 cat /proc/self/limits
[[ $ERR == *"bento-runtime: processes: at most 64, by RLIMIT_NPROC"* ]] &&
	grep -Eq '^Max processes +64 +64 ' <<<"$OUT"
ok "BENTO_DEBUG=1 says RLIMIT_NPROC applies where there is no delegated cgroup" "$ERR"

# Since Linux 5.14 RLIMIT_NPROC counts per user namespace: the user's 100
# processes on the host do not count against the sandbox's 64.
bg_user "$TEST_DIR/sleepers.out" "$TEST_DIR/sleepers.err" sh -c \
	'for i in $(seq 100); do sleep 120 & done; echo started; wait'
sleepers=$BG_PID
wait_for_line "$TEST_DIR/sleepers.out" '^started$' 20 "$sleepers"
# (forked by then, but not all exec'd sleep yet)
for _ in $(seq 100); do
	n_user=$(pgrep -c -u "$TEST_UID" sleep)
	[ "$n_user" -ge 100 ] && break
	sleep 0.05
done
urun "$LIM" --bento-limit=processes=64 forkbomb 50
[ "$n_user" -ge 100 ] && [ "$RC" = 0 ] && [[ $OUT == *"started 50 of 50"* ]]
ok "the sandbox's RLIMIT_NPROC counts its own processes only (the user has $n_user others)" "$OUT $ERR"
kill -KILL "$sleepers" $(descendants "$sleepers") 2>/dev/null
bg_wait "$sleepers" 5

# A delegated cgroup v2.  Where the pids controller is bound to a v1
# hierarchy (this machine's systemd hybrid layout), it is moved to v2 for
# the rows below, if no v1 cgroup uses it, and put back at the end.
CG=""
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && CG=$m && break
done
V1_PIDS=/sys/fs/cgroup/pids
moved_v1=0 enabled_root=0 DELEG="" CG_WHY=""
pids_in_v2() { grep -qw pids "$CG/cgroup.controllers"; }
cgroup_restore() { # leaves the hierarchy as it found it; status 0 if it could
	local i ok=0
	[ -n "$DELEG" ] && rmdir "$DELEG"/launcher "$DELEG" 2>/dev/null
	if [ $enabled_root = 1 ]; then
		echo -pids >"$CG/cgroup.subtree_control" 2>/dev/null && enabled_root=0
	fi
	if [ $moved_v1 = 1 ]; then
		for i in $(seq 50); do
			mount -t cgroup -o pids cgroup "$V1_PIDS" 2>/dev/null && moved_v1=0 && break
			sleep 0.1
		done
	fi
	[ $moved_v1 = 0 ] && [ $enabled_root = 0 ] && { [ -z "$DELEG" ] || [ ! -d "$DELEG" ]; }
}
on_exit cgroup_restore
if [ -z "$CG" ]; then
	CG_WHY="no cgroup v2 hierarchy"
elif ! pids_in_v2; then
	if mountpoint -q "$V1_PIDS" && [ -z "$(find "$V1_PIDS" -mindepth 1 -type d)" ] &&
		umount "$V1_PIDS"; then
		moved_v1=1
		for _ in $(seq 50); do
			pids_in_v2 && break
			sleep 0.1
		done
	fi
	pids_in_v2 || CG_WHY="the pids controller is bound to a v1 hierarchy in use"
fi
if [ -z "$CG_WHY" ]; then
	if ! grep -qw pids "$CG/cgroup.subtree_control"; then
		echo +pids >"$CG/cgroup.subtree_control" && enabled_root=1
	fi
	DELEG=$CG/bento-test-limits-$$
	mkdir "$DELEG" "$DELEG/launcher" &&
		for d in "$DELEG" "$DELEG/launcher"; do
			chown "$TEST_UID:$TEST_GID" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" \
				"$d/cgroup.threads"
		done &&
		echo +pids >"$DELEG/cgroup.subtree_control" || CG_WHY="cannot make $DELEG"
fi
if [ -z "$CG_WHY" ]; then
	# The launcher in the leaf, as a desktop session's programs are.
	AS_USER_PREFIX=(sh -c 'echo $$ >"$0" && exec "$@"' "$DELEG/launcher/cgroup.procs")
	S=("$LIM" --bento-limit=processes=64 forkbomb 200)
	C=("$LIM" --bento-limit=processes=1000 forkbomb 200)
	lrow "a fork bomb, delegated cgroup (processes=64; control: processes=1000)" "pids limit"
	urun BENTO_DEBUG=1 "$LIM" --bento-limit=processes=64 cat /proc/self/cgroup /proc/self/limits
	[[ $ERR == *"bento-runtime: processes: at most 64, by the cgroup $DELEG/bento-"* ]] &&
		grep -qx '0::/' <<<"$OUT" && ! grep -Eq '^Max processes +64 ' <<<"$OUT"
	ok "BENTO_DEBUG=1 names the cgroup; the app is at the root of its cgroup namespace, without RLIMIT_NPROC" "$OUT"$'\n'"$ERR"
	left=$(find "$DELEG" -mindepth 1 -maxdepth 1 -type d -name 'bento-*')
	[ -z "$left" ]
	ok "the sandbox's cgroups are removed when their app ends" "left: $left"
	# RLIMIT_NPROC does not bind root; the cgroup does.
	AS=rrun
	attempt "$LIM" --bento-limit=processes=64 forkbomb 200
	sv=$V sobs=$OBS
	AS_USER_PREFIX=()
	cgroup_restore
	ok "the cgroup hierarchy is as it was (pids controller back where it was)"
	attempt "$LIM" --bento-limit=processes=64 forkbomb 200
	AS=urun
	blocked=NO control=no
	[ "$sv" = blocked ] && blocked=yes
	[ "$sv" = error ] && blocked=ERROR
	[ "$V" = escaped ] && control=yes
	record "a fork bomb started by root, delegated cgroup (control: RLIMIT_NPROC alone)" \
		"pids limit" "$blocked" "$control" "sandbox: $sv: $sobs | control: $V: $OBS"
else
	cgroup_restore
	record "a fork bomb, delegated cgroup" "pids limit" n/a n/a "$CG_WHY"
fi

# ---------------------------------------------------------------- the environment

SECRETS=(AWS_SECRET_ACCESS_KEY=bento-aws GITHUB_TOKEN=bento-gh KRB5CCNAME=FILE:/tmp/krb5cc_bento
	SESSION_MANAGER=local/host:@/tmp/.ICE-unix/1,unix/host:/tmp/.ICE-unix/1 FOO_TOKEN=bento-foo
	GNUPGHOME=/nonexistent/gnupg TMPDIR=/nonexistent/tmp)
NAMES=("${SECRETS[@]%%=*}")
S=(env "${SECRETS[@]}" "$LIM" secrets "${NAMES[@]}")
C=(env "${SECRETS[@]}" "$LIM" --bento-no-sandbox secrets "${NAMES[@]}")
lrow "the launcher's secrets (control: --bento-no-sandbox)" "environment"
S=(env "${SECRETS[@]}" "$PLAIN" --bento-sandbox secrets "${NAMES[@]}")
C=(env "${SECRETS[@]}" "$PLAIN" secrets "${NAMES[@]}")
lrow "the launcher's secrets, plain AppImage with --bento-sandbox (control: without)" "environment"
S=(env "${SECRETS[@]}" "$BENTO" run "$LIM" secrets "${NAMES[@]}")
C=(env "${SECRETS[@]}" "$BENTO" run --no-sandbox "$LIM" secrets "${NAMES[@]}")
lrow "the launcher's secrets, bento run (control: --no-sandbox)" "environment"

PASSED=(LANG=de_DE.UTF-8 LC_TIME=en_GB.UTF-8 TZ=Europe/Berlin TERM=xterm-256color COLORTERM=truecolor
	http_proxy=http://proxy.example:3128 HTTPS_PROXY=http://proxy.example:3129
	no_proxy=localhost XDG_CURRENT_DESKTOP=GNOME GDK_SCALE=2 XMODIFIERS=@im=ibus)
urun "${PASSED[@]}" "${SECRETS[@]}" "$LIM" present "${PASSED[@]}"
expect "locale, terminal, proxy, desktop and toolkit variables reach the app" 0 "present: all"
urun "$LIM" --bento-env=HELLO_SLEEP=60 present HELLO_SLEEP=60
expect "./FILE --bento-env=NAME=VALUE passes a variable to the app" 0 "present: all"
urun "$LIM" --bento-permissions="--env=A_VAR=1 --env=B_VAR=two" present A_VAR=1 B_VAR=two
expect "--bento-permissions=\"--env=... --env=...\" passes several" 0 "present: all"
urun "$BENTO" run --env=HELLO_SLEEP=60 "$LIM" present HELLO_SLEEP=60
expect "bento run --env=NAME=VALUE passes a variable to the app" 0 "present: all"
urun HELLO_SLEEP=60 "$PLAIN" present HELLO_SLEEP=60
expect "a plain AppImage (unsandboxed) gets the launcher's whole environment" 0 "present: all"
if [ -n "$APPIMG" ]; then
	urun "$BENTO" info "$APPIMG"
	grep -q '^Sandbox: no, a plain AppImage' <<<"$OUT"
	ok "the tests' packed hello is a plain AppImage: their HELLO_* variables reach it as such" "$OUT"
fi
urun "$LIM" present HOME="$USER_HOME" XDG_RUNTIME_DIR=/run/user/$TEST_UID \
	PATH=/app/bin:/app/usr/bin:/usr/local/bin:/usr/bin:/bin container=bento \
	XDG_CONFIG_HOME="$USER_HOME/.var/app/$APP_ID/config" APPDIR=/app
expect "the sandbox's own variables are set" 0 "present: all"

# ---------------------------------------------------------------- the builder

mkdir -p build-src build-out
cp "$SRC_DIR/manifests/hello/hello.svg" build-src/
cat >build-src/envdump.yml <<EOF
id: org.bento.EnvDump
name: EnvDump
version: "1"
summary: Keeps its build step's environment
command: bin/show
icon: hello.svg
modules:
  - name: envdump
    buildsystem: simple
    build-commands:
      - mkdir -p /app/bin && env > /app/env.txt
      - printf '#!/bin/sh\\ncat /app/env.txt\\n' >/app/bin/show && chmod +x /app/bin/show
EOF
chown -R "$TEST_UID:$TEST_GID" build-src build-out
cd build-out || exit 1
RUN_TIMEOUT=300 urun SECRET_TOKEN=bento-build-secret GNUPGHOME=/nonexistent/bento-gnupg \
	AWS_SECRET_ACCESS_KEY=bento-aws sh -c 'env >"$0" && exec "$@"' "$TEST_DIR/builder-env.txt" \
	"$BUILDER" build "$TEST_DIR/build-src/envdump.yml"
build_rc=$RC build_err=$ERR
cd "$TEST_DIR" || exit 1
urun build-out/EnvDump-1-x86_64.AppImage
steps=$OUT
if [ "$build_rc" = 0 ] && [ "$RC" = 0 ] && grep -q '^PREFIX=/app$' <<<"$steps"; then
	sv=blocked
	grep -Eq '^(SECRET_TOKEN|GNUPGHOME|AWS_SECRET_ACCESS_KEY)=' <<<"$steps" && sv=escaped
else
	sv=error
fi
blocked=NO
[ "$sv" = blocked ] && blocked=yes
[ "$sv" = error ] && blocked=ERROR
control=no
grep -q '^SECRET_TOKEN=bento-build-secret$' builder-env.txt &&
	grep -q '^GNUPGHOME=/nonexistent/bento-gnupg$' builder-env.txt && control=yes
record "a build step's env > /app/env.txt (control: the builder's own environment)" \
	"build environment" "$blocked" "$control" \
	"build step: $sv: $(grep -E '^(SECRET_TOKEN|GNUPGHOME|AWS_SECRET_ACCESS_KEY)=' <<<"$steps" | tr '\n' ' ')(build status $build_rc${build_err:+, ${build_err:0:200}}) | builder: $(grep -cE '^(SECRET_TOKEN|GNUPGHOME)=' builder-env.txt) of 2"
grep -q '^LANG=C.UTF-8$' <<<"$steps" && grep -q '^SOURCE_DATE_EPOCH=' <<<"$steps" &&
	grep -q '^BENTO_APP_ID=org.bento.EnvDump$' <<<"$steps"
ok "a build step gets the allowlist (LANG) and the module's variables (PREFIX, SOURCE_DATE_EPOCH)" "$steps"

# ---------------------------------------------------------------- the sanitizer build

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	SAN_BENTO=$TEST_DIR/bento-san
	cp "$BENTO_SAN_BUILD/runtime/cli/bento" "$SAN_BENTO"
	chmod 0755 "$SAN_BENTO"
	S=("$SAN_BENTO" run --limit=processes=64 "$LIM" forkbomb 200)
	C=("$SAN_BENTO" run --limit=processes=1000 "$LIM" forkbomb 200)
	lrow "a fork bomb (sanitizer build's bento run)" "pids limit"
	S=("$SAN_BENTO" run "$LIM" fill /dev $((2 * MIB)))
	C=("$SAN_BENTO" run --limit=dev-size=4M "$LIM" fill /dev $((2 * MIB)))
	lrow "fill /dev (sanitizer build's bento run)" "tmpfs size"
	S=(env "${SECRETS[@]}" "$SAN_BENTO" run "$LIM" secrets "${NAMES[@]}")
	C=(env "${SECRETS[@]}" "$SAN_BENTO" run --no-sandbox "$LIM" secrets "${NAMES[@]}")
	lrow "the launcher's secrets (sanitizer build's bento run)" "environment"
fi

no_leaks "nothing is left behind"
print_table
finish
