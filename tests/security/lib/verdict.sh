# tests/security/lib/verdict.sh — the verdict of one run of an attack
# program (tests/helpers/escape.c, procprobe.c, runtimefilter.c, limits.c,
# or a shell snippet that says the same), which prints
# "ATTACK: escaped|blocked|unsupported|untestable|usage: detail" and exits
# 0, 10, 4, 3 or 2.
#   attack_verdict [REFUSAL-REGEX]
#                    sets V (escaped | blocked | unsupported | error) and OBS
#                    from the last urun/rrun: the exit status and the line
#                    must agree, and a sanitizer report (tests/lib.sh:
#                    SANITIZER_REPORT) makes it an error.
#                    The runtime refusing to start (no output, a non-zero
#                    status, a message matching the lower-case REGEX) counts
#                    as blocked.
#   attack_row NAME CLASS
#                    records the row of the escape table from SV/SOBS (the
#                    attack against the defence) and CV/COBS (its control).

attack_verdict() {
	local refusal=${1:-}
	local line="" word="" l re='^[a-z0-9_-]+: (escaped|blocked|unsupported|untestable|usage): '
	while IFS= read -r l; do
		if [[ $l =~ $re ]]; then
			line=$l word=${BASH_REMATCH[1]}
		fi
	done <<<"$OUT"
	OBS=${line#*: *: }
	case $RC:$word in
	0:escaped) V=escaped ;;
	10:blocked) V=blocked ;;
	4:unsupported) V=unsupported ;;
	*)
		V=error
		l=${ERR:0:300}
		OBS="exit status $RC${line:+, $line}; stderr: ${l//$'\n'/ }"
		;;
	esac
	if [ "$V" = error ] && [ -n "$refusal" ] && [ "$RC" != 0 ] && [ -z "$OUT" ] &&
		[[ ${ERR,,} =~ $refusal ]]; then
		V=blocked
		OBS="the runtime refused to start: ${ERR//$'\n'/ }"
	fi
	if [ "$V" != error ] && [[ $ERR =~ $SANITIZER_REPORT ]]; then
		V=error
		OBS="sanitizer report in stderr: ${ERR:0:300}"
	fi
}

attack_row() {
	local blocked control obs
	case $SV in
	blocked | unsupported) blocked=yes ;;
	error) blocked=ERROR ;;
	*) blocked=NO ;;
	esac
	case $CV in
	escaped) control=yes ;;
	unsupported) control=n/a ;;
	*) control=no ;;
	esac
	obs="sandbox: $SV: $SOBS"
	[ "$control" != yes ] && obs+=" | control: $CV: $COBS"
	[ "$control" = n/a ] && obs="the kernel lacks it (control: $COBS); sandbox: $SV: $SOBS"
	record "$1" "$2" "$blocked" "$control" "$obs"
}
