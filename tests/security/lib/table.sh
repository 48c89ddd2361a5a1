# tests/security/lib/table.sh — the escape table every script of
# tests/security prints: one row per attack, blocked where bento defends,
# beside a control run where the same attack works without the defence.
#   record NAME CLASS BLOCKED(yes|NO|ERROR|n/a) CONTROL(yes|no|n/a) OBSERVATION
#   print_table
# A row passes only when the attack was blocked and its control escaped; a
# control the kernel cannot run (n/a) makes it a skip, never a pass.

T_NAME=() T_CLASS=() T_BLOCKED=() T_CONTROL=() T_OBS=()

# record NAME CLASS BLOCKED(yes|NO|n/a) CONTROL(yes|no|n/a) OBSERVATION
record() {
	T_NAME+=("$1") T_CLASS+=("$2") T_BLOCKED+=("$3") T_CONTROL+=("$4") T_OBS+=("$5")
	if [ "$3" = n/a ] || [ "$4" = n/a ]; then
		skip "escape: $1 [$2]" "$5"
	elif [ "$3" = yes ] && [ "$4" = yes ]; then
		pass "escape: $1 [$2]"
	else
		fail "escape: $1 [$2]" "blocked in the sandbox: $3; control escaped: $4"$'\n'"$5"
	fi
}

# print_table: the summary, one line per row
print_table() {
	local i w=6 c=12 line
	for i in "${!T_NAME[@]}"; do
		[ ${#T_NAME[i]} -gt $w ] && w=${#T_NAME[i]}
		[ ${#T_CLASS[i]} -gt $c ] && c=${#T_CLASS[i]}
	done
	echo
	echo "Sandbox escape attempts (${#T_NAME[@]} rows):"
	printf "%-${w}s | %-${c}s | %-7s | %s\n" attack "CVE or class" blocked "control escaped"
	printf -v line '%*s' $((w + c + 30)) ''
	echo "${line// /-}"
	for i in "${!T_NAME[@]}"; do
		printf "%-${w}s | %-${c}s | %-7s | %s\n" "${T_NAME[i]}" "${T_CLASS[i]}" "${T_BLOCKED[i]}" \
			"${T_CONTROL[i]}"
	done
	echo
	echo "Observations:"
	for i in "${!T_NAME[@]}"; do
		printf '  %s: %s\n' "${T_NAME[i]}" "${T_OBS[i]}"
	done
	echo
}

