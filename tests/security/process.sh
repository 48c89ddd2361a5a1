# The app as a process (issue 12, items 3, 4, 10, 12, 20): what it shares
# with its launcher and what the runtime that serves it may still do.
#   signals      the sandbox is a process group of its own: kill(0) inside
#                reaches neither the launching script nor its other children
#                (control: the same file with --bento-no-sandbox); job
#                control on a terminal still works (a shell on a
#                pseudo-terminal: reading, Ctrl-Z, fg, bg, Ctrl-C), and a
#                build step, in a session of its own, still ends on Ctrl-C
#   descriptors  none of the launcher's reaches the app, a build step or the
#                D-Bus proxy (controls: --bento-no-sandbox, a host shell)
#   io_uring     refused in the app's filter, so IORING_OP_SOCKET cannot make
#                a socket of a refused family (control: natively)
#   the runtime  its own filter, installed as the runtime installs it
#                (tests/helpers/runtimefilter.c), refuses TIOCSTI, signals
#                to anything but its own processes and prctl beyond
#                PR_SET_NAME (control: the same calls without it), and a
#                real sandboxed run still serves and forwards signals
# Each attack is a row of the escape table (tests/security/lib/table.sh);
# the attack programs are tests/helpers/procprobe.c and runtimefilter.c.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/table.sh"
. "$(dirname "$0")/lib/verdict.sh"

make_test_dir
copy_artifacts
need BUILDER BENTO
need_program PROBE_BUILT procprobe RTF_BUILT runtimefilter
cd "$TEST_DIR" || exit 1

BIN=$TEST_DIR/bin
IMG=$TEST_DIR/img
mkdir -p "$BIN" "$IMG" "$TEST_DIR/appdirs"
cp "$PROBE_BUILT" "$BIN/procprobe"
cp "$RTF_BUILT" "$BIN/runtimefilter"
cp "$SRC_DIR/tests/security/lib/pty_session.py" "$BIN/"
chmod 0755 "$BIN" "$IMG" "$BIN"/*
PROBE=$BIN/procprobe
RTF=$BIN/runtimefilter
MARK=bento-process-$$-$RANDOM
RUN_TIMEOUT=30

SAN_BENTO=""
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	SAN_BENTO=$BIN/bento-san
	cp "$BENTO_SAN_BUILD/runtime/cli/bento" "$SAN_BENTO"
	chmod 0755 "$SAN_BENTO"
fi

# A session's runtime directory and bus (for the D-Bus proxy).
XDG_RT=$TEST_DIR/xdg-runtime
mkdir -p "$XDG_RT"
chown "$TEST_UID:$TEST_GID" "$XDG_RT"
chmod 0700 "$XDG_RT"

# The user's files: a directory of the home with a secret.
mkdir -p "$USER_HOME/docs"
printf '%s\n' "$MARK-home" >"$USER_HOME/docs/secret.txt"
chown -R "$TEST_UID:$TEST_GID" "$USER_HOME"

# ---------------------------------------------------------------- images

# make_image NAME CONTEXT: an image whose app is procprobe, with metadata
# naming org.example.Process.NAME and CONTEXT appended.
make_image() {
	local d=$TEST_DIR/appdirs/$1 out
	mkdir -p "$d/usr/bin" "$d/.bento"
	cp "$PROBE" "$d/usr/bin/procprobe"
	ln -s usr/bin/procprobe "$d/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=Probe\nExec=procprobe\nIcon=probe\nCategories=Utility;\n' \
		>"$d/probe.desktop"
	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$d/probe.svg"
	printf '[Application]\nname=org.example.Process.%s\ncommand=usr/bin/procprobe\n%s\n' "$1" "$2" \
		>"$d/.bento/metadata"
	if ! out=$(SOURCE_DATE_EPOCH=0 "$BUILDER" pack "$d" -o "$IMG/$1.AppImage" 2>&1) ||
		[ ! -x "$IMG/$1.AppImage" ]; then
		fail "pack the $1 image" "$out"
		return 1
	fi
}
make_image base "" &&
	make_image multiarch $'[Context]\nfeatures=multiarch;' &&
	make_image bus $'[Session Bus Policy]\norg.example.Granted=talk' ||
	{
		echo "FAIL: $SCRIPT_NAME: the images could not be made"
		exit 1
	}
BASE=$IMG/base.AppImage

# run_verdict VAR CMD...: urun CMD, its verdict in V and OBS, copied to
# VAR (SV or CV) and VAR's OBS (SOBS or COBS).
run_verdict() {
	local var=$1
	shift
	urun "$@"
	attack_verdict
	printf -v "$var" '%s' "$V"
	printf -v "${var:0:1}OBS" '%s' "$OBS"
}

# probe_row NAME CLASS CMD...: the attack CMD (run in the sandbox) beside
# the control C_CMD (set before; reset after).
C_CMD=()
probe_row() {
	local name=$1 class=$2
	shift 2
	run_verdict CV "${C_CMD[@]}"
	run_verdict SV "$@"
	attack_row "$name" "$class"
	C_CMD=()
}

# The harness itself: a launch that does not start is no "blocked".
run_verdict SV "$IMG/no-such.AppImage" fds
[ "$SV" = error ]
ok "a launch that fails counts as an error, not as blocked (harness self-check)" "$SV: $SOBS"

# ---------------------------------------------------------------- signals

# launcher_kill0 [RUNTIME-OPTION]: a script with a sibling process runs the
# app, which runs `kill -KILL 0` (the issue's report); V, OBS.
launcher_kill0() {
	urun setsid bash -c '
		sleep 300 &
		echo "sibling $!"
		"$@"
		echo "the launcher goes on"
		kill -0 $! && echo "its sibling lives"
		kill $!' sh "$BASE" "$@" exec sh -c 'kill -KILL 0'
	local sibling
	sibling=$(sed -n 's/^sibling //p' <<<"$OUT")
	if grep -qx "its sibling lives" <<<"$OUT"; then
		V=blocked OBS="the launching script went on after the app (status $RC) and its sibling lives"
	elif [ -n "$sibling" ] && ! _alive "$sibling" && ! grep -q "goes on" <<<"$OUT"; then
		V=escaped OBS="the launching script and its sibling were killed (status $RC)"
	else
		V=error OBS="exit status $RC; output: ${OUT//$'\n'/ }; stderr: ${ERR:0:200}"
	fi
	[ -n "$sibling" ] && kill -KILL "$sibling" 2>/dev/null
}
launcher_kill0 --bento-no-sandbox
CV=$V COBS=$OBS
launcher_kill0
SV=$V SOBS=$OBS
attack_row "kill -KILL 0 reaches the launcher and its other children" "process group (issue 12.3)"

# launcher_stop0 [RUNTIME-OPTION]: the same with `kill -STOP 0`; the
# sibling must keep running.  The sandboxed run's runtime stops with its
# app (so that a shell would see the job stopped) and continues it.
launcher_stop0() {
	local o=$TEST_DIR/stop0.out e=$TEST_DIR/stop0.err sibling rt state launcher
	bg_user "$o" "$e" setsid bash -c '
		sleep 300 &
		echo "sibling $!"
		"$@"
		echo "the launcher goes on"
		kill $!' sh "$BASE" "$@" exec sh -c 'kill -STOP 0; echo "the app resumed"'
	launcher=$BG_PID
	wait_for_line "$o" '^sibling [0-9]+$' 10 "$launcher"
	sibling=$(sed -n 's/^sibling //p' "$o")
	rt=$(pgrep -P "$launcher" -x base.AppImage)
	sleep 1
	state=$(awk '{print $3}' "/proc/$sibling/stat" 2>/dev/null)
	RT_STATE=$(awk '{print $3}' "/proc/$rt/stat" 2>/dev/null)
	case $state in
	T) V=escaped OBS="the launcher's other child was stopped" ;;
	S) V=blocked OBS="the launcher's other child kept running" ;;
	*) V=error OBS="no state for the sibling ($sibling): $(cat "$o" "$e")" ;;
	esac
	# continue whatever stopped: the runtime continues its app itself
	[ -n "$rt" ] && kill -CONT "$rt"
	kill -CONT -- "-$launcher" 2>/dev/null
	wait_for_line "$o" 'goes on' 10 "$launcher"
	RESUMED=$(cat "$o")
	bg_wait "$launcher" 10
}
launcher_stop0 --bento-no-sandbox
CV=$V COBS=$OBS
launcher_stop0
SV=$V SOBS=$OBS
attack_row "kill -STOP 0 stops the launcher's other children" "process group (issue 12.3)"
[ "$RT_STATE" = T ] && grep -qx "the app resumed" <<<"$RESUMED" && grep -q "goes on" <<<"$RESUMED"
ok "an app that stops itself stops its runtime too (a shell sees the job stopped); SIGCONT to the runtime continues it" \
	"runtime state: $RT_STATE; output: $RESUMED"

# ---------------------------------------------------------------- job control

# session NAME SCRIPT: plays SCRIPT (tests/security/lib/pty_session.py)
# on an interactive bash on a new pseudo-terminal, in the test directory;
# each "mark" of the script is a check.
session() {
	local script=$TEST_DIR/$1.session m
	cat >"$script"
	chmod 0644 "$script"
	RUN_TIMEOUT=120 urun python3 "$BIN/pty_session.py" "$script" \
		bash --norc --noprofile --noediting -i
	while read -r m; do
		grep -qxF "reached: $m" <<<"$OUT"
		verdict "job control ($1): $m"
	done < <(sed -n 's/^mark //p' "$script")
}

# The app straight from the shell.  (bash reports a job stopped by SIGTTIN
# as "Stopped" after bg: the process state says what happened.)
session shell <<EOF
send PS1='P''ROMPT> '; cd $IMG\n
expect PROMPT> 
send ./base.AppImage readloop\n
expect ready
send hello\n
expect got: hello
mark the app reads from the terminal without being stopped
send \x1a
expect Stopped
expect PROMPT> 
send ps -o stat= -C procprobe\n
expect \nT\+?\r
expect PROMPT> 
mark Ctrl-Z stops the job and the shell prompts again
send fg\n
expect readloop
sleep 0.3
send again\n
expect got: again
mark fg continues it and it reads again
send \x1a
expect PROMPT> 
send bg\n
expect PROMPT> 
send sleep 1; jobs; ps -o stat= -C procprobe\n
expect Stopped
expect \nT\+?\r
expect PROMPT> 
send fg\n
expect readloop
sleep 0.3
send third\n
expect got: third
mark after bg, reading the terminal stops the job; fg lets it read
send \x03
sleep 0.5
send sigints\n
expect sigints: 1\b
mark Ctrl-C reaches the app, once
send \x04
expect eof
expect PROMPT> 
send echo status=\$?\n
expect status=0
mark at the end of input the app ends (status 0) and the shell has the terminal again
EOF

# The app run by a script: the job holds the script too.
session script <<EOF
send PS1='P''ROMPT> '; cd $IMG\n
expect PROMPT> 
send bash -c './base.AppImage readloop; echo after-the-app'\n
expect ready
send \x1a
expect Stopped
expect PROMPT> 
mark Ctrl-Z stops a script that runs the app, and the shell prompts again
send fg\n
expect readloop
sleep 0.3
send more\n
expect got: more
send \x04
expect after-the-app
expect PROMPT> 
mark fg continues it; the script goes on after the app
EOF

# An app that stops itself (an editor's suspend: kill(0, SIGTSTP)).
session suspend <<EOF
send PS1='P''ROMPT> '; cd $IMG\n
expect PROMPT> 
send ./base.AppImage exec sh -c 'kill -TSTP 0; exec /app/usr/bin/procprobe readloop'\n
expect Stopped
expect PROMPT> 
mark an app that stops itself (kill -TSTP 0) stops the job
send fg\n
expect ready
send last\n
expect got: last
send \x04
expect eof
expect PROMPT> 
mark fg continues it and it reads the terminal
EOF

# ---------------------------------------------------------------- descriptors

# fd_row NAME SHELL-PRELUDE ATTACK...: the attack run by a shell that ran
# SHELL-PRELUDE (exec 7<...) first; the control with --bento-no-sandbox.
fd_row() {
	local name=$1 prelude=$2
	shift 2
	C_CMD=(bash -c "$prelude"'; exec "$@"' sh "$BASE" --bento-no-sandbox "$@")
	probe_row "$name" "inherited descriptors (issue 12.4)" \
		bash -c "$prelude"'; exec "$@"' sh "$BASE" "$@"
}
fd_row "read a file through an inherited fd 7 on a directory of the home" \
	'exec 7<"$HOME/docs"' fdwalk 7 docs secret.txt "$MARK-home"
fd_row "any descriptor >= 3 of the launcher's reaches the app" \
	'exec 7<"$HOME/docs" 8>>"$HOME/docs/log" 9<>/dev/null' fds
fd_row "a directory of the home on standard input" \
	'exec 0<"$HOME/docs"' fdwalk 0 docs secret.txt "$MARK-home"

# Writing through the descriptor: the host sees whether the file appeared.
write_through_fd() { # [RUNTIME-OPTION]
	rm -f "$USER_HOME/docs/written.txt"
	urun bash -c 'exec 7<"$HOME/docs"; exec "$@"' sh "$BASE" "$@" fdwrite 7 written.txt "$MARK-w"
	attack_verdict
	if grep -qs -- "$MARK-w" "$USER_HOME/docs/written.txt"; then
		V=escaped OBS="~/docs/written.txt appeared on the host ($OBS)"
	elif [ "$V" = escaped ]; then
		V=blocked OBS="nothing reached the host ($OBS)"
	fi
	rm -f "$USER_HOME/docs/written.txt"
}
write_through_fd --bento-no-sandbox
CV=$V COBS=$OBS
write_through_fd
SV=$V SOBS=$OBS
attack_row "write into the home through an inherited fd 7" "inherited descriptors (issue 12.4)"

if [ -n "$SAN_BENTO" ]; then
	C_CMD=(bash -c 'exec 7<"$HOME/docs"; exec "$@"' sh "$SAN_BENTO" run --no-sandbox "$BASE"
		fdwalk 7 docs secret.txt "$MARK-home")
	probe_row "read through an inherited fd 7 (sanitizer build's bento run)" \
		"inherited descriptors (issue 12.4)" \
		bash -c 'exec 7<"$HOME/docs"; exec "$@"' sh "$SAN_BENTO" run "$BASE" \
		fdwalk 7 docs secret.txt "$MARK-home"
fi

# A build step of bento-builder, the builder started with fd 9 on the home
# (issue 12.20).  The step shows what it can read, writes what it can.
mkdir -p "$TEST_DIR/build" "$TEST_DIR/src"
cp "$SRC_DIR/manifests/hello/hello.svg" "$TEST_DIR/src/"
STEP='cat /proc/self/fd/9/docs/secret.txt; echo '"$MARK"'-w >/proc/self/fd/9/docs/by-step.txt; echo "stdin: $(readlink /proc/self/fd/0)"; true'
cat >"$TEST_DIR/src/fdstep.yml" <<EOF
id: org.example.Process.FdStep
name: FdStep
version: "1"
summary: Tries the descriptors the builder inherited
command: bin/probe
icon: hello.svg
modules:
  - name: probe
    buildsystem: simple
    build-commands:
      - mkdir -p /app/bin && printf '#!/bin/sh\\necho probe\\n' >/app/bin/probe && chmod +x /app/bin/probe
      - '$STEP'
EOF
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/build" "$TEST_DIR/src"
build_step_verdict() { # how the last run did: V, OBS
	if grep -qs -- "$MARK-w" "$USER_HOME/docs/by-step.txt"; then
		V=escaped OBS="the step wrote ~/docs/by-step.txt"
	elif grep -q -- "$MARK-home" <<<"$OUT"; then
		V=escaped OBS="the step read ~/docs/secret.txt"
	elif [ "$RC" = 0 ]; then
		V=blocked OBS="the step read and wrote nothing through fd 9 ($(grep -m1 '^stdin:' <<<"$OUT"))"
	else
		V=error OBS="exit status $RC: ${ERR:0:300}"
	fi
	rm -f "$USER_HOME/docs/by-step.txt"
}
# (the control: the step's command run by a host shell holding the same fd)
urun bash -c 'exec 9<"$HOME"; exec sh -c "$1"' sh "$STEP"
build_step_verdict
CV=$V COBS="a host shell: $OBS"
cd "$TEST_DIR/build" || exit 1
# (the builder's stdin a file of the home: the step must not get it)
RUN_TIMEOUT=120 urun bash -c 'exec 9<"$HOME" 0<"$HOME/docs/secret.txt"; exec "$@"' sh \
	"$BUILDER" build -v ../src/fdstep.yml
cd "$TEST_DIR" || exit 1
build_step_verdict
SV=$V SOBS=$OBS
attack_row "a build step reads and writes the home through the builder's fd 9" \
	"inherited descriptors (issue 12.20)"
grep -qx "stdin: /dev/null" <<<"$OUT"
ok "a build step's stdin is /dev/null, not the builder's" "$OUT"

# A build step is in a session of its own, away from the builder's
# terminal: Ctrl-C there still ends it (the builder's end ends its sandbox).
cat >"$TEST_DIR/src/slow.yml" <<EOF
id: org.example.Process.Slow
name: Slow
version: "1"
summary: A build step that takes its time
command: bin/probe
icon: hello.svg
modules:
  - name: slow
    buildsystem: simple
    build-commands:
      - sleep 3$$
EOF
chown "$TEST_UID:$TEST_GID" "$TEST_DIR/src/slow.yml"
session build <<EOF
send PS1='P''ROMPT> '; cd $TEST_DIR/build\n
expect PROMPT> 
send $BUILDER build ../src/slow.yml\n
expect slow: building
sleep 1
send \x03
expect PROMPT> 
send pgrep -f 'sleep 3$$' || echo no-step-\$((40 + 2))\n
expect no-step-42
mark Ctrl-C on the builder's terminal ends a build step
EOF

# The D-Bus proxy reads what the untrusted app sends on the bus: it gets no
# descriptor of the launcher's either.  (Control: xdg-dbus-proxy started by
# a shell holding fd 7, as it was started before: it keeps it.)
mkdir -p "$TEST_DIR/bus"
chown "$TEST_UID:$TEST_GID" "$TEST_DIR/bus"
BUS_ADDR=unix:path=$TEST_DIR/bus/bus
bg_user "$TEST_DIR/bus.out" "$TEST_DIR/bus.err" dbus-daemon --session --nofork --nopidfile \
	--address="$BUS_ADDR" --print-address=1
BUS_PID=$BG_PID
SESSION=(XDG_RUNTIME_DIR="$XDG_RT" DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR")
# proxy_fd7 PROXY-PID: V, OBS: whether the proxy holds fd 7 on ~/docs
proxy_fd7() {
	local target
	target=$(readlink "/proc/$1/fd/7" 2>/dev/null)
	if [ -z "$1" ]; then
		V=error OBS="no xdg-dbus-proxy found"
	elif [ "$target" = "$USER_HOME/docs" ]; then
		V=escaped OBS="xdg-dbus-proxy (pid $1) holds fd 7 on ~/docs"
	else
		V=blocked OBS="xdg-dbus-proxy (pid $1) holds: $(ls /proc/"$1"/fd | tr '\n' ' ')"
	fi
}
if wait_for_line "$TEST_DIR/bus.out" '^unix:' 10 "$BUS_PID"; then
	bg_user "$TEST_DIR/proxy.out" "$TEST_DIR/proxy.err" "${SESSION[@]}" bash -c \
		'exec 7<"$HOME/docs"; exec xdg-dbus-proxy "$DBUS_SESSION_BUS_ADDRESS" "$XDG_RUNTIME_DIR/proxy-control"'
	sleep 0.5
	proxy_fd7 "$BG_PID"
	CV=$V COBS=$OBS
	kill -TERM "$BG_PID"
	bg_wait "$BG_PID" 5
	bg_user "$TEST_DIR/busapp.out" "$TEST_DIR/busapp.err" "${SESSION[@]}" bash -c \
		'exec 7<"$HOME/docs"; exec "$@"' sh "$IMG/bus.AppImage" catch
	APP_RT=$BG_PID
	if wait_for_line "$TEST_DIR/busapp.out" '^waiting' 15 "$APP_RT"; then
		proxy_fd7 "$(pgrep -P "$APP_RT" -x xdg-dbus-proxy)"
	else
		V=error OBS="the app did not start: $(cat "$TEST_DIR/busapp.err")"
	fi
	SV=$V SOBS=$OBS
	kill -TERM "$APP_RT"
	bg_wait "$APP_RT" 10
	attack_row "the D-Bus proxy inherits the launcher's fd 7" "inherited descriptors (issue 12.4)"
else
	record "the D-Bus proxy inherits the launcher's fd 7" "inherited descriptors (issue 12.4)" \
		ERROR no "dbus-daemon did not start: $(cat "$TEST_DIR/bus.err")"
fi
kill -TERM "$BUS_PID"
bg_wait "$BUS_PID" 5

# ---------------------------------------------------------------- io_uring, socket families

C_CMD=("$PROBE" iouring-setup)
probe_row "io_uring_setup" "io_uring (issue 12.10)" "$BASE" iouring-setup
C_CMD=("$PROBE" iouring-socket)
probe_row "IORING_OP_SOCKET(AF_VSOCK), a family socket() refuses" "io_uring (issue 12.10)" \
	"$BASE" iouring-socket
C_CMD=("$PROBE" ia32-iouring)
probe_row "32-bit io_uring_setup (features=multiarch)" "io_uring (issue 12.10)" \
	"$IMG/multiarch.AppImage" ia32-iouring
C_CMD=("$PROBE" socketpair-af)
probe_row "socketpair() of a refused family" "socket families" "$BASE" socketpair-af

# ---------------------------------------------------------------- the runtime's own filter

rtf_row() { # NAME ATTACK ARGS...
	local name=$1
	shift
	C_CMD=("$RTF" --no-filter "$@")
	probe_row "the confined runtime: $name" "runtime filter (issue 12.12)" "$RTF" "$@"
}
rtf_row "TIOCSTI into its terminal" tiocsti
rtf_row "TIOCSTI with high bits set" tiocsti-high
rtf_row "kill(0, ...): its process group" kill-zero
rtf_row "kill(-1, ...): every process of the user" kill-all
rtf_row "a signal other than a stop to its own process group" kill-own-group
rtf_row "prctl(PR_SET_DUMPABLE)" prctl-dumpable
# Signals to a process of the user's that is not the runtime's: the host
# sees whether it died.
victim_row() { # NAME ATTACK
	local name=$1 attack=$2 victim
	bg_user /dev/null /dev/null sleep 300
	victim=$BG_PID
	run_verdict CV "$RTF" --no-filter "$attack" "$victim"
	sleep 0.2
	_alive "$victim" && CV=error COBS="the process lives after: $COBS"
	kill -KILL "$victim" 2>/dev/null
	bg_user /dev/null /dev/null sleep 300
	victim=$BG_PID
	run_verdict SV "$RTF" "$attack" "$victim"
	sleep 0.2
	_alive "$victim" || SV=error SOBS="the process died: $SOBS"
	kill -KILL "$victim" 2>/dev/null
	attack_row "the confined runtime: $name" "runtime filter (issue 12.12)"
}
victim_row "kill() of another process of the user's" kill-other
victim_row "tgkill() of another process of the user's" tgkill-other
victim_row "sigqueue() to another process of the user's" sigqueue-other
victim_row "SIGIO by F_SETOWN and F_SETSIG to another process of the user's" fsetown-other

# A limit set on another process: the host reads the victim's limit.
prlimit_verdict() { # VICTIM
	attack_verdict
	if grep -Eq '^Max cpu time +0 ' "/proc/$1/limits"; then
		V=escaped OBS="the other process's CPU time limit is now 0 ($OBS)"
	elif [ "$V" = escaped ]; then
		V=error OBS="the call succeeded but the limit did not change ($OBS)"
	fi
}
bg_user /dev/null /dev/null sleep 300
urun "$RTF" --no-filter prlimit-other "$BG_PID"
prlimit_verdict "$BG_PID"
CV=$V COBS=$OBS
kill -KILL "$BG_PID"
bg_user /dev/null /dev/null sleep 300
urun "$RTF" prlimit-other "$BG_PID"
prlimit_verdict "$BG_PID"
SV=$V SOBS=$OBS
kill -KILL "$BG_PID"
attack_row "the confined runtime: prlimit(RLIMIT_CPU) of another process of the user's" \
	"runtime filter (issue 12.12)"

urun "$RTF" allowed
expect "under its filter the runtime may still signal its child, the sandbox's group and its own threads, stop its own group, ask its terminal for TCGETS, TIOCGPGRP, TIOCSPGRP, set descriptor flags" 0 "allowed: ok"

# A real sandboxed run: the runtime confined (Seccomp: 2) still serves the
# app and passes signals on.
bg_user "$TEST_DIR/catch.out" "$TEST_DIR/catch.err" "$BASE" catch
RT=$BG_PID
if wait_for_line "$TEST_DIR/catch.out" '^waiting' 15 "$RT"; then
	# (the runtime confines itself once the app runs: at once, not before)
	for _ in $(seq 50); do
		SECCOMP=$(awk '/^Seccomp:/ {print $2}' "/proc/$RT/status")
		[ "$SECCOMP" = 2 ] && break
		sleep 0.02
	done
	kill -USR1 "$RT"
	bg_wait "$RT" 10
	OUT=$(cat "$TEST_DIR/catch.out") ERR=$(cat "$TEST_DIR/catch.err") MS='?' LAST_CMD="$BASE catch"
	[ "$SECCOMP" = 2 ] && [ "$RC" = 110 ] && grep -qx "caught 10" <<<"$OUT"
	verdict "a sandboxed app is served by a runtime under its filter (Seccomp: $SECCOMP), which passes SIGUSR1 on (status 110)" 110
else
	bg_wait "$RT" 1
	fail "a sandboxed app is served by a runtime under its filter" "$(cat "$TEST_DIR/catch.err")"
fi

# ---------------------------------------------------------------- the end

print_table
no_leaks "nothing is left behind"
finish
