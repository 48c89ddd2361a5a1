# An update that changes 1 MiB of a 4 MB file, installed from a repository:
# bento fetches the static delta and nothing else of the file (it applies
# the delta before the pull, runtime/lib/repo/delta.c), while Debian's own
# libostree 2022.7, pulling the same update into a bare-user-only
# repository, fetches the changed file whole after the delta (the control:
# what bento's update would cost without the delta applied ahead).  An
# altered superblock is refused; altered parts are tests/repo/refuse.sh's.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BENTO BUILDER HELLO
. "$(dirname "$0")/lib/publish.sh"
need_tools nginx gpg ostree
RUN_TIMEOUT=120
ID=$REPO_APP_ID
INST=$USER_HOME/.local/share/bento/installation

make_repo_versions
# Version 3: version 2 with its second MiB of big.bin new.
cp -a v/v2.AppDir v/v3.AppDir
echo "version 3" >v/v3.AppDir/usr/share/data/version
sed -i 's/^X-AppImage-Version=.*/X-AppImage-Version=3/' "v/v3.AppDir/$REPO_APP_ID.desktop"
python3 - v/v3.AppDir/usr/share/data/big.bin <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1 << 20)
    f.write(os.urandom(1 << 20))
PY
chown -R "$TEST_UID:$TEST_GID" v/v3.AppDir
urun GNUPGHOME="$GH" SOURCE_DATE_EPOCH=1700000000 "$BUILDER" pack v/v3.AppDir \
	-o v/v3.AppImage --sign-key "$FPR"
verdict "version 3 packed (1 MiB of its 4 MB file changed)" 0 || finish
export_version 2
verdict "version 2 exported" 0 || finish
serve_repo || finish

# bytes_served: what nginx sent since the log was emptied (whole files:
# every request here is answered 200 with the file).
bytes_served() {
	local status uri rest total=0
	while read -r status uri rest; do
		[ "$status" = 200 ] || continue
		uri=${uri%%\?*}
		[ -f "$TEST_DIR/www$uri" ] && total=$((total + $(stat -c %s "$TEST_DIR/www$uri")))
	done <"$WEB_DIR/access.log"
	echo "$total"
}
BIG_OBJECT=$(ostree --repo="$REPO" ls -C "app/$ID/x86_64/stable" /usr/share/data/big.bin |
	awk '{print $5}')
[ -n "$BIG_OBJECT" ]
ok "the object of big.bin in version 2: ${BIG_OBJECT:0:12}" || finish

urun "$BENTO" remote-add test "$REPO_URL" --gpg-import="$KEYFILE"
verdict "remote-add" 0 || finish
urun "$BENTO" install test "$ID"
verdict "install version 2" 0 || finish
# The control's client: Debian's ostree, a bare-user-only repository (what
# bento's installation is) holding version 2.
ostree --repo=control init --mode=bare-user-only &&
	ostree --repo=control remote add --gpg-import="$KEYFILE" test "$REPO_URL" &&
	ostree --repo=control pull test "app/$ID/x86_64/stable" >/dev/null 2>&1
ok "control: Debian's ostree pulled version 2 into a bare-user-only repository" || finish

export_version 3
verdict "version 3 exported, with the delta 2 -> 3" 0 || finish
NEW_OBJECT=$(ostree --repo="$REPO" ls -C "app/$ID/x86_64/stable" /usr/share/data/big.bin |
	awk '{print $5}')
FILEZ=$(stat -c %s "$REPO/objects/${NEW_OBJECT:0:2}/${NEW_OBJECT:2}.filez")

# The server's word on the delta: its superblock altered.  delta.c checks
# it against the SHA-256 the signed summary gives it (and libostree's pull,
# which then does the work, checks it again): the update is refused and
# version 2 keeps running.  Control: the altered superblock did reach the
# client (nothing turns libostree's own check off to show more).
# (a delta from a commit is named FROM-TO; one from scratch has no '-')
SUPERBLOCK=$(find "$REPO/deltas" -mindepth 2 -maxdepth 2 -name '*-*' | head -n 1)/superblock
[ -f "$SUPERBLOCK" ]
ok "the delta 2 -> 3 on the server: ${SUPERBLOCK#"$REPO"/}" || finish
cp "$SUPERBLOCK" superblock.saved
python3 - "$SUPERBLOCK" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(40)
    b = f.read(1)
    f.seek(40)
    f.write(bytes([b[0] ^ 0xff]))
PY
: >"$WEB_DIR/access.log"
urun "$BENTO" update "$ID"
update_rc=$RC update_err=$ERR
grep -q "^200 /repo/deltas/.*/superblock" "$WEB_DIR/access.log"
ok "control: the altered superblock reached the client"
urun "$BENTO" run "$ID"
[ "$update_rc" != 0 ] && [ "$OUT" = "RepoHello version 2" ]
ok "a delta superblock altered on the server: the update is refused (status $update_rc), version 2 runs" "$update_err"
cp superblock.saved "$SUPERBLOCK"

: >"$WEB_DIR/access.log"
ostree --repo=control pull test "app/$ID/x86_64/stable" >/dev/null 2>&1
control_bytes=$(bytes_served)
grep -q "^200 /repo/deltas/" "$WEB_DIR/access.log" &&
	grep -q "^200 /repo/objects/${NEW_OBJECT:0:2}/${NEW_OBJECT:2}.filez" "$WEB_DIR/access.log"
ok "control: libostree's pull fetches the delta, then big.bin whole ($FILEZ bytes): $control_bytes bytes in all" \
	"$(cat "$WEB_DIR/access.log")"

: >"$WEB_DIR/access.log"
urun "$BENTO" update "$ID"
bento_bytes=$(bytes_served)
[ "$RC" = 0 ] && grep -q "^200 /repo/deltas/" "$WEB_DIR/access.log" &&
	! grep -q "\.filez" "$WEB_DIR/access.log"
verdict "bento update: the delta, no file object fetched ($bento_bytes bytes)" 0
[ "$bento_bytes" -lt "$FILEZ" ] && [ "$bento_bytes" -lt "$control_bytes" ]
ok "bento's update ($bento_bytes bytes) costs less than big.bin alone ($FILEZ) and than libostree's pull ($control_bytes)"
urun "$BENTO" run "$ID"
[ "$RC" = 0 ] && [ "$OUT" = "RepoHello version 3" ]
verdict "version 3 runs" 0
fsck_out=$(as_user ostree --repo="$INST/repo" fsck 2>&1)
ok "the installation's repository passes ostree fsck" "$fsck_out"

stop_web
finish
