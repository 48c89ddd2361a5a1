# The sandbox: what an app with .bento/metadata sees and may do, how its
# permissions, the user's override and a run's options open holes, and that
# the run still behaves like a plain launch (arguments, status, signals,
# nothing left behind).  The escape attempts are in tests/security.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER APPIMG BENTO

# A "shell" app: its AppRun runs its arguments, so each check asks the
# sandbox a question with ordinary tools from the host's /usr.
make_shell_app() { # DIR METADATA
	rm -rf "$1"
	mkdir -p "$1/.bento" "$1/usr/share"
	printf '#!/bin/sh\nexec "$@"\n' >"$1/AppRun"
	chmod 0755 "$1/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=Probe\nExec=AppRun\nIcon=probe\nCategories=Utility;\n' >"$1/probe.desktop"
	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$1/probe.svg"
	echo image-file >"$1/usr/share/marker"
	printf '%s' "$2" >"$1/.bento/metadata"
}
make_shell_app probe.AppDir '[Application]
name=org.bento.Probe
command=AppRun

[Context]
persistent=.probe-state

[Environment]
PROBE_VAR=from-metadata
LD_LIBRARY_PATH=:/app/lib::relative
'
"$BUILDER" pack probe.AppDir -o probe.AppImage >/dev/null 2>&1 &&
	chmod 0755 probe.AppImage
check "a metadata-bearing probe image is packed" test -x probe.AppImage
P=./probe.AppImage

# ---- what the app sees --------------------------------------------------

urun $P sh -c 'cat /app/usr/share/marker; echo $container; cat /proc/1/comm >/dev/null && echo pid1; echo $$'
expect "the image is /app, container=bento, the app is PID 2 under a PID 1 of its own" 0 $'image-file\nbento\npid1\n2'

urun $P sh -c 'ps -e -o pid= | wc -l'
[ "$RC" = 0 ] && [ "$OUT" -le 4 ]; verdict "only the sandbox's processes are visible (got $OUT)" 0

urun $P sh -c 'id -un; id -u; grep -c . /etc/passwd'
expect "/etc/passwd is generated: the user only" 0 $'nobody\n65534\n1'

urun $P sh -c 'test -e /etc/shadow && echo shadow; test -e /etc/hostname && echo hostname; test -e /etc/ld.so.cache && echo ldcache'
[ "$OUT" = ldcache ]; verdict "/etc holds what programs need, not the host's secrets" 0

echo "host secret" >"$USER_HOME/secret.txt"
chown "$TEST_UID:$TEST_GID" "$USER_HOME/secret.txt"
urun $P sh -c 'ls -A "$HOME"; cat "$HOME/secret.txt"'
[ "$RC" != 0 ] && [ "$OUT" = $'.probe-state\n.var' ]
verdict "HOME is empty but for .var and the persistent directory: a file of the real home is not there"

urun $P sh -c 'echo "$XDG_CONFIG_HOME $XDG_DATA_HOME $XDG_CACHE_HOME $XDG_STATE_HOME"; echo kept >"$XDG_CONFIG_HOME/settings"'
[ "$RC" = 0 ] && [ "$OUT" = "$USER_HOME/.var/app/org.bento.Probe/config $USER_HOME/.var/app/org.bento.Probe/data $USER_HOME/.var/app/org.bento.Probe/cache $USER_HOME/.var/app/org.bento.Probe/.local/state" ] &&
	[ "$(cat "$USER_HOME/.var/app/org.bento.Probe/config/settings")" = kept ]
verdict "XDG_*_HOME point into ~/.var/app/APPID, kept on the host" 0

urun $P sh -c 'echo x >/app/new; echo x >/usr/new; echo x >/new; echo x >"$HOME/new"; echo x >/tmp/new && echo tmp-ok'
[ "$OUT" = tmp-ok ] && [ ! -e "$USER_HOME/new" ]
verdict "/app, /usr, / and HOME are read-only; /tmp is writable" 0

touch "$USER_TMP/host-tmp-file" /tmp/bento-sandbox-host-tmp.$$
on_exit "rm -f /tmp/bento-sandbox-host-tmp.$$"
urun $P sh -c "ls /tmp/bento-sandbox-host-tmp.$$ $USER_TMP/host-tmp-file"
[ "$RC" != 0 ]; verdict "/tmp is private: the host's files in /tmp and TMPDIR are not there"

urun $P sh -c 'ls /dev | tr "\n" " "'
[ "$OUT" = "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
verdict "/dev is minimal: $OUT"

urun $P sh -c 'echo $PROBE_VAR; echo "$LD_LIBRARY_PATH"'
[ "$OUT" = $'from-metadata\n/app/lib' ]
verdict "[Environment] is applied; empty and relative LD_LIBRARY_PATH elements are dropped" 0

urun LD_PRELOAD=/nonexistent.so LD_LIBRARY_PATH=/host/lib PYTHONPATH=/x $P sh -c 'env | grep -E "^(LD_PRELOAD|PYTHONPATH)=|^LD_LIBRARY_PATH=/host" | wc -l'
[ "$OUT" = 0 ]; verdict "the host's LD_PRELOAD, LD_LIBRARY_PATH and PYTHONPATH do not reach the app" 0

urun $P sh -c 'grep -E "^(name|app-path)=" /.flatpak-info'
[ "$OUT" = $'name=org.bento.Probe\napp-path=/app' ]; verdict "/.flatpak-info names the app" 0

urun $P sh -c 'grep -E "^(NoNewPrivs|Seccomp|CapEff|CapBnd):" /proc/self/status | tr -s "\t" " "'
[ "$OUT" = $'CapEff: 0000000000000000\nCapBnd: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2' ]
verdict "no capabilities, empty bounding set, no_new_privs, seccomp filter" 0

urun $P sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ip -o link show lo 2>/dev/null | grep -o "<[A-Z,_]*>"'
[ "$RC" = 0 ] && [[ $OUT == lo$'\n'"<"*UP*">" ]]; verdict "a network namespace of its own with only lo, up" 0

# ---- permissions --------------------------------------------------------

mkdir -p "$USER_HOME/Docs" && echo doc >"$USER_HOME/Docs/a.txt"
chown -R "$TEST_UID:$TEST_GID" "$USER_HOME/Docs"
urun "$TEST_DIR/bento" run --filesystem='~/Docs:ro' $P sh -c 'cat ~/Docs/a.txt; echo x >~/Docs/b.txt || echo ro'
[ "$OUT" = $'doc\nro' ] && [ ! -e "$USER_HOME/Docs/b.txt" ]
verdict "--filesystem=~/Docs:ro: readable, not writable" 0

urun "$TEST_DIR/bento" run --filesystem='~/Docs' $P sh -c 'echo new >~/Docs/b.txt && cat ~/Docs/b.txt'
[ "$OUT" = new ] && [ "$(cat "$USER_HOME/Docs/b.txt")" = new ]
verdict "--filesystem=~/Docs: writable, the file lands on the host" 0

urun "$TEST_DIR/bento" run --filesystem=home --nofilesystem=home $P sh -c 'cat ~/secret.txt'
[ "$RC" != 0 ]; verdict "--nofilesystem after --filesystem revokes the grant"

urun "$TEST_DIR/bento" run --filesystem=home $P sh -c 'cat ~/secret.txt; ls ~/.var/app'
[ "$OUT" = $'host secret\norg.bento.Probe' ]; verdict "--filesystem=home shows the real home" 0

urun $P sh -c 'echo state >~/.probe-state/s && cat ~/.probe-state/s'
[ "$OUT" = state ] && [ "$(cat "$USER_HOME/.var/app/org.bento.Probe/.probe-state/s")" = state ]
verdict "persistent=.probe-state: ~/.probe-state is kept in ~/.var/app/APPID" 0

urun "$TEST_DIR/bento" override org.bento.Probe --filesystem='~/Docs:ro'
urun $P sh -c 'cat ~/Docs/a.txt'
[ "$OUT" = doc ]; verdict "bento override APPID --filesystem=... applies to the next runs" 0
urun "$TEST_DIR/bento" override --reset org.bento.Probe
urun $P sh -c 'cat ~/Docs/a.txt'
[ "$RC" != 0 ]; verdict "bento override --reset takes it back"

# ---- launching ----------------------------------------------------------

urun $P sh -c 'exit 42'
[ "$RC" = 42 ]; verdict "the app's exit status comes back through PID 1" 42
urun $P sh -c 'kill -SEGV $$'
[ "$RC" = 139 ]; verdict "death by signal 11 gives 139" 139
urun $P sh -c 'cd; pwd'
[ "$OUT" = "$USER_HOME" ]; verdict "the app may cd to HOME" 0
cd "$USER_TMP" && urun "$TEST_DIR/probe.AppImage" pwd
cd "$TEST_DIR" && [ "$OUT" = "$USER_HOME" ]
verdict "the app starts in HOME when the working directory is not in its sandbox" 0
urun "$TEST_DIR/bento" run --filesystem="$TEST_DIR" $P pwd
[ "$OUT" = "$TEST_DIR" ]; verdict "the app starts in the working directory when it is granted" 0

urun $P sh -c 'echo "$0" "$@"' x --bento-no-sandbox -- --bind / /
[ "$OUT" = "x --bento-no-sandbox -- --bind / /" ]
verdict "arguments after the first reach the app untouched" 0

urun ./"$b" a b
expect "a plain AppImage still runs unconfined" 0 "$(hello_out a b)"
urun "$TEST_DIR/bento" run --sandbox ./"$b" a b
expect "bento run --sandbox runs a plain AppImage in the sandbox" 0 "$(hello_out a b)"

urun $P --bento-no-sandbox sh -c 'cat "$HOME/secret.txt"'
[ "$RC" = 0 ] && [ "$OUT" = "host secret" ] && [[ $ERR == *"without its sandbox"* ]]
verdict "--bento-no-sandbox runs it unconfined, with a warning" 0

urun BENTO_STRATEGY=extract $P sh -c 'cat /app/usr/share/marker; grep -c . /etc/passwd'
expect "with the extract strategy the extracted image is /app in the same sandbox" 0 $'image-file\n1'

# The runtime, which parses the image, confines itself once the app runs.
bg_user "$TEST_DIR/conf.out" "$TEST_DIR/conf.err" $P sh -c 'echo started; sleep 30'
wait_for_line "$TEST_DIR/conf.out" '^started$' 10 "$BG_PID"
seccomp=$(sed -n 's/^Seccomp:\t*//p' /proc/"$BG_PID"/status)
if grep -q asan "$TEST_DIR/bento-runtime" 2>/dev/null || grep -q __asan_init "$TEST_DIR/bento" 2>/dev/null; then
	skip "the serving runtime runs under a seccomp allowlist" "AddressSanitizer build: the leak checker needs ptrace, so the runtime does not confine itself"
else
	[ "$seccomp" = 2 ]; ok "the serving runtime runs under a seccomp allowlist (Seccomp: $seccomp)"
fi
kill -TERM "$BG_PID"
wait_gone "$BG_PID" 10
! kill -0 "$BG_PID" 2>/dev/null; ok "SIGTERM to the runtime ends the sandboxed app"
no_leaks "sandboxed runs leave nothing behind"

# ---- where user namespaces are refused -----------------------------------

if [ -n "$RESTRICT" ]; then
	AS_USER_PREFIX=("$RESTRICT" --no-userns --)
	urun $P true
	[ "$RC" = 127 ] && [[ $ERR == *"cannot start org.bento.Probe in its sandbox"* ]] &&
		[[ $ERR == *"--bento-no-sandbox"* ]]
	verdict "user namespaces refused: the app does not start, the message names the cause and the way out" 127
	urun $P --bento-no-sandbox sh -c 'echo unconfined'
	[ "$RC" = 0 ] && [ "$OUT" = unconfined ] && [[ $ERR == *warning* ]]
	verdict "user namespaces refused: --bento-no-sandbox runs it, with a warning" 0
	# FUSE unusable, user namespaces fine: the image is extracted and
	# bound at /app of the same sandbox.
	AS_USER_PREFIX=("$RESTRICT" --no-fuse --)
	urun BENTO_DEBUG=1 $P sh -c 'cat /app/usr/share/marker; echo $$'
	[ "$RC" = 0 ] && [ "$OUT" = $'image-file\n2' ] && [[ $ERR == *"strategy: extract"* ]]
	verdict "FUSE unusable: the sandboxed app runs from the extracted image by itself" 0
	AS_USER_PREFIX=()
else
	fail "tests/restrict is not built: cannot test a system that refuses user namespaces"
fi
no_leaks "nothing left behind"

# ---- the same paths under AddressSanitizer and UBSan ---------------------

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	mkdir -p san && chown "$TEST_UID:$TEST_GID" san
	copy_artifacts "$BENTO_SAN_BUILD" "$TEST_DIR/san"
	if [ -n "$RUNTIME" ] && [ -n "$BENTO" ]; then
		"$BUILDER" pack --runtime "$RUNTIME" probe.AppDir -o san/probe.AppImage >/dev/null 2>&1
		chmod 0755 san/probe.AppImage
		S=./san/probe.AppImage
		# (the same app id as the release build's probe.AppImage, another
		# file: the user hands the id to it, with the sanitized bento)
		urun "$BENTO" trust $S
		[ "$RC" = 0 ]
		verdict "[sanitizers] bento trust hands org.bento.Probe to the sanitized file" 0
		urun $S sh -c 'cat /app/usr/share/marker; echo $$; id -u; exit 3'
		expect "[sanitizers] a sandboxed run, its status through PID 1" 3 $'image-file\n2\n65534'
		urun "$TEST_DIR/san/bento" run --filesystem='~/Docs:ro' --share=network $S sh -c 'cat ~/Docs/a.txt'
		expect "[sanitizers] bento run with permission options" 0 doc
		urun "$TEST_DIR/san/bento" info $S
		[ "$RC" = 0 ] && [[ $OUT == *org.bento.Probe* ]]; verdict "[sanitizers] bento info of a sandboxed app" 0
		urun BENTO_STRATEGY=extract $S true
		[ "$RC" = 0 ]; verdict "[sanitizers] the extract strategy in the sandbox" 0
		AS_USER_PREFIX=("$RESTRICT" --no-userns --)
		urun $S true
		[ "$RC" = 127 ]; verdict "[sanitizers] user namespaces refused: the app does not start" 127
		AS_USER_PREFIX=()
	else
		fail "[sanitizers] no bento-runtime or bento in $BENTO_SAN_BUILD"
	fi
	no_leaks "[sanitizers] nothing left behind"
fi
finish
