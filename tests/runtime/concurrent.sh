# 20 launches of the same file at once all succeed, with each strategy
# (the extract one starting from an empty cache, so they race to fill it),
# and leave nothing behind.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG
N=20

for strategy in default userns fusermount extract; do
	env=()
	[ $strategy != default ] && env=(BENTO_STRATEGY=$strategy)
	rm -rf "$USER_HOME/.cache"
	rm -f "$TEST_DIR"/c*.out "$TEST_DIR"/c*.err "$TEST_DIR"/c*.rc
	# one shell starts them all, each waiting for the same go signal
	urun "${env[@]}" sh -c '
		n=$1
		shift
		i=1
		while [ $i -le $n ]; do
			(
				while [ ! -e go ]; do sleep 0.01; done
				"$@" "launch $i" >c$i.out 2>c$i.err
				echo $? >c$i.rc
			) &
			i=$((i + 1))
		done
		sleep 0.3
		touch go
		wait
		rm -f go' sh $N ./"$b"
	bad=""
	for i in $(seq $N); do
		want=$(printf 'Hello from bento!\narg[1]=[launch %d]' "$i")
		rc=$(cat "$TEST_DIR/c$i.rc" 2>/dev/null)
		if [ "$rc" != 0 ] || [ "$(cat "$TEST_DIR/c$i.out")" != "$want" ]; then
			bad+="launch $i: status ${rc:-none}, stdout: $(head -c 300 "$TEST_DIR/c$i.out"), stderr: $(head -c 300 "$TEST_DIR/c$i.err")"$'\n'
		fi
	done
	[ -z "$bad" ]
	ok "[$strategy] $N launches at once all succeed" "$bad"
	if [ $strategy = extract ]; then
		entries=$(ls -A "$USER_HOME/.cache/bento/extract" 2>&1)
		[ "$(wc -l <<<"$entries")" = 1 ]
		ok "[$strategy] $N racing launches leave exactly one cache entry" "$entries"
	fi
	no_leaks "[$strategy] nothing left after $N launches at once"
done

finish
