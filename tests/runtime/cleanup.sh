# Nothing is left behind — no mount in the host's mount table, no process of
# the launch, no temporary directory — after a normal exit, SIGTERM to the
# runtime, SIGKILL to the app and SIGKILL to the runtime, for each strategy.
# The userns strategy's mount is invisible to the host while the app runs.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG

# killed_cleanly SIG WHO STATUS LABEL: send SIG to WHO (RT or APP) of the
# launch start_hello made; the runtime ends with STATUS and leaves nothing.
killed_cleanly() {
	kill -s "$1" "${!2}"
	bg_wait "$RT" 10
	[ "$RC" = "$3" ]
	ok "$s $4: status $3" "status $RC"
	LEAK_WAIT=1 no_leaks "$s $4: nothing left" "$PROCS"
}

for strategy in userns fusermount extract; do
	s="[$strategy]"
	urun BENTO_STRATEGY=$strategy ./"$b" x
	[ "$RC" = 0 ]
	verdict "$s normal exit: runs" 0
	LEAK_WAIT=1 no_leaks "$s normal exit: nothing left"

	# while it runs
	if start_hello BENTO_STRATEGY=$strategy; then
		pass "$s a sleeping app: runtime $RT, app $APP"
		case $strategy in
		userns)
			m=$(bento_mounts)$(mounts_below "$TEST_DIR")
			[ -z "$m" ]
			ok "$s the mount is invisible in the host's mount table while the app runs" "$m"
			;;
		fusermount)
			m=$(cat /proc/self/mountinfo)
			awk -v d="$USER_TMP/.mount_" 'index($5, d) == 1' <<<"$m" | grep -q ' - fuse'
			ok "$s the FUSE mount is at \$TMPDIR/.mount_* while the app runs" "$m"
			;;
		esac
		killed_cleanly TERM RT 143 "SIGTERM to the runtime"
	else
		fail "$s a sleeping app (runtime $RT, app ${APP:-not found})" "$(describe_run)"
		no_leaks "$s nothing left" "$RT $(descendants "$RT")"
	fi

	if start_hello BENTO_STRATEGY=$strategy; then
		killed_cleanly KILL APP 137 "SIGKILL to the app"
	else
		fail "$s a sleeping app (runtime $RT, app ${APP:-not found})" "$(describe_run)"
	fi

	if start_hello BENTO_STRATEGY=$strategy; then
		kill -KILL "$RT"
		bg_wait "$RT" 10
		# clean-up after SIGKILL may be asynchronous, within ~2 s
		LEAK_WAIT=3 no_leaks "$s SIGKILL to the runtime: nothing left within 3 s" "$PROCS"
	else
		fail "$s a sleeping app (runtime $RT, app ${APP:-not found})" "$(describe_run)"
	fi
done

# extract-and-run: the extraction in $TMPDIR goes away too
s="[extract-and-run]"
urun ./"$b" --appimage-extract-and-run x
[ "$RC" = 0 ]
verdict "$s normal exit: runs" 0
LEAK_WAIT=1 no_leaks "$s normal exit: nothing left in \$TMPDIR"
if start_hello APPIMAGE_EXTRACT_AND_RUN=1; then
	killed_cleanly TERM RT 143 "SIGTERM to the runtime"
else
	fail "$s a sleeping app (runtime $RT, app ${APP:-not found})" "$(describe_run)"
fi
if start_hello APPIMAGE_EXTRACT_AND_RUN=1; then
	killed_cleanly KILL APP 137 "SIGKILL to the app"
else
	fail "$s a sleeping app (runtime $RT, app ${APP:-not found})" "$(describe_run)"
fi

finish
