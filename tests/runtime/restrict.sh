# The restrict helper really restricts (so that the fallback tests cannot pass
# by restricting nothing) and leaves what it should alone.
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need RESTRICT
cd "$TEST_DIR"

# control: without options nothing is refused
AS_USER_PREFIX=("$RESTRICT" --)
urun unshare -U true
[ "$RC" = 0 ]; verdict "restrict (no option): unshare -U works as the user" 0
urun bwrap --unshare-user --ro-bind / / true
[ "$RC" = 0 ]; verdict "restrict (no option): bwrap --unshare-user (clone) works as the user" 0

AS_USER_PREFIX=("$RESTRICT" --no-userns --)
urun unshare -U true
[ "$RC" != 0 ] && [[ $ERR == *"not permitted"* ]]; verdict "restrict --no-userns: unshare(CLONE_NEWUSER) fails with EPERM"
urun unshare -Ur -m true
[ "$RC" != 0 ]; verdict "restrict --no-userns: unshare -Urm refused"
urun bwrap --unshare-user --ro-bind / / true
[ "$RC" != 0 ]; verdict "restrict --no-userns: clone(CLONE_NEWUSER) refused (bwrap)"
rrun unshare -U true
[ "$RC" != 0 ]; verdict "restrict --no-userns: refused for root too"
urun sh -c 'echo ok | cat'
expect "restrict --no-userns: ordinary fork/exec still works" 0 ok
urun grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
[ "$RC" = 0 ] && grep -q 'NoNewPrivs:.*0' "$OUT_FILE" && grep -q 'Seccomp:.*2' "$OUT_FILE"
verdict "restrict --no-userns: seccomp filter on, no_new_privs off"

# setuid fusermount3 still works under the filter (the fusermount strategy
# must stay possible): mount an image with squashfuse as the user.
mkdir -p img/d mnt && echo hi >img/d/f && chown "$TEST_UID:$TEST_GID" mnt
mksquashfs img img.sqfs -quiet -noappend -all-root >/dev/null 2>&1
chmod 0644 img.sqfs
urun sh -c 'squashfuse img.sqfs mnt && cat mnt/d/f; s=$?; fusermount3 -u mnt; exit $s'
expect "restrict --no-userns: setuid fusermount3 still mounts for the user" 0 hi

# --no-fuse: /dev/fuse is /dev/null inside, untouched outside
AS_USER_PREFIX=("$RESTRICT" --no-fuse --)
urun stat -c %t:%T /dev/fuse
[ "$OUT" = 1:3 ]; verdict "restrict --no-fuse: /dev/fuse is /dev/null inside"
check "restrict --no-fuse: host /dev/fuse untouched" test "$(stat -c %t:%T /dev/fuse)" = a:e5
urun sh -c 'squashfuse img.sqfs mnt && { cat mnt/d/f; fusermount3 -u mnt; }'
[ "$RC" != 0 ] && [ "$OUT" != hi ]; verdict "restrict --no-fuse: a FUSE mount fails"
urun unshare -U true
[ "$RC" = 0 ]; verdict "restrict --no-fuse: user namespaces still allowed" 0

AS_USER_PREFIX=("$RESTRICT" --no-userns --no-fuse --)
urun sh -c 'unshare -U true || echo userns-refused; stat -c %t:%T /dev/fuse'
[ "$OUT" = "userns-refused"$'\n'"1:3" ]; verdict "restrict --no-userns --no-fuse: both"
AS_USER_PREFIX=()

no_leaks "restrict: nothing left"
finish
