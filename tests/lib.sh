# tests/lib.sh — helpers shared by the shell tests (tests/*/*.sh).
#
# A test script starts with
#     . "$(dirname "$0")/../lib.sh" "$@"
# and is run as root by tests/run as `bash SCRIPT BUILD_DIR` (the sanitizer
# build, if any, is in $BENTO_SAN_BUILD).  It reports each check on one line:
#     PASS: name | FAIL: name (detail lines follow, indented) | SKIP: name (reason)
# and ends with `finish`.
#
# Reporting:   pass NAME · fail NAME [DETAIL] · skip NAME REASON · describe_run
# Judging:     ok NAME [DETAIL] · verdict NAME [STATUS] · expect NAME STATUS STDOUT
#              · check NAME CMD...  (see "reporting" below for which is which)
# Places:      make_test_dir [VAR] · copy_artifacts [BUILD [DIR]] · need VAR... · need_program VAR NAME...
# Running:     as_user CMD... · as_root CMD... · urun CMD... · rrun CMD...
#              bg_user OUTFILE ERRFILE CMD... · AS_USER_PREFIX=(restrict ... --)
# Waiting:     wait_gone "PIDS" SECONDS · wait_for_line FILE REGEX SECONDS
# Processes:   app_pid RUNTIME_PID PID_AS_SEEN_BY_APP
# Leaks:       no_leaks NAME [PIDS]
# Keys:        test_keys DIR WHO... · fingerprint_of DIR MAIL
# Misc:        on_exit CMD · finish
# and what tests/run needs too, from tests/core.bash: now_ms · descendants PID
# · bento_mounts · mounts_below DIR · unmount_each · leaks DIR BEFORE · ...

set -u

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
	echo "usage: bash $0 BUILD_DIR" >&2
	exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$SRC_DIR/tests/core.bash"
SCRIPT_NAME=$(basename "$(dirname "$0")")/$(basename "$0" .sh)
TEST_UID=65534
TEST_GID=65534

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: $SCRIPT_NAME: the tests must run as root (they switch to uid $TEST_UID themselves)"
	exit 1
fi
fuse_for_all_users

# ---------------------------------------------------------------- reporting
#
# pass, fail and skip print the line; the four judges decide between pass
# and fail, and say why on a failure:
#   ok NAME [DETAIL]           the command just before succeeded (a condition
#                              just tested); DETAIL explains a failure
#   verdict NAME [STATUS]      the same for a condition on the last run (urun,
#                              rrun, start_hello): it fails on a sanitizer
#                              report in that run's stderr too, and a failure
#                              describes the run (and the STATUS expected)
#   expect NAME STATUS STDOUT  the last run ended with STATUS and printed
#                              exactly STDOUT (and no sanitizer report)
#   check NAME CMD...          CMD succeeds; its output explains a failure
# ok and verdict are aliases that put the status of the command before them
# ($?) ahead of their arguments, so that a command substitution in NAME or
# DETAIL, which runs first, cannot take its place:
#     [ "$(cat f)" = x ]; ok "f holds x" "$(ls -l f)"

_n_fail=0
_n_pass=0

pass() {
	_n_pass=$((_n_pass + 1))
	echo "PASS: $1"
}

# fail NAME [DETAIL]: DETAIL (may be several lines) is printed indented.
fail() {
	_n_fail=$((_n_fail + 1))
	echo "FAIL: $1"
	if [ $# -ge 2 ] && [ -n "$2" ]; then
		printf '%s\n' "$2" | head -n 40 | sed 's/^/    | /'
	fi
}

skip() {
	echo "SKIP: $1 (${2:-no reason given})"
}

# _judge NAME STATUS DETAIL-CMD...: PASS if STATUS is 0, else FAIL with
# what DETAIL-CMD prints (run only then) and status 1.
_judge() {
	local name=$1 status=$2
	shift 2
	if [ "$status" = 0 ]; then
		pass "$name"
	else
		fail "$name" "$("$@")"
		return 1
	fi
}

shopt -s expand_aliases
alias ok='_ok $?' verdict='_verdict $?'

_ok() { # STATUS NAME [DETAIL]
	_judge "$2" "$1" printf '%s' "${3:-}"
}

_verdict() { # STATUS NAME [STATUS_EXPECTED [STDOUT_EXPECTED]]
	local status=$1 name=$2
	shift 2
	[ "$status" = 0 ] && ! _sanitizer_report
	_judge "$name" $? describe_run "$@"
}

expect() {
	[ "$RC" = "$2" ] && [ "$OUT" = "$3" ]
	_verdict $? "$1" "$2" "$3"
}

check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	_judge "$name" $rc printf '%s' "exit status $rc: $*"$'\n'"$out"
}

# What shows a report of AddressSanitizer, LeakSanitizer or
# UndefinedBehaviorSanitizer, or their failing (an extended regular
# expression); any of it in a run's stderr fails the run's verdict.
SANITIZER_REPORT='Sanitizer|runtime error:'

# _sanitizer_report [FILE]: FILE (default the last run's stderr) shows one
_sanitizer_report() {
	grep -Eq "$SANITIZER_REPORT" "${1:-${ERR_FILE:-/dev/null}}" 2>/dev/null
}

# describe_run [STATUS [EXPECTED_STDOUT]]: the last run, for failure details.
describe_run() {
	local s
	s="command: ${LAST_CMD:-?}"$'\n'"exit status: $RC${1:+ (expected $1)}, ${MS}ms"
	if [ $# -ge 2 ] && [ "$OUT" = "$2" ]; then
		s+=$'\n'"stdout: as expected"
	elif [ $# -ge 2 ]; then
		s+=$'\n'"stdout (diff expected -> got):"$'\n'"$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$OUT") | head -n 20)"
	else
		s+=$'\n'"stdout: $(printf '%s' "$OUT" | head -c 1500)"
	fi
	s+=$'\n'"stderr: $(printf '%s' "$ERR" | head -c 1500)"
	printf '%s' "$s"
}

finish() {
	[ $_n_fail -eq 0 ]
	exit
}

# ---------------------------------------------------------------- clean-up

_test_dirs=()
_bg_pids=()
_exit_cmds=()

on_exit() {
	_exit_cmds+=("$*")
}

# Kill what the test started, unmount what is mounted below its directories,
# remove them.  Runs on exit and on INT/TERM/HUP (e.g. the runner's timeout).
_cleanup() {
	local rc=$? c p d pids
	trap - EXIT INT TERM HUP
	# (quiet: bash would report each background job killed by a signal)
	exec 2>/dev/null
	disown -a
	for c in "${_exit_cmds[@]}"; do
		eval "$c" >/dev/null 2>&1
	done
	pids=""
	for p in "${_bg_pids[@]}"; do
		pids+=" $p $(descendants "$p")"
	done
	for p in $pids; do
		[ "$p" != $$ ] && kill -KILL "$p" 2>/dev/null
	done
	for d in "${_test_dirs[@]}"; do
		kill_mentioning "$d"
	done
	for d in "${_test_dirs[@]}"; do
		mounts_below "$d" | unmount_each
		chmod -R u+rwX "$d" 2>/dev/null
		rm -rf --one-file-system "$d" 2>/dev/null
	done
	exit $rc
}
trap _cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# ---------------------------------------------------------------- places

# make_test_dir [VAR]: a fresh directory (0755, owned by the test user) under
# the run's root ($BENTO_TEST_ROOT, set by tests/run) or /tmp; removed on
# exit.  Sets VAR (default TEST_DIR).  The default one also gets the test
# user's HOME and TMPDIR: USER_HOME=$TEST_DIR/home, USER_TMP=$TEST_DIR/tmp.
make_test_dir() {
	local var=${1:-TEST_DIR} base=${BENTO_TEST_ROOT:-/tmp} d
	[ -d "$base" ] || base=/tmp
	d=$(mktemp -d "$base/bento-test.XXXXXX") || {
		echo "FAIL: $SCRIPT_NAME: mktemp failed"
		exit 1
	}
	_test_dirs+=("$d")
	chmod 0755 "$d"
	chown "$TEST_UID:$TEST_GID" "$d"
	printf -v "$var" '%s' "$d"
	if [ "$var" = TEST_DIR ]; then
		USER_HOME=$d/home
		USER_TMP=$d/tmp
		ROOT_HOME=$d/roothome
		ROOT_TMP=$d/roottmp
		mkdir -p "$USER_HOME" "$USER_TMP" "$ROOT_HOME" "$ROOT_TMP"
		chown "$TEST_UID:$TEST_GID" "$USER_HOME" "$USER_TMP"
		chmod 0700 "$USER_HOME" "$USER_TMP" "$ROOT_HOME" "$ROOT_TMP"
	fi
}

# copy_artifacts [BUILD [DIR]]: copy the build's artifacts into DIR (default
# $TEST_DIR) so that the test user can read and run them (the build directory
# may be below /root).  Sets RUNTIME, BENTO, BUILDER, HELLO, APPIMG, RESTRICT
# to their paths (empty when the build lacks them; RESTRICT stays in the build).
copy_artifacts() {
	local build=${1:-$BUILD_DIR} dir=${2:-$TEST_DIR} src name
	RUNTIME="" BENTO="" BUILDER="" HELLO="" APPIMG="" RESTRICT=""
	for src in runtime/stub/bento-runtime runtime/cli/bento builder/bento-builder \
		manifests/hello/hello manifests/hello/hello-x86_64.AppImage; do
		name=$(basename "$src")
		[ -f "$build/$src" ] || continue
		cp "$build/$src" "$dir/$name" && chmod 0755 "$dir/$name" || continue
		case $name in
		bento-runtime) RUNTIME=$dir/$name ;;
		bento) BENTO=$dir/$name ;;
		bento-builder) BUILDER=$dir/$name ;;
		hello) HELLO=$dir/$name ;;
		*.AppImage) APPIMG=$dir/$name ;;
		esac
	done
	[ -x "$build/tests/restrict" ] && RESTRICT=$build/tests/restrict
	return 0
}

# need VAR...: stop the script with one FAIL if an artifact variable is empty.
need() {
	local v missing=""
	for v in "$@"; do
		[ -n "${!v:-}" ] || missing+=" $v"
	done
	if [ -n "$missing" ]; then
		fail "$SCRIPT_NAME: missing build artifacts:$missing (build: $BUILD_DIR)"
		exit 1
	fi
}

# need_program VAR NAME...: VAR is the build's test program tests/NAME (from
# tests/helpers/NAME.c), as need says when it is missing; one pair at a time.
need_program() {
	while [ $# -ge 2 ]; do
		if [ -x "$BUILD_DIR/tests/$2" ]; then
			printf -v "$1" '%s' "$BUILD_DIR/tests/$2"
		else
			printf -v "$1" ''
		fi
		need "$1"
		shift 2
	done
}

# need_tools TOOL...: each TOOL is a command on PATH (or in /usr/sbin, where
# nginx is); the script fails and stops at the first missing one, naming it.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
			fail "$SCRIPT_NAME: $tool is not installed (scripts/setup.sh installs it)"
			finish
		}
	done
}

# ---------------------------------------------------------------- running

# Commands put in front of the user switch, e.g. AS_USER_PREFIX=("$RESTRICT" --no-userns --).
AS_USER_PREFIX=()

# The environment a launch gets: nothing from the runner's, default signal
# dispositions (a shell's background jobs would otherwise ignore INT/QUIT).
_env_cmd() { # HOME TMPDIR
	_ENV=(env -i --default-signal "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$1" "TMPDIR=$2"
		"LANG=C.UTF-8")
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && _ENV+=("$v=${!v}")
	done
}

_user_cmd() {
	_env_cmd "$USER_HOME" "$USER_TMP"
	_CMD=("${AS_USER_PREFIX[@]}" setpriv "--reuid=$TEST_UID" "--regid=$TEST_GID" --clear-groups
		--inh-caps=-all "${_ENV[@]}" USER=nobody LOGNAME=nobody)
}

_root_cmd() {
	_env_cmd "$ROOT_HOME" "$ROOT_TMP"
	_CMD=("${AS_USER_PREFIX[@]}" "${_ENV[@]}" USER=root LOGNAME=root)
}

# as_user [VAR=VALUE...] CMD...: run as uid/gid 65534 in a clean environment
# (HOME=$USER_HOME, TMPDIR=$USER_TMP).  as_root: the same environment, as root.
as_user() {
	_user_cmd
	"${_CMD[@]}" "$@"
}

as_root() {
	_root_cmd
	"${_CMD[@]}" "$@"
}

# urun [VAR=VALUE...] CMD...: as_user with a timeout ($RUN_TIMEOUT, default
# 30 s), stdin from /dev/null.  Sets OUT, ERR (contents), OUT_FILE, ERR_FILE,
# RC (status) and MS (wall time in ms).  rrun: the same as root.
urun() {
	_user_cmd
	_run "$@"
}

rrun() {
	_root_cmd
	_run "$@"
}

_run_n=0
_run() {
	local t0
	_run_n=$((_run_n + 1))
	OUT_FILE=$TEST_DIR/.run$_run_n.out
	ERR_FILE=$TEST_DIR/.run$_run_n.err
	LAST_CMD="$*"
	t0=$(now_ms)
	timeout -k 5 "${RUN_TIMEOUT:-30}" "${_CMD[@]}" "$@" >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
	RC=$?
	MS=$(($(now_ms) - t0))
	OUT=$(cat "$OUT_FILE")
	ERR=$(cat "$ERR_FILE")
}

# bg_user OUTFILE ERRFILE [VAR=VALUE...] CMD...: start as the test user in the
# background; BG_PID is the pid of CMD itself (setpriv and env exec it).
# Collect it with bg_wait.  bg_root: the same as root.
bg_user() {
	_user_cmd
	_bg "$@"
}

bg_root() {
	_root_cmd
	_bg "$@"
}

declare -A _bg_wrapper
_bg() {
	local o=$1 e=$2 w
	shift 2
	# A wrapper subshell waits for CMD, so that bash never reports a job
	# "Killed" when a test kills CMD; its status is CMD's (128+N if killed).
	("${_CMD[@]}" "$@" >"$o" 2>"$e" </dev/null; exit $?) 2>/dev/null &
	w=$!
	_bg_pids+=("$w")
	BG_PID=""
	while [ -z "$BG_PID" ]; do
		BG_PID=$(pgrep -P "$w")
		[ -n "$BG_PID" ] || _alive "$w" || break
	done
	# (if CMD ended before it was seen, only the wrapper is left to wait for)
	: "${BG_PID:=$w}"
	_bg_wrapper[$BG_PID]=$w
	_bg_pids+=("$BG_PID")
}

# bg_wait PID SECONDS: wait for a background command; sets RC (its status,
# 124 on timeout, after which it is killed).
bg_wait() {
	local pid=$1 w=${_bg_wrapper[$1]:-$1}
	if wait_gone "$pid $w" "$2"; then
		wait "$w" 2>/dev/null
		RC=$?
	else
		kill -KILL "$pid" $(descendants "$pid") 2>/dev/null
		wait "$w" 2>/dev/null
		RC=124
	fi
}

# ---------------------------------------------------------------- waiting

_alive() { # PID: running and not a zombie
	local s
	s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# wait_gone "PID..." SECONDS: wait until none of the processes runs (zombies
# count as gone); status 0 if so.
wait_gone() {
	local pids=$1 deadline p any
	deadline=$(($(now_ms) + $(_ms "$2")))
	while :; do
		any=0
		for p in $pids; do
			_alive "$p" && any=1
		done
		[ $any -eq 0 ] && return 0
		[ "$(now_ms)" -ge $deadline ] && return 1
		sleep 0.02
	done
}

# wait_for_line FILE REGEX SECONDS [PID]: wait until FILE has a line matching
# the extended REGEX (gives up early if PID ends); status 0 if so.
wait_for_line() {
	local deadline
	deadline=$(($(now_ms) + $(_ms "$3")))
	while :; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		[ $# -ge 4 ] && ! _alive "$4" && {
			grep -Eq -- "$2" "$1" 2>/dev/null
			return
		}
		[ "$(now_ms)" -ge $deadline ] && return 1
		sleep 0.02
	done
}

# ---------------------------------------------------------------- processes

# app_pid RUNTIME_PID NSPID: the host pid of the descendant of RUNTIME_PID
# whose pid in its own pid namespace is NSPID (what the app printed).
app_pid() {
	local p ns
	for p in $(descendants "$1"); do
		ns=$(awk '/^NSpid:/ {print $NF}' "/proc/$p/status" 2>/dev/null)
		if [ "$ns" = "$2" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ---------------------------------------------------------------- leaks

# _leaks [PIDS]: describe what a launch left behind (empty if nothing):
# what tests/core.bash's leaks finds for $TEST_DIR, live PIDS, directories
# in the users' TMPDIRs.
_leaks() {
	local p s m
	s=$(leaks "$TEST_DIR" "$_tmp_mounts0")
	[ -n "$s" ] && s+=$'\n'
	for p in ${1:-}; do
		_alive "$p" && s+="process still running: $(ps -o pid=,user=,args= -p "$p")"$'\n'
	done
	m=$(find "$USER_TMP" "$ROOT_TMP" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)
	[ -n "$m" ] && s+="left in TMPDIR: $m"$'\n'
	printf '%s' "$s"
}
_tmp_mounts0=$(tmp_mount_dirs)

# no_leaks NAME [PIDS]: PASS if nothing is left, polling up to $LEAK_WAIT
# seconds (default 3) because some clean-up may be asynchronous.
no_leaks() {
	local name=$1 pids=${2:-} s p
	s=$(wait_empty "${LEAK_WAIT:-3}" _leaks "$pids")
	if [ -z "$s" ]; then
		pass "$name"
		return 0
	fi
	fail "$name" "$s"
	# do not let one leak spoil the next checks
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	kill_mentioning "$TEST_DIR"
	mounts_below "$TEST_DIR" | unmount_each
	find "$USER_TMP" "$ROOT_TMP" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null
	return 1
}

# hello_out ARGS...: what the packed hello prints for these arguments
hello_out() {
	local i=1 a
	printf 'Hello from bento!\n'
	for a in "$@"; do
		printf 'arg[%d]=[%s]\n' $i "$a"
		i=$((i + 1))
	done
}

# start_hello [VAR=VALUE...]: launch the packed hello (in $TEST_DIR) as the
# user in the background, sleeping; sets RT (runtime pid), APP (the app's
# host pid), PROCS (every process of the launch), OUT_FILE, ERR_FILE and
# LAST_CMD.  Fails unless hello is running within 10 s.  The packed hello
# is a plain AppImage (no metadata: unsandboxed, as `bento info` says),
# which gets the launcher's whole environment, so the HELLO_* variables of
# the tests reach it as they are; a sandboxed app gets a variable through
# --bento-env=NAME=VALUE or `bento run --env=` (tests/security/limits.sh).
start_hello() {
	local nspid b
	b=$(basename "$APPIMG")
	RT="" APP="" PROCS=""
	OUT_FILE=$TEST_DIR/sleep.out ERR_FILE=$TEST_DIR/sleep.err
	LAST_CMD="$* HELLO_SLEEP=60 ./$b"
	bg_user "$OUT_FILE" "$ERR_FILE" "$@" HELLO_SLEEP=60 ./"$b"
	RT=$BG_PID
	if ! wait_for_line "$OUT_FILE" '^sleeping [0-9]+$' 10 "$RT"; then
		OUT=$(cat "$OUT_FILE") ERR=$(cat "$ERR_FILE") RC='?' MS='?'
		return 1
	fi
	nspid=$(sed -n 's/^sleeping \([0-9]*\)$/\1/p' "$OUT_FILE")
	APP=$(app_pid "$RT" "$nspid")
	PROCS="$RT $(descendants "$RT")"
	[ -n "$APP" ]
}

# in_test_dir ARTIFACT...: make a test directory holding the build's
# artifacts (the named ones must exist, see need), enter it, and set b to
# the packed hello's file name.
in_test_dir() {
	make_test_dir
	copy_artifacts
	need "$@"
	cd "$TEST_DIR" || exit 1
	b=$(basename "$APPIMG")
}

# ---------------------------------------------------------------- a web server

# start_web ROOT [SERVER_CONF]: nginx on a free loopback port, as the test
# user, serving ROOT (its access log at $WEB_DIR/access.log, one line per
# request: "STATUS URI RANGE"); SERVER_CONF is added inside server { }.
# Sets PORT (WEB_PORT when set: a port the test had to name beforehand),
# WEB_URL and WEB_PID; stopped by stop_web or at exit.  A second server at
# once: WEB_NAME=NAME gives it its own directory $TEST_DIR/NAME (default web).
start_web() {
	local root=$1 extra=${2:-} try nginx
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	WEB_DIR=$TEST_DIR/${WEB_NAME:-web}
	mkdir -p "$WEB_DIR/tmp" && chown -R "$TEST_UID:$TEST_GID" "$WEB_DIR"
	echo ready >"$root/.ready"
	for try in 1 2 3; do
		PORT=${WEB_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
		cat >"$WEB_DIR/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $WEB_DIR/nginx.pid;
error_log $WEB_DIR/error.log;
events { worker_connections 64; }
http {
	log_format t '\$status \$request_uri "\$http_range"';
	access_log $WEB_DIR/access.log t;
	client_body_temp_path $WEB_DIR/tmp/body;
	proxy_temp_path $WEB_DIR/tmp/proxy;
	fastcgi_temp_path $WEB_DIR/tmp/fastcgi;
	uwsgi_temp_path $WEB_DIR/tmp/uwsgi;
	scgi_temp_path $WEB_DIR/tmp/scgi;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$PORT;
		root $root;
		$extra
	}
}
CONF
		bg_user "$WEB_DIR/out" "$WEB_DIR/err" "$nginx" -p "$WEB_DIR" -c "$WEB_DIR/nginx.conf" \
			-e "$WEB_DIR/error.log"
		WEB_PID=$BG_PID
		on_exit "kill -TERM $WEB_PID 2>/dev/null"
		for _ in $(seq 100); do
			if curl -sf -o /dev/null "http://127.0.0.1:$PORT/.ready"; then
				WEB_URL=http://127.0.0.1:$PORT
				return 0
			fi
			_alive "$WEB_PID" || break
			sleep 0.05
		done
		kill -TERM "$WEB_PID" 2>/dev/null
		bg_wait "$WEB_PID" 5
	done
	fail "nginx does not start" "$(cat "$WEB_DIR/error.log" "$WEB_DIR/err" 2>/dev/null)"
	return 1
}

stop_web() {
	kill -TERM "$WEB_PID" 2>/dev/null
	bg_wait "$WEB_PID" 10
}

# ---------------------------------------------------------------- signing keys

# test_keys DIR WHO...: a GnuPG home DIR of the test user's with a
# passphrase-less ed25519 signing key for each WHO ("Name <mail>"); its
# agent is stopped at exit (and by `stop_test_keys DIR`).
test_keys() {
	local dir=$1 who
	shift
	install -d -m 0700 -o "$TEST_UID" -g "$TEST_GID" "$dir"
	on_exit "stop_test_keys $dir"
	for who in "$@"; do
		as_user GNUPGHOME="$dir" gpg --batch --quiet --passphrase '' --quick-gen-key "$who" \
			ed25519 sign never >/dev/null 2>&1
	done
}
stop_test_keys() { as_user GNUPGHOME="$1" gpgconf --kill all; }
# fingerprint_of DIR MAIL: the fingerprint of the key of MAIL in DIR
fingerprint_of() {
	as_user GNUPGHOME="$1" gpg --with-colons --list-keys "$2" | awk -F: '$1 == "fpr" {print $10; exit}'
}

# make_versioned_appdir DIR VERSION: the hello AppDir with 4 MB of
# incompressible data ($TEST_DIR/data.bin, made once by the caller) and a
# version file; versions other than 1 also hold 20 kB of new data.  Two such
# versions differ in little, as a delta update expects.
make_versioned_appdir() {
	sh "$SRC_DIR/manifests/hello/make-appdir.sh" "$HELLO" "$SRC_DIR/manifests/hello" "$1"
	mkdir -p "$1/usr/share/data"
	cp "$TEST_DIR/data.bin" "$1/usr/share/data/big.bin"
	echo "version $2" >"$1/usr/share/data/version"
	[ "$2" = 1 ] || head -c 20000 /dev/urandom >"$1/usr/share/data/new.bin"
}
