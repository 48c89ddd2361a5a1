# Serving is correct under concurrency: a tree with every kind of entry
# (thousands of small files, files of exactly one block and one byte either
# side, empty, sparse and large files, deep directories, symlinks of every
# sort, hard links, extended attributes, a directory of 5000 entries, names
# with spaces and non-ASCII) is packed with mksquashfs (which keeps hard
# links and xattrs) behind the runtime, mounted with --appimage-mount as the
# user with each strategy that serves (userns, fusermount), and compared
# with the source: tests/readcheck from 8 threads (random ranges, metadata,
# directories, xattrs, whole files read in order), then diff -r, getfattr,
# find and ls listings; the server's read-ahead thread must have started.
# A page read at random makes the server store the rest of its block in the
# page cache (and only that page with BENTO_FUSE_STORE=0); a first walk of
# the 5000-entry directory sends at most two LOOKUPs (READDIRPLUS throughout).
# The same tree packed with 4 KiB blocks and gzip (so that the large file's
# block list is long enough for libsquashfuse's block index, and blocks are
# small and many in the shared cache) is served and checked the same way.
# The sanitizer build's runtime serves one more readcheck run.
#
# While readcheck runs, the kernel's dentries and inodes are dropped every
# second (as root), so that LOOKUP and FORGET reach the server concurrently
# with the reads; SERVE_DROP_CACHES=0 turns this off (it affects the whole
# machine).  SERVE_SECONDS (default 10): the length of each readcheck run.
. "$(dirname "$0")/../lib.sh" "$@"

SECONDS_EACH=${SERVE_SECONDS:-10}

make_test_dir
copy_artifacts
need RUNTIME
READCHECK=""
if [ -x "$BUILD_DIR/tests/readcheck" ]; then
	cp "$BUILD_DIR/tests/readcheck" "$TEST_DIR/readcheck" && chmod 0755 "$TEST_DIR/readcheck" &&
		READCHECK=$TEST_DIR/readcheck
fi
need READCHECK
if ! command -v mksquashfs >/dev/null; then
	fail "$SCRIPT_NAME: mksquashfs is missing (Debian: squashfs-tools)"
	exit 1
fi
HAVE_XATTR=1
if ! command -v setfattr >/dev/null || ! command -v getfattr >/dev/null; then
	HAVE_XATTR=0
	skip "extended attributes" "setfattr/getfattr are missing (Debian: attr)"
fi
cd "$TEST_DIR"

# ------------------------------------------------------------ the tree

T=$TEST_DIR/tree
mkdir "$T"
t0=$(now_ms)

# Thousands of small files (0-20 KiB, half random bytes, half text) in 40
# directories, a large file (64 MiB and a bit: text with random stretches, so
# that some blocks compress and some do not), identical copies.
perl -e '
	use strict;
	my ($root, $n) = @ARGV;
	srand(20240601);
	open(my $r, "<", "/dev/urandom") or die "urandom: $!";
	read($r, my $noise, 1 << 20) == 1 << 20 or die "urandom: short read";
	sub text { my $len = shift; my $s = "";
		$s .= sprintf("line %d of a compressible file %x\n", length($s), int(rand(1 << 30)))
			while length($s) < $len;
		return substr($s, 0, $len); }
	sub put { my ($path, $data) = @_;
		open(my $f, ">", $path) or die "$path: $!"; print $f $data; close($f) or die; }
	mkdir "$root/small";
	for my $i (0 .. $n - 1) {
		my $d = sprintf("%s/small/d%02d", $root, $i % 40);
		mkdir $d unless -d $d;
		my $size = int(rand(20481));
		my $data = $i % 2 ? text($size) : substr($noise, int(rand((1 << 20) - $size)), $size);
		put(sprintf("%s/f%05d", $d, $i), $data);
	}
	open(my $big, ">", "$root/large") or die;
	my $total = 0;
	while ($total < 64 * 1024 * 1024 + 4321) {
		my $chunk = int(rand(8)) == 0 ? substr($noise, int(rand(900000)), 65536 + int(rand(99999)))
		                              : text(100000 + int(rand(200000)));
		$chunk = substr($chunk, 0, 64 * 1024 * 1024 + 4321 - $total)
			if $total + length($chunk) > 64 * 1024 * 1024 + 4321;
		print $big $chunk;
		$total += length($chunk);
	}
	close($big) or die;
	mkdir "$root/dups";
	my $dup = text(300000) . substr($noise, 0, 50000);
	put("$root/dups/copy$_", $dup) for 1 .. 3;
' "$T" 3000 || {
	fail "making the test tree (perl)"
	exit 1
}

# Sizes around the block size (128 KiB), and tiny ones
mkdir "$T/blocks"
for size in 1 4096 131071 131072 131073 262143 262144 262145 393216; do
	head -c $size /dev/urandom >"$T/blocks/size-$size"
done
# Empty files and an empty directory
mkdir -p "$T/empty/dir"
for i in 1 2 3; do : >"$T/empty/file$i"; done
# Sparse files: a hole with a few bytes in the middle; a hole then a tail
truncate -s 50M "$T/sparse"
printf 'in the middle' | dd of="$T/sparse" bs=1 seek=$((25 * 1024 * 1024 + 100)) conv=notrunc status=none
truncate -s $((10 * 1024 * 1024 + 7)) "$T/sparse-tail"
printf 'tail' | dd of="$T/sparse-tail" bs=1 seek=$((10 * 1024 * 1024 + 3)) conv=notrunc status=none
# Deep directories
deep=$T/deep
for i in $(seq 40); do deep=$deep/level$i; done
mkdir -p "$deep"
echo "at the bottom" >"$deep/file"
# Symlinks: relative, absolute, dangling, to directories, chained, long
mkdir "$T/links"
ln -s ../blocks/size-131072 "$T/links/relative"
ln -s /etc/passwd "$T/links/absolute"
ln -s no/such/file "$T/links/dangling"
ln -s ../deep/level1/level2 "$T/links/to-dir"
ln -s . "$T/links/self-dir"
ln -s relative "$T/links/chained"
ln -s "../names/with space" "$T/links/to a name with spaces"
ln -s "$(printf 'x%.0s' $(seq 1000))" "$T/links/long-target"
# Hard links: several names for one inode, across directories; of an empty
# file (not of a symlink: mksquashfs makes each name of one its own inode)
mkdir -p "$T/hard/a" "$T/hard/b"
head -c 200000 /dev/urandom >"$T/hard/a/one"
ln "$T/hard/a/one" "$T/hard/a/two"
ln "$T/hard/a/one" "$T/hard/b/three"
ln "$T/hard/a/one" "$T/hard/four"
: >"$T/hard/empty1"
ln "$T/hard/empty1" "$T/hard/b/empty2"
# Names with spaces, non-ASCII, the longest allowed
mkdir -p "$T/names/with space" "$T/names/日本語の名前"
echo spaces >"$T/names/with space/a file with spaces"
echo accents >"$T/names/héllo wörld"
echo emoji >"$T/names/emoji-😀"
echo long >"$T/names/$(printf 'n%.0s' $(seq 255))"
echo tab >"$T/names/tab	in name"
# Modes (the tree belongs to the test user, as the mount's files do)
mkdir "$T/perm" "$T/perm/sticky" "$T/perm/readonly-dir"
for m in 0400 0444 0600 0755 0700 2755 4755; do echo "mode $m" >"$T/perm/mode-$m"; done
echo hidden >"$T/perm/unreadable-0000"
echo inside >"$T/perm/readonly-dir/file"
# A directory with 5000 entries (a few of them not empty files)
mkdir "$T/big"
(cd "$T/big" && seq -f 'entry-%05g' 5000 | xargs touch)
echo data >"$T/big/entry-02500"
# Extended attributes: several, an empty value, a large value; on a
# directory and on hard links
if [ $HAVE_XATTR = 1 ]; then
	mkdir -p "$T/xattr/dir"
	echo xattrs >"$T/xattr/file"
	if ! setfattr -n user.foo -v bar "$T/xattr/file" 2>"$TEST_DIR/setfattr.err"; then
		HAVE_XATTR=0
		skip "extended attributes" "the file system of $T has no user.* xattrs: $(cat "$TEST_DIR/setfattr.err")"
	else
		setfattr -n user.second -v "another value" "$T/xattr/file" &&
			setfattr -n user.empty "$T/xattr/file" &&
			setfattr -n user.large -v "$(printf 'v%.0s' $(seq 3000))" "$T/xattr/file" &&
			setfattr -n user.binary -v 0x00ff00fe "$T/xattr/file" &&
			setfattr -n user.on-dir -v yes "$T/xattr/dir" &&
			setfattr -n user.linked -v "all names" "$T/hard/a/one" &&
			setfattr -n user.sparse -v 1 "$T/sparse"
		ok "setting extended attributes in the source tree (user.*)" || HAVE_XATTR=0
		# The other two namespaces squashfs stores (as root): the user may
		# read security.* and may not even see trusted.*, on the source as
		# on the mount (libsquashfuse 0.1 swaps their prefixes).
		setfattr -n security.bento -v label "$T/xattr/file" &&
			setfattr -n trusted.bento -v secret "$T/xattr/file" &&
			setfattr -n trusted.on-dir -v secret "$T/xattr/dir"
		ok "setting extended attributes in the source tree (security.*, trusted.*)"
	fi
fi
chown -R -h "$TEST_UID:$TEST_GID" "$T"
chmod 0444 "$T/perm/mode-0444" && chmod 0400 "$T/perm/mode-0400" &&
	chmod 0600 "$T/perm/mode-0600" && chmod 0700 "$T/perm/mode-0700" &&
	chmod 2755 "$T/perm/mode-2755" && chmod 4755 "$T/perm/mode-4755" &&
	chmod 0000 "$T/perm/unreadable-0000" && chmod 1777 "$T/perm/sticky" &&
	chmod 0555 "$T/perm/readonly-dir"
entries=$(find "$T" | wc -l)
echo "    (tree: $entries entries, $(du -s --apparent-size -m "$T" | cut -f1) MiB, made in $(($(now_ms) - t0)) ms)"

t0=$(now_ms)
mksquashfs "$T" img.sqfs -comp zstd -b 131072 -noappend -all-root -quiet >mksquashfs.log 2>&1
rc=$?
echo "    (image: $(stat -c %s img.sqfs 2>/dev/null) bytes, packed in $(($(now_ms) - t0)) ms)"
log=$(tail -n 20 mksquashfs.log)
[ $rc = 0 ]
ok "mksquashfs packs the tree (-comp zstd -b 131072 -all-root)" "$log" || exit 1
cat "$RUNTIME" img.sqfs >t.AppImage && chmod 0755 t.AppImage

t0=$(now_ms)
mksquashfs "$T" small.sqfs -comp gzip -b 4096 -noappend -all-root -quiet >mksquashfs-small.log 2>&1
rc=$?
echo "    (image with 4 KiB blocks: $(stat -c %s small.sqfs 2>/dev/null) bytes, packed in $(($(now_ms) - t0)) ms)"
log=$(tail -n 20 mksquashfs-small.log)
[ $rc = 0 ]
ok "mksquashfs packs the tree (-comp gzip -b 4096 -all-root)" "$log" || exit 1
cat "$RUNTIME" small.sqfs >small.AppImage && chmod 0755 small.AppImage

# ------------------------------------------------------------ comparisons

# listing DIR: what find says of every entry below DIR (sorted; directory
# sizes are each file system's own, so left out)
listing() {
	as_user sh -c 'cd "$1" && find . \( -type d -printf "%p %y %m %n %u:%g %Ts\n" \) -o \
		-printf "%p %y %m %n %u:%g %Ts %s %l\n"' sh "$1" 2>&1 | sort
}

# xattrs DIR: every extended attribute below DIR, one "file name=value" a line
xattrs() {
	as_user sh -c 'cd "$1" && getfattr -R -P -h -d -m - -e hex . 2>&1' sh "$1" |
		awk '/^# file: / { f = substr($0, 9); next } NF { print f " " $0 }' | sort
}

# ls_big DIR: ls -l of the 5000-entry directory (numeric owners, times in s)
ls_big() {
	as_user ls -lAn --time-style=+%s "$1/big" 2>&1 | grep -v '^total '
}

# mount_image LABEL FILE STRATEGY [VAR=VALUE...]: start FILE --appimage-mount
# as the user, with those variables; sets MNT (where it is reachable), SRV
# (the runtime's pid) and SRV_ERR (its stderr)
mount_image() {
	local label=$1 file=$2 strategy=$3
	shift 3
	MNT="" SRV=""
	OUT_FILE=$TEST_DIR/mount-${label//[^a-z]/_}.out ERR_FILE=$TEST_DIR/mount-${label//[^a-z]/_}.err
	SRV_ERR=$ERR_FILE
	LAST_CMD="$* BENTO_STRATEGY=$strategy ./$file --appimage-mount"
	bg_user "$OUT_FILE" "$ERR_FILE" "$@" BENTO_STRATEGY="$strategy" ./"$file" --appimage-mount
	SRV=$BG_PID
	if wait_for_line "$OUT_FILE" '^/' 15 "$SRV"; then
		MNT=$(head -n 1 "$OUT_FILE")
	fi
	OUT=$(cat "$OUT_FILE") ERR=$(cat "$ERR_FILE") RC='(running)' MS='?'
	[ -n "$MNT" ] && as_user test -d "$MNT/blocks"
	verdict "[$label] --appimage-mount serves the image (at $MNT)"
}

# drop_caches SECONDS: (root) drop the kernel's dentries and inodes every
# second, so that lookups and FORGETs reach the server while readcheck runs
drop_caches() {
	local i
	[ "${SERVE_DROP_CACHES:-1}" != 0 ] || return 0
	for i in $(seq "$1"); do
		echo 2 >/proc/sys/vm/drop_caches 2>/dev/null
		sleep 1
	done
}

# readcheck LABEL SECONDS [ARGS...]: run readcheck against $MNT as the user
readcheck() {
	local label=$1 secs=$2 dropper err
	shift 2
	drop_caches "$secs" &
	dropper=$!
	RUN_TIMEOUT=$((secs + 90)) urun ./readcheck --seconds "$secs" "$@" "$T" "$MNT"
	wait "$dropper" 2>/dev/null
	grep '^readcheck: [0-9]' <<<"$OUT" | sed 's/^/    /'
	[ "$RC" = 0 ]
	verdict "[$label] readcheck: 8 threads for $secs s, random ranges, metadata, directories, xattrs match the source" 0
	err=$(head -c 3000 "$SRV_ERR")
	_alive "$SRV"
	ok "[$label] the server still runs after readcheck" "$err"
}

# as_merged_root [merged]: the source's listing as a mount whose top
# directory overlayfs merges shows it (st_nlink 1; see readcheck --merged-root)
as_merged_root() {
	if [ "${1:-}" = merged ]; then
		awk '$1 == "." && $2 == "d" { $4 = 1 } { print }'
	else
		cat
	fi
}

# compare_all LABEL [merged]: the other comparisons of $MNT with the source
compare_all() {
	local label=$1 merged=${2:-} d
	RUN_TIMEOUT=120 urun diff -r --no-dereference -x unreadable-0000 "$T" "$MNT"
	[ "$RC" = 0 ] && [ -z "$OUT$ERR" ]
	verdict "[$label] diff -r --no-dereference: the mount has the source's contents" 0

	d=$(diff <(listing "$T" | as_merged_root "$merged") <(listing "$MNT"))
	[ -z "$d" ]
	ok "[$label] find: the same entries, types, modes, link counts, owners, mtimes, sizes, link targets" "$d"

	d=$(diff <(ls_big "$T") <(ls_big "$MNT"))
	[ -z "$d" ] && [ "$(ls_big "$MNT" | wc -l)" = 5000 ]
	ok "[$label] ls -l of the 5000-entry directory is the source's" "$d"

	if [ $HAVE_XATTR = 1 ]; then
		d=$(diff <(xattrs "$T") <(xattrs "$MNT"))
		[ -z "$d" ] && [ "$(xattrs "$MNT" | grep -c user.)" -ge 8 ]
		ok "[$label] getfattr -R -d -m -: the same extended attributes" "$d"
	fi

	urun cat "$MNT/perm/unreadable-0000"
	[ "$RC" != 0 ] && [ -z "$OUT" ]
	verdict "[$label] a file of mode 0000 cannot be read (as in the source)"

	urun sh -c ': >>"$1"' sh "$MNT/blocks/size-1"
	[ "$RC" != 0 ] && [[ $ERR == *"Read-only file system"* ]]
	verdict "[$label] opening a file for writing fails with EROFS"
}

# readahead_started LABEL: the server (or a process below it) has a thread
# named bento-readahead: sequential reads were read ahead
readahead_started() {
	local label=$1 p found=0
	for p in $SRV $(descendants "$SRV"); do
		grep -qx bento-readahead /proc/"$p"/task/*/comm 2>/dev/null && found=1
	done
	[ $found = 1 ]
	ok "[$label] the server read ahead (its bento-readahead thread runs)"
}

# unmount LABEL: SIGTERM to the server; it ends, and nothing is left mounted
unmount() {
	local label=$1 procs err
	procs="$SRV $(descendants "$SRV")"
	kill -TERM "$SRV" 2>/dev/null
	bg_wait "$SRV" 10
	err=$(head -c 3000 "$SRV_ERR")
	[ "$RC" = 0 ]
	ok "[$label] SIGTERM ends the server, status 0 (got $RC)" "$err"
	! _sanitizer_report "$SRV_ERR"
	ok "[$label] no sanitizer report from the server" "$err"
	LEAK_WAIT=3 no_leaks "[$label] nothing left mounted or running" "$procs"
}

# mount_types: the file system types mounted at $MNT, bottom first, as its
# holder (the runtime's namespace, for the userns strategy) sees them
mount_types() {
	local holder=${MNT#/proc/} inner
	holder=${holder%%/*}
	inner=${MNT#/proc/"$holder"/root}
	awk -v p="$inner" '$5 == p { i = 7; while ($i != "-") i++; printf "%s ", $(i + 1) }' \
		"/proc/$holder/mountinfo"
}

# fuse_requests OPCODE CMD...: runs CMD and prints how many FUSE requests of
# that opcode the kernel sent meanwhile (its fuse_request_send tracepoint);
# prints nothing when there is no tracefs with that event
fuse_requests() {
	local op=$1 t=/sys/kernel/tracing ev mounted=0 n=''
	shift
	if [ ! -d $t/events/fuse ] && mount -t tracefs nodev $t 2>/dev/null; then
		mounted=1
	fi
	ev=$t/events/fuse/fuse_request_send
	if [ -w "$ev/enable" ]; then
		echo "opcode == $op" >"$ev/filter"
		: >"$t/trace"
		echo 1 >"$ev/enable"
		"$@" >/dev/null 2>&1
		echo 0 >"$ev/enable"
		echo 0 >"$ev/filter"
		n=$(grep -c fuse_request_send "$t/trace")
		: >"$t/trace"
	fi
	[ $mounted = 0 ] || umount $t
	[ -z "$n" ] || echo "$n"
}

# fuse_ioctls: how many FUSE_IOCTL requests the user's isatty() on each of
# 20 files of $MNT/big sends
fuse_ioctls() {
	local files n
	mapfile -t files < <(as_user find "$MNT/big" -type f -readable | head -n 20)
	n=$(fuse_requests 39 as_user python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY)
    os.isatty(fd)
    os.close(fd)' "${files[@]}")
	[ -z "$n" ] || [ ${#files[@]} = 20 ] || n="$n (of only ${#files[@]} files)"
	echo "$n"
}

# check_count LABEL TEXT N OP WANT: PASS when [ N OP WANT ] (N a count of
# FUSE requests from fuse_requests); a SKIP when N is empty (no tracefs)
check_count() {
	local label=$1 text=$2 n=$3 op=$4 want=$5
	if [ -z "$n" ]; then
		skip "[$label] $text" "no tracefs with the fuse events"
		return
	fi
	[ "$n" "$op" "$want" ]
	ok "[$label] $text (sent: $n)"
}

# check_ioctls LABEL N TEXT: the user's isatty() on 20 files sends N FUSE_IOCTL
check_ioctls() {
	check_count "$1" "isatty() on 20 files sends $3" "$(fuse_ioctls)" = "$2"
}

# check_store LABEL BYTES TEXT: the user reads one page in the middle of the
# second block of a file of three 128 KiB blocks, with read-ahead off
# (POSIX_FADV_RANDOM); then BYTES of the file are in the page cache (fincore;
# the server stores the rest of the block it decompressed from its
# read-ahead thread, so up to 5 s are given), and the file reads back as the
# source, the pages the server stored included
check_store() {
	local label=$1 want=$2 text=$3 f=$MNT/blocks/size-393216 res=''
	urun python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
sys.exit(len(os.pread(fd, 4096, 50 * 4096)) != 4096)' "$f"
	verdict "[$label] one page read at random from the second block of a file"
	[ "$want" = 4096 ] && sleep 1
	for _ in $(seq 50); do
		res=$(as_user fincore --bytes --noheadings --output RES "$f" | tr -d " ")
		[ "$res" = "$want" ] && break
		sleep 0.1
	done
	[ "$res" = "$want" ]
	ok "[$label] $text (in the page cache: $res bytes of the file)"
	urun cmp "$T/blocks/size-393216" "$f"
	verdict "[$label] the file reads back as the source (the pages the server stored too)"
}

# check_walk_lookups LABEL: a first find that stats the 5000 entries of big/
# sends at most two LOOKUPs (big itself and, for a reason of the kernel's,
# its first entry), not one for each entry of the later parts of the
# listing: every part came with its entries' attributes (READDIRPLUS)
check_walk_lookups() {
	check_count "$1" "a walk that stats 5000 entries sends at most two LOOKUPs" \
		"$(fuse_requests 1 as_user find "$MNT/big/" -printf '%s %m\n')" -le 2
}

for strategy in userns fusermount; do
	if mount_image "$strategy" t.AppImage "$strategy"; then
		check_store "$strategy" 131072 "the server stored the rest of the block in the page cache"
		check_walk_lookups "$strategy"
		merged=''
		if [ "$strategy" = userns ]; then
			merged=merged
			types=$(mount_types)
			[ "$types" = "tmpfs fuse.bento overlay " ]
			ok "[userns] the image is stacked under a read-only overlayfs, over an empty tmpfs (at the mount point: $types)"
			# The mount point is shared by every launch and the user's
			# to write: nothing put there shows through the overlayfs.
			host_dir=${MNT#/proc/*/root}
			as_user sh -c 'echo planted >"$1/planted"' sh "$host_dir"
			! as_user test -e "$MNT/planted" && as_user test -e "$host_dir/planted"
			ok "[userns] a file put in the mount point directory on the host is not in the app's view"
			rm -f "$host_dir/planted"
			check_ioctls userns 0 "no FUSE_IOCTL to the server"
			readcheck "$strategy" "$SECONDS_EACH" --threads 8 --mtime --merged-root
		else
			readcheck "$strategy" "$SECONDS_EACH" --threads 8 --mtime
		fi
		readahead_started "$strategy"
		compare_all "$strategy" $merged
	fi
	unmount "$strategy"
done

# BENTO_FUSE_STORE=0: only what the kernel asks for reaches its page cache
if mount_image "userns, no store" t.AppImage userns BENTO_FUSE_STORE=0; then
	check_store "userns, no store" 4096 "BENTO_FUSE_STORE=0: only the page read is"
fi
unmount "userns, no store"

# BENTO_IMAGE_OVERLAY=0: the image's own mount, nothing over it
if mount_image "userns, no overlay" t.AppImage userns BENTO_IMAGE_OVERLAY=0; then
	types=$(mount_types)
	[ "$types" = "fuse.bento " ]
	ok "[userns, no overlay] BENTO_IMAGE_OVERLAY=0 mounts the image alone (at the mount point: $types)"
	check_ioctls "userns, no overlay" 20 "20 FUSE_IOCTL, one each"
	readcheck "userns, no overlay" $(((SECONDS_EACH + 1) / 2)) --threads 8 --mtime
fi
unmount "userns, no overlay"

if mount_image "4 KiB blocks, gzip" small.AppImage userns; then
	readcheck "4 KiB blocks, gzip" $(((SECONDS_EACH + 1) / 2)) --threads 8 --mtime --merged-root
	RUN_TIMEOUT=120 urun diff -r --no-dereference -x unreadable-0000 "$T" "$MNT"
	[ "$RC" = 0 ] && [ -z "$OUT$ERR" ]
	verdict "[4 KiB blocks, gzip] diff -r --no-dereference: the mount has the source's contents" 0
fi
unmount "4 KiB blocks, gzip"

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	if [ -f "$BENTO_SAN_BUILD/runtime/stub/bento-runtime" ]; then
		cat "$BENTO_SAN_BUILD/runtime/stub/bento-runtime" img.sqfs >san.AppImage &&
			chmod 0755 san.AppImage
		if mount_image "userns, sanitizer build" san.AppImage userns; then
			readcheck "userns, sanitizer build" $(((SECONDS_EACH + 1) / 2)) --threads 8 --mtime \
				--merged-root
		fi
		unmount "userns, sanitizer build"
	else
		skip "readcheck with the sanitizer build" "no runtime in $BENTO_SAN_BUILD"
	fi
fi

finish
