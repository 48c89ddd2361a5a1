# tests/portability/lib/roots.sh — minimal Debian roots to run bento files in,
# sourced by tests/portability/*.sh and bench/portability (as root).
#
#   ensure_root RELEASE VARIANT   make (once) and print the root's directory
#   in_root RELEASE VARIANT CMD...  run CMD inside it as uid 65534
#   root_glibc RELEASE VARIANT    the root's glibc version (e.g. 2.31)
#
# RELEASE: bullseye (Debian 11), bookworm (12), trixie (13).  VARIANT:
#   min  `debootstrap --variant=minbase`: no X11, audio or GL libraries, the
#        "minimal system" that lacks what an app may take from the host;
#   gl   the same plus the host GL stack (libgl1 libglx-mesa0 libgl1-mesa-dri
#        and the X libraries they pull in): the root's Mesa is "the host's
#        Mesa" of the GL row.
#   split  minbase with --no-merged-usr: /bin, /lib and /lib64 real
#        directories beside /usr's, as on a Debian 11 upgraded from 10
#        (the loader and libc are then /lib/...: a layer over /usr alone
#        would not reach them)
# A separate root per variant (rather than --include in one) so that the
# minimal root stays truly minimal.
#
# Roots are made from Debian's archive (deb.debian.org, $BENTO_DEBIAN_MIRROR),
# verified with the archive keyring, and cached under $BENTO_ROOTS
# (/var/cache/bento/roots/RELEASE-VARIANT): debootstrap runs into a temporary
# directory beside it, which is renamed when complete, with a stamp
# (.bento-root) holding the debootstrap command; a root whose stamp differs
# from today's command is made again (remove a root's directory to make it
# anew from the archive's current packages).  The downloaded .debs are
# shared between the variants of a release (debootstrap --cache-dir).  On
# this machine each root takes 25-50 s to make; the seven take 2.4 GB with the
# downloaded .debs.

BENTO_ROOTS=${BENTO_ROOTS:-/var/cache/bento/roots}
BENTO_DEBIAN_MIRROR=${BENTO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BENTO_DEBIAN_KEYRING=${BENTO_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
ROOT_RELEASES="bullseye bookworm trixie"
ROOT_GL_PACKAGES="libgl1,libglx-mesa0,libgl1-mesa-dri"

# release_number RELEASE: 11, 12, 13
release_number() {
	case $1 in
	bullseye) echo 11 ;;
	bookworm) echo 12 ;;
	trixie) echo 13 ;;
	*) echo "?" ;;
	esac
}

# _root_command RELEASE VARIANT TARGET: the debootstrap command (one word a line)
_root_command() {
	local release=$1 variant=$2 target=$3
	printf '%s\n' debootstrap --variant=minbase --arch=amd64 \
		"--keyring=$BENTO_DEBIAN_KEYRING" "--cache-dir=$BENTO_ROOTS/.debs-$release"
	[ "$variant" = gl ] && printf '%s\n' "--include=$ROOT_GL_PACKAGES"
	[ "$variant" = split ] && printf '%s\n' --no-merged-usr
	printf '%s\n' "$release" "$target" "$BENTO_DEBIAN_MIRROR"
}

# root_dir RELEASE VARIANT
root_dir() {
	echo "$BENTO_ROOTS/$1-$2"
}

# ensure_root RELEASE VARIANT: prints the root's directory; makes it first if
# it is missing or was made by another command.  Status 1 (with the reason on
# stderr, and the debootstrap log kept) if it cannot.
ensure_root() {
	local release=$1 variant=$2 dir stamp tmp log
	case $variant in min | gl | split) ;; *)
		echo "ensure_root: unknown variant $variant" >&2
		return 1
		;;
	esac
	dir=$(root_dir "$release" "$variant")
	stamp=$(_root_command "$release" "$variant" TARGET)
	if [ -f "$dir/.bento-root" ] && [ "$(cat "$dir/.bento-root")" = "$stamp" ]; then
		echo "$dir"
		return 0
	fi
	mkdir -p "$BENTO_ROOTS/.debs-$release" || return 1
	# (one maker at a time: a second waits, then finds the root made)
	local lock
	exec {lock}>"$BENTO_ROOTS/.lock" && flock "$lock" || return 1
	if [ -f "$dir/.bento-root" ] && [ "$(cat "$dir/.bento-root")" = "$stamp" ]; then
		exec {lock}>&-
		echo "$dir"
		return 0
	fi
	tmp=$(mktemp -d "$BENTO_ROOTS/.$release-$variant.XXXXXX") || return 1
	chmod 0755 "$tmp"
	log=$BENTO_ROOTS/$release-$variant.log
	# (the stamp names the target TARGET: the temporary directory's name varies)
	mapfile -t cmd < <(_root_command "$release" "$variant" "$tmp")
	if ! "${cmd[@]}" >"$log" 2>&1; then
		echo "ensure_root: ${cmd[*]} failed; see $log:" >&2
		tail -n 5 "$log" >&2
		rm -rf --one-file-system "$tmp"
		exec {lock}>&-
		return 1
	fi
	mkdir -m 0755 "$tmp/bento" # (where in_root shows the files under test)
	printf '%s\n' "$stamp" >"$tmp/.bento-root"
	rm -rf --one-file-system "$dir"
	mv -T "$tmp" "$dir"
	local status=$?
	exec {lock}>&-
	[ $status = 0 ] && echo "$dir"
}

# root_glibc RELEASE VARIANT: the version in the root's libc6 package
root_glibc() {
	local dir
	dir=$(root_dir "$1" "$2")
	sed -n '/^Package: libc6$/,/^$/s/^Version: \([0-9]*\.[0-9]*\).*/\1/p' "$dir/var/lib/dpkg/status"
}

# in_root RELEASE VARIANT [VAR=VALUE...] CMD...: run CMD in the root (made
# if needed) as uid/gid 65534, in a private mount namespace entered with
# pivot_root (tests/portability/lib/enter-root.sh says what is mounted).
# $IN_ROOT_FILES: a host directory seen at /bento in the root (read-only);
# $IN_ROOT_DISPLAY: an X display number whose socket is bound in (and
# DISPLAY set).  CMD's status is in_root's.
in_root() {
	local release=$1 variant=$2 dir
	shift 2
	dir=$(ensure_root "$release" "$variant") || return 125
	# (the mount point of IN_ROOT_FILES; the root is read-only once entered)
	[ -d "$dir/bento" ] || mkdir -m 0755 "$dir/bento"
	unshare --mount --propagation private -- bash "$_roots_lib/enter-root.sh" "$dir" \
		"${IN_ROOT_FILES:-}" "${IN_ROOT_DISPLAY:-}" "$@"
}
_roots_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
