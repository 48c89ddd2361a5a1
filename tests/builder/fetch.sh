# `bento-builder fetch`, as the user, against nginx on loopback (started here
# with a private configuration, as the user, on a free port) and file URLs:
# downloads land in the cache under their SHA-256; a checksum mismatch names
# the URL and both digests and keeps nothing; cache hits need no server;
# offline mode uses only the cache; partial downloads resume with a Range
# request (206 in nginx's log) or start again when the server cannot resume;
# transient failures (503, nothing listening yet) are retried, permanent ones
# (404) are not; non-http schemes and redirects to file:// are refused; the
# size cap holds; a progress bar appears on a terminal and nowhere else.
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need BUILDER
cd "$TEST_DIR" || exit 1
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || {
	fail "fetch: nginx is not installed (scripts/setup.sh installs nginx-light)"
	finish
}

# ------------------------------------------------------------ the server

NG=$TEST_DIR/nginx
WWW=$NG/www
mkdir -p "$WWW" "$NG/logs" "$NG/tmp"
head -c 3000000 /dev/urandom >"$WWW/big"
echo small >"$WWW/small"
echo ready >"$WWW/ready"
chown -R "$TEST_UID:$TEST_GID" "$NG"
S_BIG=$(sha256sum "$WWW/big" | cut -d' ' -f1)
S_SMALL=$(sha256sum "$WWW/small" | cut -d' ' -f1)
WRONG=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
LOG=$TEST_DIR/web/access.log

# start_web (tests/lib.sh) with the locations these tests need; a restart
# keeps the port (a client retries against it).
start_nginx() {
	WEB_PORT=${PORT:-} start_web "$WWW" "
		location /flaky/ { if (-f $NG/fail) { return 503; } alias $WWW/; }
		location /norange/ { max_ranges 0; alias $WWW/; }
		location = /always503 { return 503; }
		location = /redir-http { return 302 /small; }
		location = /redir-file { return 302 file://$WWW/small; }" || finish
	NGINX_PID=$WEB_PID
}

stop_nginx() {
	stop_web
}

PORT=""
start_nginx
URL=http://127.0.0.1:$PORT

# log_has REGEX: nginx logged a request matching it (status uri "range")
log_has() {
	grep -Eq -- "$1" "$LOG"
}
log_count() {
	grep -Ec -- "$1" "$LOG"
}

# nothing_cached DIR: no file (not even a .part) in the cache DIR
nothing_cached() {
	[ -z "$(find "$1" -type f 2>/dev/null)" ]
}

# ------------------------------------------------------------ the checks

# suite: downloads, checksums, schemes, resume, retries, the cache offline
suite() {
	local c=$TEST_DIR/cache$N
	N=$((N + 1))
	: >"$LOG"

	urun "$B" fetch --cache "$c" "$URL/big" "$S_BIG"
	expect "${LABEL}http download: prints the cached path" 0 "$c/sha256/$S_BIG"
	cmp -s "$WWW/big" "$c/sha256/$S_BIG" && [ -z "$ERR" ] && [ ! -e "$c/sha256/$S_BIG.part" ] &&
		[ "$(stat -c %u "$c/sha256/$S_BIG")" = "$TEST_UID" ]
	ok "${LABEL}... the same bytes, no .part file, nothing on stderr (not a terminal)" "$ERR"

	urun "$B" fetch --cache "$c" "file://$WWW/small" "$S_SMALL"
	expect "${LABEL}file:// download" 0 "$c/sha256/$S_SMALL"
	urun "$B" fetch --cache "$c-bad" "$URL/big" "$WRONG"
	[ "$RC" = 1 ] &&
		[[ $ERR == *"$URL/big: checksum mismatch: expected sha256 $WRONG, got $S_BIG"* ]] &&
		nothing_cached "$c-bad"
	verdict "${LABEL}checksum mismatch: URL, expected and actual digest; nothing kept" 1

	urun "$B" fetch --cache "$c-redir-ok" "$URL/redir-http" "$S_SMALL"
	[ "$RC" = 0 ] && log_has '^302 /redir-http ' && log_has '^200 /small '
	verdict "${LABEL}a redirect to http is followed" 0
	urun "$B" fetch --cache "$c-redir" "$URL/redir-file" "$S_SMALL"
	[ "$RC" = 1 ] && [[ $ERR == *"$URL/redir-file: redirected to file://$WWW/small, but redirects are followed only to http and https URLs"* ]] &&
		nothing_cached "$c-redir"
	verdict "${LABEL}a redirect to file:// is refused" 1

	urun "$B" fetch --cache "$c-ftp" "ftp://127.0.0.1:$PORT/big" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"ftp://127.0.0.1:$PORT/big: ftp URLs are not supported (only http, https and file)"* ]] &&
		[ ! -e "$c-ftp" ]
	verdict "${LABEL}ftp:// refused" 1

	urun "$B" fetch --cache "$c-cap" --max-size 1000000 "$URL/big" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"$URL/big: larger than the size limit of 1000000 bytes"* ]] &&
		nothing_cached "$c-cap"
	verdict "${LABEL}--max-size refuses a larger file (http)" 1

	# resume: the first 1000000 bytes are there
	mkdir -p "$c-resume/sha256"
	head -c 1000000 "$WWW/big" >"$c-resume/sha256/$S_BIG.part"
	chown -R "$TEST_UID:$TEST_GID" "$c-resume"
	: >"$LOG"
	urun "$B" fetch --cache "$c-resume" "$URL/big" "$S_BIG"
	[ "$RC" = 0 ] && cmp -s "$WWW/big" "$c-resume/sha256/$S_BIG" &&
		log_has '^206 /big "bytes=1000000-"$' && [ "$(log_count ' /big ')" = 1 ] &&
		[ ! -e "$c-resume/sha256/$S_BIG.part" ]
	verdict "${LABEL}a .part file is completed with a Range request (206)" 0
	rm -rf "$c-resume"
	mkdir -p "$c-resume/sha256"
	head -c 1000000 "$WWW/big" >"$c-resume/sha256/$S_BIG.part"
	chown -R "$TEST_UID:$TEST_GID" "$c-resume"
	: >"$LOG"
	urun "$B" fetch --cache "$c-resume" "$URL/norange/big" "$S_BIG"
	[ "$RC" = 0 ] && cmp -s "$WWW/big" "$c-resume/sha256/$S_BIG" &&
		log_has '^200 /norange/big "bytes=1000000-"$' && log_has '^200 /norange/big "-"$' &&
		[[ $ERR == *"cannot resume at byte 1000000; starting again"* ]]
	verdict "${LABEL}a server without ranges: the download starts again" 0
	rm -rf "$c-resume"
	mkdir -p "$c-resume/sha256"
	head -c 1000 /dev/urandom >"$c-resume/sha256/$S_BIG.part"
	chown -R "$TEST_UID:$TEST_GID" "$c-resume"
	urun "$B" fetch --cache "$c-resume" "$URL/big" "$S_BIG"
	[ "$RC" = 0 ] && cmp -s "$WWW/big" "$c-resume/sha256/$S_BIG" &&
		[[ $ERR == *"checksum mismatch after resuming; downloading it again from the start"* ]]
	verdict "${LABEL}a .part file of other bytes: downloaded again from the start" 0
	rm -rf "$c-resume"

	# transient failures
	touch "$NG/fail"
	: >"$LOG"
	bg_user "$TEST_DIR/bg.out" "$TEST_DIR/bg.err" "$B" fetch --cache "$c-flaky" "$URL/flaky/big" "$S_BIG"
	local pid=$BG_PID
	wait_for_line "$TEST_DIR/bg.err" 'retrying in' 20 "$pid"
	rm -f "$NG/fail"
	bg_wait "$pid" 60
	[ "$RC" = 0 ] && [ "$(cat "$TEST_DIR/bg.out")" = "$c-flaky/sha256/$S_BIG" ] &&
		log_has '^503 /flaky/big ' && log_has '^200 /flaky/big ' &&
		grep -q "$URL/flaky/big: the server answered with HTTP status 503; retrying in 1.0 s (attempt 2 of 4)" "$TEST_DIR/bg.err"
	ok "${LABEL}503, then 200: retried after a delay" "$(cat "$TEST_DIR/bg.err" "$LOG")"

	# the cache without the server
	stop_nginx
	urun "$B" fetch --cache "$c" "$URL/big" "$S_BIG"
	expect "${LABEL}cache hit with the server down" 0 "$c/sha256/$S_BIG"
	urun "$B" fetch --offline --cache "$c" "$URL/big" "$S_BIG"
	expect "${LABEL}--offline: cache hit" 0 "$c/sha256/$S_BIG"
	urun "$B" fetch --offline --cache "$c" "$URL/other" "$WRONG"
	[ "$RC" = 1 ] && [[ $ERR == *"$URL/other: not in the download cache (sha256 $WRONG"*"offline mode forbids downloading"* ]]
	verdict "${LABEL}--offline: a missing entry is an error naming URL and checksum" 1
	cp "$WWW/small" "$c/sha256/$S_BIG"
	urun "$B" fetch --offline --cache "$c" "$URL/big" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"was corrupt"* ]] && [ ! -e "$c/sha256/$S_BIG" ]
	verdict "${LABEL}--offline: a corrupt cache entry is an error and is removed" 1
	start_nginx
}

# more_checks: the rest, for the main build only
more_checks() {
	local c=$TEST_DIR/cache$N-more pid
	N=$((N + 1))
	urun "$B" fetch "$URL/small" "$S_SMALL"
	expect "${LABEL}default cache: ~/.cache/bento-builder/downloads" 0 \
		"$USER_HOME/.cache/bento-builder/downloads/sha256/$S_SMALL"
	urun XDG_CACHE_HOME="$TEST_DIR/xdg$N" "$B" fetch "$URL/small" "$S_SMALL"
	expect "${LABEL}default cache: \$XDG_CACHE_HOME/bento-builder/downloads" 0 \
		"$TEST_DIR/xdg$N/bento-builder/downloads/sha256/$S_SMALL"

	urun "$B" fetch --cache "$c-scp" "scp://127.0.0.1/big" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"scp URLs are not supported"* ]] && [ ! -e "$c-scp" ]
	verdict "${LABEL}scp:// refused" 1

	: >"$LOG"
	urun "$B" fetch --cache "$c-404" "$URL/missing" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"$URL/missing: the server answered with HTTP status 404"* ]] &&
		[ "$(log_count '^404 /missing ')" = 1 ] && nothing_cached "$c-404"
	verdict "${LABEL}404: an error, not retried" 1

	urun "$B" fetch --cache "$c-cap" --max-size 1000000 "file://$WWW/big" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"larger than the size limit of 1000000 bytes"* ]] &&
		nothing_cached "$c-cap"
	verdict "${LABEL}--max-size refuses a larger file (file://)" 1
	urun "$B" fetch --cache "$c-cap" --max-size 3000000 "$URL/big" "$S_BIG"
	expect "${LABEL}--max-size of exactly the size" 0 "$c-cap/sha256/$S_BIG"

	: >"$LOG"
	urun "$B" fetch --attempts 2 --cache "$c-503" "$URL/always503" "$S_BIG"
	[ "$RC" = 1 ] && [[ $ERR == *"$URL/always503: the server answered with HTTP status 503 (gave up after 2 attempts)"* ]] &&
		[ "$(log_count '^503 /always503 ')" = 2 ] && nothing_cached "$c-503"
	verdict "${LABEL}--attempts 2: two requests, then an error" 1

	stop_nginx
	# nothing listening yet: the retry reaches the server started meanwhile
	bg_user "$TEST_DIR/bg.out" "$TEST_DIR/bg.err" "$B" fetch --cache "$c" "$URL/big" "$S_BIG"
	pid=$BG_PID
	wait_for_line "$TEST_DIR/bg.err" 'retrying in' 20 "$pid"
	start_nginx
	bg_wait "$pid" 60
	[ "$RC" = 0 ] && [ "$(cat "$TEST_DIR/bg.out")" = "$c/sha256/$S_BIG" ] &&
		cmp -s "$WWW/big" "$c/sha256/$S_BIG" && grep -q 'retrying in 1.0 s (attempt 2 of 4)' "$TEST_DIR/bg.err"
	ok "${LABEL}connection refused, then the server is up: retried" "$(cat "$TEST_DIR/bg.err")"

	# two builders fetching the same file at once
	bg_user "$TEST_DIR/bg1.out" "$TEST_DIR/bg1.err" "$B" fetch --cache "$c-two" "$URL/big" "$S_BIG"
	local p1=$BG_PID
	bg_user "$TEST_DIR/bg2.out" "$TEST_DIR/bg2.err" "$B" fetch --cache "$c-two" "$URL/big" "$S_BIG"
	bg_wait "$BG_PID" 60
	local rc2=$RC
	bg_wait "$p1" 60
	[ "$RC" = 0 ] && [ "$rc2" = 0 ] && cmp -s "$WWW/big" "$c-two/sha256/$S_BIG" &&
		[ "$(cat "$TEST_DIR/bg1.out" "$TEST_DIR/bg2.out")" = "$c-two/sha256/$S_BIG"$'\n'"$c-two/sha256/$S_BIG" ]
	ok "${LABEL}two fetches of the same file at once" "$(cat "$TEST_DIR"/bg[12].err)"

	# a terminal gets a progress bar (script(1) gives the command one)
	as_user script -qec "$B fetch --cache $c-tty $URL/big $S_BIG" /dev/null >"$TEST_DIR/tty.out" 2>&1 </dev/null
	grep -q $'\r''big .*100%' "$TEST_DIR/tty.out" && [ -f "$c-tty/sha256/$S_BIG" ]
	ok "${LABEL}a progress bar on a terminal" "$(od -c "$TEST_DIR/tty.out" | head -n 10)"
	as_user script -qec "$B fetch --no-progress --cache $c-tty2 $URL/big $S_BIG" /dev/null >"$TEST_DIR/tty.out" 2>&1 </dev/null
	! grep -q '100%' "$TEST_DIR/tty.out" && [ -f "$c-tty2/sha256/$S_BIG" ]
	ok "${LABEL}--no-progress: none" "$(od -c "$TEST_DIR/tty.out" | head -n 10)"

	urun "$B" fetch --cache "$c" "$URL/big" not-a-digest
	[ "$RC" = 2 ] && [[ $ERR == *"'not-a-digest' is not a SHA-256 digest"* ]]
	verdict "${LABEL}a bad digest is a usage error" 2
	urun "$B" fetch "$URL/big"
	[ "$RC" = 2 ]
	verdict "${LABEL}a missing argument is a usage error" 2
}

N=0
B=$BUILDER LABEL=""
suite
more_checks

# the main checks again under the sanitizers
if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	make_test_dir SAN
	copy_artifacts "$BENTO_SAN_BUILD" "$SAN"
	if [ -n "$BUILDER" ]; then
		B=$BUILDER LABEL="[sanitizer build] "
		suite
	else
		skip "fetching with the sanitizer build" "no bento-builder in $BENTO_SAN_BUILD"
	fi
fi

stop_nginx
no_leaks "nothing left"
finish
