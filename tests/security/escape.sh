# The sandbox-escape regression suite (issue 3).  Each row runs one attack of
# tests/helpers/escape.c inside the sandbox, where it must be blocked, and
# the same attack in a control run where the hole is open, where it must
# work — so that no row passes by not running:
#   user     natively on the host as uid 65534
#   root     natively as root (for what needs privileges; nothing harmful is
#            done: files are only opened for writing, module and kexec calls
#            get arguments rejected after the privilege check)
#   userns   as uid 65534 in `unshare -Urmu` with a tmpfs scratch mount (the
#            namespace powers a process has without any filter)
#   sandbox  the sandbox, with the permission that opens the hole
# The attack program reports escaped (0), blocked (10) or anything else
# (could not test): anything else fails the row, it never counts as blocked.
# At the end a table: attack | CVE or class | blocked | control escaped.
# A row whose control says the kernel lacks the feature is skipped (n/a).
# Real programs too: bash from the host, xeyes drawing into Xvfb.
# Alone: BENTO_TEST_FILTER=security tests/run BUILD [SAN_BUILD] (the
# sanitizer build's bento repeats a few rows).
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/table.sh"
. "$(dirname "$0")/lib/verdict.sh"

make_test_dir
copy_artifacts
need BUILDER BENTO
need_program ESCAPE_BUILT escape
cd "$TEST_DIR" || exit 1

BIN=$TEST_DIR/bin
IMG=$TEST_DIR/img
SCRATCH=$TEST_DIR/scratch
mkdir -p "$BIN" "$IMG" "$SCRATCH" "$TEST_DIR/appdirs"
cp "$ESCAPE_BUILT" "$BIN/escape"
chmod 0755 "$BIN" "$IMG" "$BIN/escape"
chown "$TEST_UID:$TEST_GID" "$SCRATCH"
ESC=$BIN/escape
MARK=bento-escape-$$-$RANDOM
RUN_TIMEOUT=20

# Where a desktop session keeps its sockets.
XDG_RT=$TEST_DIR/xdg-runtime
mkdir -p "$XDG_RT"
chown "$TEST_UID:$TEST_GID" "$XDG_RT"
chmod 0700 "$XDG_RT"

# ---------------------------------------------------------------- images

# make_image NAME METADATA: an image whose app is the escape program
# (usr/bin/escape; AppRun links to it) with METADATA as .bento/metadata
# (none if empty).  A setuid copy (mode 4755, root-owned in the image) is
# usr/bin/escape-suid; a copy named "--bind" lies at the top.
TEMPLATE=$TEST_DIR/appdirs/template
mkdir -p "$TEMPLATE/usr/bin" "$TEMPLATE/.bento"
cp "$ESC" "$TEMPLATE/usr/bin/escape"
cp "$ESC" "$TEMPLATE/usr/bin/escape-suid"
cp "$ESC" "$TEMPLATE/--bind"
chown "$TEST_UID:$TEST_GID" "$TEMPLATE/usr/bin/escape-suid"
chmod 4755 "$TEMPLATE/usr/bin/escape-suid"
ln -s usr/bin/escape "$TEMPLATE/AppRun"
printf '[Desktop Entry]\nType=Application\nName=Escape\nExec=escape\nIcon=escape\nCategories=Utility;\n' \
	>"$TEMPLATE/escape.desktop"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$TEMPLATE/escape.png"
make_image() {
	local name=$1 md=$2 d=$TEST_DIR/appdirs/$1 out
	cp -a "$TEMPLATE" "$d"
	if [ -n "$md" ]; then
		printf '%s\n' "$md" >"$d/.bento/metadata"
	else
		rmdir "$d/.bento"
	fi
	if ! out=$(SOURCE_DATE_EPOCH=0 "$BUILDER" pack "$d" -o "$IMG/$name.AppImage" 2>&1) ||
		[ ! -x "$IMG/$name.AppImage" ]; then
		fail "pack the $name image" "$out"
		return 1
	fi
}

app() { # NAME [CONTEXT-LINES]: the metadata of app org.example.NAME
	printf '[Application]\nname=org.example.%s\ncommand=usr/bin/escape\n%s' "$1" "${2:-}"
}

make_image base "$(app Escape)" &&
	make_image net "$(app EscapeNet $'\n[Context]\nshared=network;')" &&
	make_image x11 "$(app EscapeX11 $'\n[Context]\nsockets=x11;')" &&
	make_image bus "$(app EscapeBus $'\n[Session Bus Policy]\norg.example.Granted=talk')" &&
	make_image devel "$(app EscapeDevel $'\n[Context]\nfeatures=devel;')" &&
	make_image files "$(app EscapeFiles $'\n[Context]\nfilesystems=~/granted-rw;~/granted-ro:ro;')" &&
	make_image ldpath "$(app EscapeLd $'\n[Context]\nfilesystems=~/work:ro;\n[Environment]\nLD_LIBRARY_PATH=:/app/usr/lib::')" &&
	make_image persist "$(app EscapePersist $'\n[Context]\npersistent=.escape-persist;')" &&
	make_image datalink "$(app EscapeDataLink)" &&
	make_image cfglink "$(app EscapeCfgLink)" &&
	make_image locallink "$(app EscapeLocalLink)" &&
	make_image nestpersist "$(app EscapeNest $'\n[Context]\npersistent=.nest/dir;')" &&
	make_image optcmd "$(printf '[Application]\nname=org.example.EscapeOpt\ncommand=--bind\n')" &&
	make_image plain "" ||
	{
		echo "FAIL: $SCRIPT_NAME: the images could not be made"
		exit 1
	}

# ---------------------------------------------------------------- contexts

# Variables every launch gets (a desktop session's), set below.
SESSION_ENV=()
# Per-row extra variables for the control and the sandboxed run; the ones
# of the run going on (in_ctx adds them).
C_ENV=()
S_ENV=()
ENV_NOW=()

# in_ctx CONTEXT ATTACK ARGS...: runs the attack there (urun/rrun: sets
# RC OUT ERR ...).  "@SCRATCH@" in ARGS becomes the context's scratch
# directory (a mount point where it can be one): /tmp in the sandbox.
# CONTEXT: user | root | userns | sandbox:IMAGE | rootsandbox:IMAGE |
#          bento:IMAGE[:OPTION...] (bento run OPTION... IMAGE) |
#          sanbento:IMAGE[:OPTION...] (the sanitizer build's bento);
#          with "pty+" in front, under a terminal of script(1)'s.
in_ctx() {
	local ctx=$1 scratch=/tmp a opts=() run=urun envs=("${SESSION_ENV[@]}") cmd=() pty=0
	shift
	if [[ $ctx == pty+* ]]; then
		ctx=${ctx#pty+} pty=1
	fi
	case $ctx in
	user | root | userns) scratch=$SCRATCH ;;
	esac
	local args=()
	for a in "$@"; do
		args+=("${a//@SCRATCH@/$scratch}")
	done
	case $ctx in
	root | rootsandbox:*) run=rrun envs=("${ROOT_SESSION_ENV[@]}") ;;
	esac
	case $ctx in
	user | root) cmd=("$ESC") ;;
	userns)
		cmd=(unshare -Urmu sh -c 'mount -t tmpfs scratch "$1" && shift && exec "$@"' sh
			"$SCRATCH" "$ESC")
		;;
	sandbox:* | rootsandbox:*) cmd=("$IMG/${ctx#*sandbox:}.AppImage") ;;
	bento:* | sanbento:*)
		IFS=: read -r -a opts <<<"${ctx#*:}"
		cmd=("$BENTO" run "${opts[@]:1}" "$IMG/${opts[0]}.AppImage")
		[[ $ctx == sanbento:* ]] && cmd[0]=$SAN_BENTO
		;;
	*)
		echo "in_ctx: unknown context $ctx" >&2
		RC=99 OUT="" ERR="unknown context $ctx"
		return
		;;
	esac
	cmd+=("${args[@]}")
	if [ $pty = 1 ]; then
		# (script runs the command with sh -c; -e: its exit status)
		cmd=(script -qec "${cmd[*]@Q}" /dev/null)
	fi
	$run "${envs[@]}" "${ENV_NOW[@]}" "${cmd[@]}"
	[ $pty = 1 ] && OUT=${OUT//$'\r'/}
}

# ---------------------------------------------------------------- rows

# A function run before and after each run of a row (write_check,
# target_check below):
#   $HOSTCHECK reset   before;   $HOSTCHECK check   after: status 0 if
# the host was reached.  HOSTCHECK_ONLY=1: the host decides alone (the
# attack may "succeed" inside the sandbox's own tmpfs).
HOSTCHECK=""
HOSTCHECK_ONLY=0
# REFUSAL_OK=REGEX: the runtime refusing to start with a message matching
# REGEX (lower case) (and the app not running) counts as blocked.
REFUSAL_OK=""

# one_run CONTEXT ENV-ARRAY-NAME ATTACK ARGS...: V and OBS of one run,
# with the host check applied
one_run() {
	local ctx=$1 envname=$2[@]
	shift 2
	ENV_NOW=("${!envname}")
	[ -n "$HOSTCHECK" ] && $HOSTCHECK reset
	in_ctx "$ctx" "$@"
	ENV_NOW=()
	attack_verdict "$REFUSAL_OK"
	if [ -n "$HOSTCHECK" ] && { [ "$V" = escaped ] || [ "$V" = blocked ]; }; then
		if $HOSTCHECK check; then
			V=escaped
			OBS="$HOST_SAW (attack: $OBS)"
		elif [ "$HOSTCHECK_ONLY" = 1 ]; then
			V=blocked
			OBS="nothing reached the host (attack: $OBS)"
		fi
	fi
}

# row NAME CLASS SANDBOX-CONTEXT CONTROL-CONTEXT ATTACK ARGS...
# (C_ENV / S_ENV: variables for the control / the sandboxed run; C_ATTACK:
# the control's ATTACK ARGS when they must differ, e.g. a host path)
C_ATTACK=()
row() {
	local name=$1 class=$2 sctx=$3 cctx=$4
	shift 4
	if [ ${#C_ATTACK[@]} -gt 0 ]; then
		one_run "$cctx" C_ENV "${C_ATTACK[@]}"
	else
		one_run "$cctx" C_ENV "$@"
	fi
	CV=$V COBS="($cctx) $OBS"
	one_run "$sctx" S_ENV "$@"
	SV=$V SOBS="($sctx) $OBS"
	attack_row "$name" "$class"
	C_ENV=() S_ENV=() C_ATTACK=() HOSTCHECK="" HOSTCHECK_ONLY=0 REFUSAL_OK=""
}

# ---------------------------------------------------------------- the host side

give_user() { # PATH...: owned by the test user
	chown -R "$TEST_UID:$TEST_GID" "$@"
}

# Files: a secret in the real home, one outside it, granted directories, a
# library only in ~/work (for the empty LD_LIBRARY_PATH element).
printf '%s\n' "$MARK-home" >"$USER_HOME/secret.txt"
HOSTSECRET=$TEST_DIR/host-secret.txt
printf '%s\n' "$MARK-host" >"$HOSTSECRET"
mkdir -p "$USER_HOME/granted-rw" "$USER_HOME/granted-ro" "$USER_HOME/work" "$TEST_DIR/outside"
PROBE_LIB=libbentoescapeprobe.so
cp /usr/lib/x86_64-linux-gnu/libz.so.1 "$USER_HOME/work/$PROBE_LIB"
# Symbolic links planted where the runtime binds directories from: the
# persistent directory, the app's data directory, a directory inside it.
for t in persist data cfg local nest; do
	mkdir -p "$TEST_DIR/target-$t"
	printf '%s\n' "$MARK-$t" >"$TEST_DIR/target-$t/secret.txt"
done
VAR_APP=$USER_HOME/.var/app
mkdir -p "$VAR_APP/org.example.EscapePersist" "$VAR_APP/org.example.EscapeCfgLink" \
	"$VAR_APP/org.example.EscapeNest"
ln -s "$TEST_DIR/target-persist" "$VAR_APP/org.example.EscapePersist/.escape-persist"
ln -s "$TEST_DIR/target-nest" "$VAR_APP/org.example.EscapeNest/.nest"
ln -s "$TEST_DIR/target-data" "$VAR_APP/org.example.EscapeDataLink"
ln -s "$TEST_DIR/target-cfg" "$VAR_APP/org.example.EscapeCfgLink/config"
give_user "$USER_HOME" "$HOSTSECRET" "$TEST_DIR/outside" "$TEST_DIR"/target-*
chown -h "$TEST_UID:$TEST_GID" "$VAR_APP/org.example.EscapeDataLink" \
	"$VAR_APP/org.example.EscapePersist/.escape-persist" "$VAR_APP/org.example.EscapeCfgLink/config" \
	"$VAR_APP/org.example.EscapeNest/.nest"
# bento hands an app only a data directory it made, or one the user handed
# over (bento trust): the planted ones are handed over, so that the rows
# below test what the runtime does with a symlink in them.
for t in persist datalink cfglink nestpersist; do
	as_user "$BENTO" trust "$IMG/$t.AppImage" >/dev/null ||
		fail "bento trust $t.AppImage (to hand it its planted data directory)"
done

# A setuid-root copy of the escape program, for the user only (it answers
# "euid" and nothing else).
mkdir -p "$TEST_DIR/suid"
cp "$ESC" "$TEST_DIR/suid/escape"
chown root:"$TEST_GID" "$TEST_DIR/suid"
chmod 0750 "$TEST_DIR/suid"
chmod 4755 "$TEST_DIR/suid/escape"

servers=()
# start_server NAME READY-REGEX CMD...: as the user, in the background
start_server() {
	local name=$1 re=$2
	shift 2
	bg_user "$TEST_DIR/$name.out" "$TEST_DIR/$name.err" "$@"
	servers+=("$BG_PID")
	if ! wait_for_line "$TEST_DIR/$name.out" "$re" 15 "$BG_PID"; then
		fail "start $name" "$(cat "$TEST_DIR/$name.out" "$TEST_DIR/$name.err" 2>/dev/null)"
		return 1
	fi
}

# A process of the user's on the host, recognised by its command line.
start_server marker '^started$' bash -c 'echo started; exec -a "$0" sleep 300' "$MARK-hostproc"
REV_MARK=$(rev <<<"$MARK-hostproc")
# TCP on the host's loopback, an abstract UNIX socket.
start_server tcp '^[0-9]+$' "$ESC" serve-tcp
PORT=$(head -n 1 "$TEST_DIR/tcp.out")
ABSTRACT=$MARK-abstract
start_server abstract '^ready$' "$ESC" serve-abstract "$ABSTRACT"
# An X server.
mkdir -p /tmp/.X11-unix
chmod 1777 /tmp/.X11-unix
DNUM=""
if start_server xvfb '^[0-9]+$' Xvfb -displayfd 1 -nolisten tcp -br -screen 0 320x240x24; then
	DNUM=$(head -n 1 "$TEST_DIR/xvfb.out")
fi
XSOCK=/tmp/.X11-unix/X$DNUM
# A session bus with a service owning two names.
mkdir -p "$TEST_DIR/hostbus"
chown "$TEST_UID:$TEST_GID" "$TEST_DIR/hostbus"
HOSTBUS=$TEST_DIR/hostbus/bus
BUS_ADDR=unix:path=$HOSTBUS
start_server bus '^unix:' dbus-daemon --session --nofork --nopidfile --address="$BUS_ADDR" \
	--print-address=1 &&
	start_server service '^ready$' DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR" /usr/bin/python3 -c '
from gi.repository import Gio, GLib
names = ["org.example.Granted", "org.example.Secret"]
owned = set()
loop = GLib.MainLoop()
def acquired(conn, name):
    owned.add(name)
    if len(owned) == len(names):
        print("ready", flush=True)
def lost(conn, name):
    print("lost", name, flush=True)
    loop.quit()
for n in names:
    Gio.bus_own_name(Gio.BusType.SESSION, n, Gio.BusNameOwnerFlags.NONE, None, acquired, lost)
loop.run()
'

SESSION_ENV=(XDG_RUNTIME_DIR="$XDG_RT" DISPLAY=":$DNUM" DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR")
mkdir -p "$TEST_DIR/xdg-root"
chmod 0700 "$TEST_DIR/xdg-root"
ROOT_SESSION_ENV=(XDG_RUNTIME_DIR="$TEST_DIR/xdg-root")

SAN_BENTO=""
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	SAN_BENTO=$BIN/bento-san
	cp "$BENTO_SAN_BUILD/runtime/cli/bento" "$SAN_BENTO"
	chmod 0755 "$SAN_BENTO"
fi

# Host checks (see HOSTCHECK).
HOST_SAW=""
WRITE_TARGETS=()
write_check() {
	local f
	case $1 in
	reset) rm -f "${WRITE_TARGETS[@]}" ;;
	check)
		for f in "${WRITE_TARGETS[@]}"; do
			if grep -qs -- "$MARK-w" "$f"; then
				HOST_SAW="$f was written on the host"
				return 0
			fi
		done
		return 1
		;;
	esac
}
SYMLINK_TARGET=""
target_check() {
	local l
	case $1 in
	reset) find "$SYMLINK_TARGET" -mindepth 1 -not -name secret.txt -exec rm -rf {} + 2>/dev/null ;;
	check)
		l=$(ls -A "$SYMLINK_TARGET" | tr '\n' ' ')
		if [ "$l" != "secret.txt " ]; then
			HOST_SAW="the host directory behind the symbolic link now holds: $l"
			return 0
		fi
		return 1
		;;
	esac
}

# The harness itself: a run that does not even start is no "blocked".
in_ctx sandbox:no-such-image tcp "$PORT"
attack_verdict
[ "$V" = error ]
ok "a launch that fails is counted as an error, not as blocked (harness self-check)" "$V: $OBS"

# ---------------------------------------------------------------- terminals

row "TIOCSTI into the terminal" "CVE-2017-5226" sandbox:base root tiocsti
row "TIOCSTI with high bits set" "CVE-2019-10063" sandbox:base root tiocsti-high
row "TIOCLINUX (selection paste)" "CVE-2023-28100" sandbox:base root tioclinux
row "TIOCLINUX with high bits set" "CVE-2023-28100" sandbox:base root tioclinux-high
row "TIOCSTI into the terminal the app was started from" "CVE-2017-5226" \
	pty+sandbox:base pty+user tiocsti-tty

# ---------------------------------------------------------------- mounts, namespaces

row "mount(2) a tmpfs" "CVE-2021-41133 (mount)" sandbox:base userns mount @SCRATCH@
row "umount2 a mount" "CVE-2021-41133 (mount)" sandbox:base userns umount2 @SCRATCH@
row "pivot_root" "CVE-2021-41133 (mount)" sandbox:base userns pivot_root @SCRATCH@
row "chroot" "CVE-2021-41133 (mount)" sandbox:base userns chroot
row "fsopen + fsmount + move_mount" "CVE-2021-41133 (mount API)" sandbox:base userns fsmount @SCRATCH@
row "open_tree(OPEN_TREE_CLONE)" "CVE-2021-41133 (mount API)" sandbox:base userns open_tree @SCRATCH@
row "fspick + reconfigure" "CVE-2021-41133 (mount API)" sandbox:base userns fspick @SCRATCH@
row "mount_setattr" "CVE-2021-41133 (mount API)" sandbox:base userns mount_setattr @SCRATCH@
row "clone3(CLONE_NEWUSER)" "clone3 flag-filter bypass" sandbox:base user clone3
row "clone(CLONE_NEWUSER)" "nested user namespace" sandbox:base user clone-newuser
row "unshare(CLONE_NEWUSER)" "nested user namespace" sandbox:base user unshare
row "setns into a namespace" "namespace switch" sandbox:base userns setns

# ---------------------------------------------------------------- processes

row "see a host process" "PID namespace" sandbox:base user hostproc "$REV_MARK"
row "see the runtime or any process but PID 1 and the app" "PID namespace" sandbox:base user procs
row "a host file through /proc/*/root" "CVE-2019-5736 class" sandbox:base user procroot "$HOSTSECRET"
EXES=()
for f in "$IMG/base.AppImage" "$BENTO" "$ESC"; do
	EXES+=("$(stat -c %d:%i "$f")")
done
row "a host executable through /proc/*/exe" "CVE-2019-5736 class" sandbox:base user procexe "${EXES[@]}"
row "ptrace a process" "ptrace (features=devel)" sandbox:base sandbox:devel ptrace
row "see a host process (bento run --sandbox, plain AppImage)" "PID namespace" \
	bento:plain:--sandbox bento:plain hostproc "$REV_MARK"

# ---------------------------------------------------------------- kernel interfaces

row "keyctl" "kernel keyring" sandbox:base user keyctl
row "add_key" "kernel keyring" sandbox:base user add_key
row "bpf(BPF_MAP_CREATE)" "bpf" sandbox:base root bpf
row "perf_event_open" "perf (features=devel)" sandbox:base sandbox:devel perf
row "init_module" "kernel modules" sandbox:base root init_module
row "kexec_load" "kexec" sandbox:base root kexec_load
row "personality(ADDR_NO_RANDOMIZE)" "personality (features=devel)" sandbox:base sandbox:devel personality
row "socket(AF_VSOCK, AF_PACKET, ...)" "socket families" sandbox:base root socket-af
row "32-bit unshare(CLONE_NEWUSER)" "ia32 syscall table" sandbox:base user ia32-unshare
row "32-bit keyctl" "ia32 syscall table" sandbox:base user ia32-keyctl
row "32-bit TIOCSTI" "ia32 syscall table" sandbox:base root ia32-tiocsti

# ---------------------------------------------------------------- files

row "read an ungranted file in the home" "filesystem isolation" \
	sandbox:base user read "$MARK-home" "$USER_HOME/secret.txt"
row "read an ungranted file in the home (~/granted-* granted)" "filesystem isolation" \
	sandbox:files user read "$MARK-home" "$USER_HOME/secret.txt"
row "read an ungranted file outside the home" "filesystem isolation" \
	sandbox:base user read "$MARK-host" "$HOSTSECRET"
WRITE_TARGETS=("$USER_HOME/written.txt")
HOSTCHECK=write_check HOSTCHECK_ONLY=1
row "write into the home (not granted)" "filesystem isolation" \
	sandbox:files user write "$MARK-w" "${WRITE_TARGETS[@]}"
WRITE_TARGETS=("$USER_HOME/granted-ro/written.txt")
HOSTCHECK=write_check HOSTCHECK_ONLY=1
row "write into a read-only grant (~/granted-ro:ro)" "filesystem isolation" \
	sandbox:files user write "$MARK-w" "${WRITE_TARGETS[@]}"
WRITE_TARGETS=("$TEST_DIR/outside/written.txt")
HOSTCHECK=write_check HOSTCHECK_ONLY=1
row "write outside the home (not granted)" "filesystem isolation" \
	sandbox:files user write "$MARK-w" "${WRITE_TARGETS[@]}"
# The write attack does write where it may: a granted directory.
WRITE_TARGETS=("$USER_HOME/granted-rw/written.txt")
write_check reset
in_ctx sandbox:files write "$MARK-w" "${WRITE_TARGETS[@]}"
write_check check
verdict "a file written in a granted directory (~/granted-rw) reaches the host"

SYMLINK_TARGET=$TEST_DIR/target-persist HOSTCHECK=target_check REFUSAL_OK='symbolic link|symlink'
row "persistent directory planted as a symlink to a host directory" "CVE-2024-42472 class" \
	sandbox:persist user read "$MARK-persist" "$USER_HOME/.escape-persist/secret.txt" \
	"$VAR_APP/org.example.EscapePersist/.escape-persist/secret.txt"
SYMLINK_TARGET=$TEST_DIR/target-data HOSTCHECK=target_check REFUSAL_OK='symbolic link|symlink'
row "app data directory planted as a symlink to a host directory" "CVE-2024-42472 class" \
	sandbox:datalink user read "$MARK-data" "$VAR_APP/org.example.EscapeDataLink/secret.txt"
SYMLINK_TARGET=$TEST_DIR/target-cfg HOSTCHECK=target_check REFUSAL_OK='symbolic link|symlink'
row "app config directory planted as a symlink to a host directory" "CVE-2024-42472 class" \
	sandbox:cfglink user read "$MARK-cfg" "$VAR_APP/org.example.EscapeCfgLink/config/secret.txt"
SYMLINK_TARGET=$TEST_DIR/target-nest HOSTCHECK=target_check REFUSAL_OK='symbolic link|symlink'
row "parent of a persistent directory planted as a symlink (persistent=.nest/dir)" \
	"CVE-2024-42472 class" sandbox:nestpersist user read "$MARK-nest" \
	"$USER_HOME/.nest/secret.txt" "$VAR_APP/org.example.EscapeNest/.nest/secret.txt"
# The app itself plants one: its data directory is its own to write, a
# symbolic link in place of ~/.var/app/APPID/.local (where the runtime makes
# .local/state for XDG_STATE_HOME) must not lead the next launch to the host.
in_ctx sandbox:locallink exec sh -c 'rm -rf "$1/.local" && ln -s "$2" "$1/.local"' sh \
	"$VAR_APP/org.example.EscapeLocalLink" "$TEST_DIR/target-local"
[ "$RC" = 0 ] && [ -L "$VAR_APP/org.example.EscapeLocalLink/.local" ]
verdict "the app plants a symbolic link in its data directory (.local -> a host directory)" 0
SYMLINK_TARGET=$TEST_DIR/target-local HOSTCHECK=target_check REFUSAL_OK='symbolic link|symlink'
row "app-planted symlink in its data directory (.local)" "CVE-2024-42472 class" \
	sandbox:locallink user read "$MARK-local" "$VAR_APP/org.example.EscapeLocalLink/.local/secret.txt"

# ---------------------------------------------------------------- network

row "TCP to a server on the host's loopback" "network isolation" sandbox:base sandbox:net tcp "$PORT"
row "a host abstract UNIX socket" "network isolation" \
	sandbox:base bento:base:--share=network abstract "$ABSTRACT" greeting
row "TCP with --unshare=network over shared=network" "per-run permission" \
	bento:net:--unshare=network sandbox:net tcp "$PORT"

# ---------------------------------------------------------------- X11, D-Bus

row "the X11 socket without sockets=x11" "X11 isolation" sandbox:base sandbox:x11 unixpath "$XSOCK"
row "the X11 socket with --nosocket=x11" "per-run permission" \
	bento:x11:--nosocket=x11 sandbox:x11 unixpath "$XSOCK"
row "the X server's abstract socket" "X11 isolation" sandbox:base user abstract "$XSOCK"
C_ATTACK=(dbus org.example.Granted)
row "call a session-bus name not granted" "D-Bus filtering" sandbox:bus sandbox:bus dbus org.example.Secret
row "call a session-bus name without any bus permission" "D-Bus filtering" \
	sandbox:base sandbox:bus dbus org.example.Granted
row "the host's session bus socket, bypassing the proxy" "D-Bus filtering" \
	sandbox:bus user unixpath "$HOSTBUS"
# The attack does reach a name where the whole bus is granted.
in_ctx bento:bus:--socket=session-bus dbus org.example.Secret
attack_verdict
[ "$V" = escaped ]
ok "with --socket=session-bus any name on the bus can be called" "$V: $OBS"

# ---------------------------------------------------------------- arguments, environment

ARGS=(--bind / /tmp -- --bento-no-sandbox --appimage-extract)
row "option-like app arguments after the first" "CVE-2024-32462 class" \
	sandbox:base user argcheck ${#ARGS[@]} "${ARGS[@]}"
row "option-like app arguments after the first (bento run)" "CVE-2024-32462 class" \
	bento:base user argcheck ${#ARGS[@]} "${ARGS[@]}"
row "a command that looks like an option (command=--bind)" "CVE-2024-32462 class" \
	sandbox:optcmd user argcheck ${#ARGS[@]} "${ARGS[@]}"
C_ENV=(LD_PRELOAD=/nonexistent/libbento-escape.so LD_LIBRARY_PATH=/nonexistent/bento-escape-libs)
S_ENV=("${C_ENV[@]}")
row "the host's LD_PRELOAD and LD_LIBRARY_PATH" "environment injection" sandbox:base user env-ld bento-escape
cd "$USER_HOME/work" || exit 1
C_ENV=(LD_LIBRARY_PATH=:/nonexistent::)
row "an empty LD_LIBRARY_PATH element as the working directory" "CVE-2020-27348 class" \
	sandbox:ldpath user ldpath "$PROBE_LIB"
cd "$TEST_DIR" || exit 1

# ---------------------------------------------------------------- privileges

C_ATTACK=(suid "$TEST_DIR/suid/escape")
row "a setuid-root program in the image" "setuid" sandbox:base user suid /app/usr/bin/escape-suid
row "/proc/sysrq-trigger (app started by root)" "host kernel control" \
	rootsandbox:base root openw /proc/sysrq-trigger
row "/proc/sys (app started by root)" "host kernel control" \
	rootsandbox:base root openw /proc/sys/kernel/core_pattern /proc/sys/vm/drop_caches
row "/sys (app started by root)" "host kernel control" \
	rootsandbox:base root openw /sys/kernel/mm/ksm/run /sys/kernel/profiling /sys/power/state \
	/sys/devices/system/cpu/cpu1/online /sys/class/net/lo/mtu

# ---------------------------------------------------------------- the sanitizer build

if [ -n "$SAN_BENTO" ]; then
	row "option-like app arguments after the first (sanitizer build)" "CVE-2024-32462 class" \
		sanbento:base user argcheck ${#ARGS[@]} "${ARGS[@]}"
	row "see a host process (sanitizer build, --sandbox)" "PID namespace" \
		sanbento:plain:--sandbox sanbento:plain hostproc "$REV_MARK"
	row "TCP to the host's loopback (sanitizer build)" "network isolation" \
		sanbento:base sandbox:net tcp "$PORT"
fi

# ---------------------------------------------------------------- real programs

# bash from the host, inside the sandbox
urun "${SESSION_ENV[@]}" "$IMG/base.AppImage" exec bash -c \
	'echo "bash $BASH_VERSION"; [ -e /.flatpak-info ] && [ "$container" = bento ] && echo confined'
[ "$RC" = 0 ] && grep -q '^bash [0-9]' <<<"$OUT" && grep -qx confined <<<"$OUT"
verdict "bash from the host runs in the sandbox" 0

# colours IMAGE: how many colours a screenshot of the X server has
colours() {
	as_user DISPLAY=":$DNUM" xwd -root -silent >"$TEST_DIR/$1.xwd" 2>/dev/null &&
		identify -format '%k' "$TEST_DIR/$1.xwd" 2>/dev/null
}
# X11: xeyes (Debian's x11-apps) draws into Xvfb with sockets=x11, cannot
# connect without it.  The screen starts black (-br): one colour.
if [ -n "$DNUM" ]; then
	blank=$(colours blank)
	[ "$blank" = 1 ]
	ok "the X screen is blank before xeyes starts (a screenshot has one colour)" "colours: $blank"
	bg_user "$TEST_DIR/xeyes.out" "$TEST_DIR/xeyes.err" "${SESSION_ENV[@]}" "$IMG/x11.AppImage" exec xeyes
	xeyes_pid=$BG_PID
	drawn=""
	deadline=$(($(now_ms) + 15000))
	while [ "$(now_ms)" -lt $deadline ] && _alive "$xeyes_pid"; do
		if as_user DISPLAY=":$DNUM" xwininfo -root -tree 2>/dev/null | grep -q '"xeyes"'; then
			sleep 0.5 # let it draw
			drawn=$(colours xeyes)
			break
		fi
		sleep 0.1
	done
	kill -TERM "$xeyes_pid" 2>/dev/null
	bg_wait "$xeyes_pid" 10
	control=no
	[ -n "$drawn" ] && [ "$drawn" -gt 1 ] && control=yes
	# (the display named explicitly: the sandbox may well unset DISPLAY)
	RUN_TIMEOUT=10 urun "${SESSION_ENV[@]}" "$IMG/base.AppImage" exec xeyes -display ":$DNUM"
	blocked=NO
	[ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q "Can't open display" <<<"$ERR" && blocked=yes
	record "an X11 program (xeyes) without sockets=x11" "X11 isolation" "$blocked" "$control" \
		"without: exit status $RC, $(head -n 1 <<<"$ERR"); with sockets=x11: screenshot colours ${drawn:-none} (xeyes stderr: $(head -c 200 "$TEST_DIR/xeyes.err"))"
else
	record "an X11 program (xeyes) without sockets=x11" "X11 isolation" ERROR no "Xvfb did not start"
fi

# ---------------------------------------------------------------- the end

for p in "${servers[@]}"; do
	kill -TERM "$p" 2>/dev/null
done
for p in "${servers[@]}"; do
	bg_wait "$p" 5
done
print_table
no_leaks "nothing is left behind"
finish
