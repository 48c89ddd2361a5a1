# tests/core.bash — what tests/run and tests/lib.sh both need: the C locale,
# /dev/fuse for the test user, the time in milliseconds, the processes below
# one, and what a test can leave behind (FUSE mounts, mounts below its
# directory, processes naming it, /tmp/.mount_* directories).
#
# Sourced by both, never run.  tests/run runs every tests/*/*.sh as a test
# script; this file can never be one: it sits in tests/ itself, not one
# directory down, and its name does not end in .sh.
#
# Time:      now_ms · _ms SECONDS
# Processes: descendants PID · kill_mentioning TEXT
# Mounts:    bento_mounts · mounts_below DIR · unmount_each (mountinfo lines on stdin)
# /tmp:      tmp_mount_dirs · new_tmp_mount_dirs BEFORE
# Leaks:     leaks DIR BEFORE · wait_empty SECONDS CMD...
# Set-up:    fuse_for_all_users

export LC_ALL=C

# fuse_for_all_users: the unprivileged test user must be able to open
# /dev/fuse (the userns and fusermount strategies need it), as desktop
# distributions allow; scripts/setup.sh does the same.  Needs root.
fuse_for_all_users() {
	if [ -c /dev/fuse ] && [ "$(stat -c %a /dev/fuse)" != 666 ]; then
		chmod 0666 /dev/fuse
	fi
}

now_ms() {
	date +%s%3N
}

_ms() { # SECONDS (may have a fraction) -> milliseconds
	awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }'
}

# descendants PID: every process below PID (host pids), one per line.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			tree[root] = 1
			do {
				more = 0
				for (p in parent)
					if (!(p in tree) && (parent[p] in tree)) { tree[p] = 1; more = 1 }
			} while (more)
			for (p in tree) if (p != root) print p
		}'
}

# kill_mentioning TEXT: SIGKILL to every process whose command line
# mentions TEXT (a test's directory) and to every process below it; never
# to the calling shell.
kill_mentioning() {
	local p
	for p in $(pgrep -f -- "$1"); do
		[ "$p" != $$ ] && kill -KILL "$p" $(descendants "$p") 2>/dev/null
	done
}

# bento_mounts: host mounts of type fuse/fuse.* whose source or mount point
# mentions bento or .mount_ (mountinfo lines) — except those in the
# directories of test or benchmark runs (/tmp/bento-tests.*, bento-test.*,
# bento-bench.*), which may be other runs going on at the same time: a run
# looks below its own directory with mounts_below.
bento_mounts() {
	awk '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		fstype = $(i + 1); source = $(i + 2)
		if ($5 ~ /^\/tmp\/bento-(tests|test|bench)\.[^\/]+\//) next
		if (fstype ~ /^fuse(\.|$)/ && (source $5) ~ /bento|\.mount_/) print
	}' /proc/self/mountinfo
}

# mounts_below DIR: the mounts (mountinfo lines, any type) below DIR
mounts_below() {
	awk -v d="$1/" 'index($5, d) == 1' /proc/self/mountinfo
}

# unmount_each: unmounts the mount points of the mountinfo lines on stdin,
# the deepest first, lazily (a process may still hold them).
unmount_each() {
	local m
	awk '{print $5}' | sort -r | while read -r m; do
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
}

tmp_mount_dirs() {
	find /tmp -mindepth 1 -maxdepth 1 -name '.mount_*' 2>/dev/null | sort
}

# new_tmp_mount_dirs BEFORE: the /tmp/.mount_* directories that are not in
# BEFORE (what tmp_mount_dirs said earlier)
new_tmp_mount_dirs() {
	comm -13 <(printf '%s\n' "$1") <(tmp_mount_dirs)
}

# leaks DIR BEFORE: what is left behind (empty if nothing): bento FUSE
# mounts, mounts below DIR, processes mentioning DIR, /tmp/.mount_*
# directories not in BEFORE.
leaks() {
	local s="" m
	m=$(bento_mounts)
	[ -n "$m" ] && s+="mounts: $m"$'\n'
	m=$(mounts_below "$1")
	[ -n "$m" ] && s+="mounts below $1: $m"$'\n'
	m=$(pgrep -a -f -- "$1")
	[ -n "$m" ] && s+="processes: $m"$'\n'
	m=$(new_tmp_mount_dirs "$2")
	[ -n "$m" ] && s+="left in /tmp: $m"$'\n'
	printf '%s' "$s"
}

# wait_empty SECONDS CMD...: runs CMD (which describes leaks) until it
# prints nothing or SECONDS have passed, and prints what it printed last:
# some clean-up is asynchronous (after SIGKILL, the kernel's).
wait_empty() {
	local deadline s
	deadline=$(($(now_ms) + $(_ms "$1")))
	shift
	while s=$("$@") && [ -n "$s" ] && [ "$(now_ms)" -lt $deadline ]; do
		sleep 0.05
	done
	printf '%s' "$s"
}
