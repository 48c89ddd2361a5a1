#!/bin/bash
# enter-root.sh ROOT FILES DISPLAY [VAR=VALUE...] CMD...: run by roots.sh's
# in_root as root inside `unshare --mount --propagation private` (a private
# mount namespace, so that every mount below goes away with it).  Makes ROOT
# the namespace's root with pivot_root (not chroot: the kernel refuses a
# chrooted process a new user namespace, which the bento runtime needs) and
# runs CMD in it as uid/gid 65534 with a clean environment.
#   ROOT     a Debian root (read-only here: the cached root stays as made)
#   FILES    a directory of the host's, seen in the root at /bento (read-only);
#            empty for none
#   DISPLAY  an X display number n: the host's /tmp/.X11-unix/Xn is bound
#            into the root's (fresh) /tmp; empty for none
# Inside: a fresh /proc (fully visible, so that a sandbox may mount its own),
# the host's /dev (with /dev/fuse) and /sys, a tmpfs /tmp with HOME=/tmp/home.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
root=$1 files=$2 display=$3
shift 3

mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs "$root/tmp"
install -d -m 0700 -o 65534 -g 65534 "$root/tmp/home"
if [ -n "$files" ]; then
	mount --bind "$files" "$root/bento"
	mount -o remount,bind,ro "$root/bento"
fi
if [ -n "$display" ]; then
	install -d -m 1777 "$root/tmp/.X11-unix"
	: >"$root/tmp/.X11-unix/X$display"
	mount --bind "/tmp/.X11-unix/X$display" "$root/tmp/.X11-unix/X$display"
fi

cd "$root"
pivot_root . .
umount -l .
# (a directory the sandbox may show: it warns about hiding any other)
cd /tmp/home
exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp/home TMPDIR=/tmp LANG=C.UTF-8 \
	USER=nobody LOGNAME=nobody ${display:+DISPLAY=:$display} "$@"
