# Signals sent to the runtime reach the app; the runtime's status tells how
# the app ended: its exit status, or 128+N when signal N ended it.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG

# finish_run: wait for the runtime, read its output
finish_run() {
	bg_wait "$RT" 10
	OUT=$(cat "$OUT_FILE") ERR=$(cat "$ERR_FILE") MS='?'
}

signum() {
	kill -l "$1"
}

# Forwarded: the app catches the signal and exits with 100+N.
# reaches_app SIG NAME [VAR=VALUE...]: SIG sent to the runtime of a hello
# that catches it makes hello exit with 100+N.
reaches_app() {
	local sig=$1 name=$2 n
	shift 2
	n=$(signum "$sig")
	if start_hello "$@" HELLO_CATCH=1; then
		kill -s "$sig" "$RT"
		finish_run
		[ "$RC" = $((100 + n)) ] && grep -qx "caught $n" <<<"$OUT"
		verdict "$name" $((100 + n))
	else
		fail "$name" "$(describe_run)"
	fi
}
for sig in INT TERM HUP QUIT USR1 USR2; do
	reaches_app $sig "SIG$sig to the runtime reaches the app (caught, status $((100 + $(signum $sig))))"
done

# The same through the other strategies
for strategy in fusermount extract; do
	reaches_app USR1 "[$strategy] SIGUSR1 to the runtime reaches the app" BENTO_STRATEGY=$strategy
done

# Death by signal: 128+N.  dies_of SIG WHO: WHO (RT or APP) gets SIG.
dies_of() {
	local sig=$1 who=$2 n name
	n=$(signum "$sig")
	if [ "$who" = RT ]; then
		name="SIG$sig to the runtime, not caught: status $((128 + n))"
	else
		name="SIG$sig to the app itself: status $((128 + n))"
	fi
	if start_hello; then
		kill -s "$sig" "${!who}"
		finish_run
		[ "$RC" = $((128 + n)) ]
		verdict "$name" $((128 + n))
	else
		fail "$name" "$(describe_run)"
	fi
}
for sig in TERM INT HUP USR1; do
	dies_of $sig RT
done
for sig in KILL TERM; do
	dies_of $sig APP
done

# A signal to the runtime of a normally ending app changes nothing: SIGCHLD,
# SIGWINCH are not forwarded as deaths.
if start_hello; then
	kill -s WINCH "$RT"
	kill -s CHLD "$RT"
	sleep 0.2
	_alive "$RT" && _alive "$APP"
	ok "SIGWINCH and SIGCHLD to the runtime do not end the launch"
	kill -s TERM "$RT"
	finish_run
else
	fail "SIGWINCH and SIGCHLD to the runtime do not end the launch" "$(describe_run)"
fi

no_leaks "nothing left"
finish
